import type { BrowserContext, Page } from '@playwright/test';
import { resolveBrowser, type ResolvedBrowser } from '../profile/browser-launch.js';
import type { CookieBackup } from '../profile/cookie-backup.js';
import { persistentCookiesIn } from '../profile/cookie-store.js';
import { LaunchFailure } from '../profile/launch-failure.js';
import { CloneError } from '../profile/profile-cloner.js';
import type { BaseProfile } from '../profile/profile-locator.js';
import type { SnapshotManifest } from '../profile/profile-snapshot.js';
import type { Settings } from '../settings.js';
import { OperatorError } from '../shared/operator-error.js';
import { BaseCookieGuard } from './base-cookie-guard.js';
import { BrowserProcess } from './browser-process.js';
import type { WindowFaultHooks } from './fault-injection.js';
import { ProfilePreparation, type ClonePlace } from './profile-preparation.js';
import { Remediation, RemediationBudget } from './remediation.js';
import { VerificationLadder } from './verification-ladder.js';
import { windowLetter, type WindowLog } from './window-identity.js';
import { beginRound } from './window-rounds.js';
import {
  recordVerification,
  WindowVerificationError,
  type ProfileKind,
  type RemediationStep,
  type RunMarker,
  type WindowRecord,
  type WindowRecordSink,
} from './window-record.js';

/** What a window gets from the run; every path and marker is decided by whoever wires the window (the fixtures). */
export interface WindowEnvironment {
  settings: Settings;
  parallelIndex: number;
  workerIndex: number;
  base: BaseProfile;
  snapshot: SnapshotManifest;
  clones: ClonePlace;
  /** Where the browser puts JavaScript-started downloads. */
  downloadsDir: string;
  records: WindowRecordSink;
  /** Set once window A's browser has opened the base profile in this run. */
  baseOpened: RunMarker;
  cookieBackup: CookieBackup;
  /** Scripts every page runs first: TSX_PAGE_HELPERS when the window is driven from a tsx command. */
  pageScripts?: string[];
  /** Test runs only. */
  faults?: WindowFaultHooks;
  log: WindowLog;
}

/** A launch failure worth another try; a refused default profile or a missing program is not. */
const retryableLaunch = (error: unknown): error is LaunchFailure =>
  error instanceof LaunchFailure && error.kind !== 'default-profile-refused' && error.kind !== 'executable-missing';

const isoNow = () => new Date().toISOString();

/**
 * One browser window of the job on its intended profile: window A on the base profile
 * (policy base-first), every other window on its own clone of the run's snapshot. A window
 * is handed out only after the configured verification methods passed, remediating this
 * window alone when anything on the way fails (PROFILE-03, PROFILE-04, PROFILE-13, PROFILE-14).
 */
export class BrowserWindow {
  readonly letter: string;
  readonly kind: ProfileKind;
  readonly record: WindowRecord;
  private readonly browser: ResolvedBrowser;
  private readonly process: BrowserProcess;
  private readonly profile: ProfilePreparation;
  private readonly guard: BaseCookieGuard;
  private readonly ladder: VerificationLadder;

  constructor(private readonly env: WindowEnvironment) {
    const { settings, base } = env;
    this.letter = windowLetter(env.parallelIndex);
    this.kind = env.parallelIndex === 0 && settings.profilePolicy === 'base-first' ? 'base' : 'clone';
    this.browser = resolveBrowser(settings);
    this.record = {
      window: this.letter,
      parallelIndex: env.parallelIndex,
      workerIndex: env.workerIndex,
      pid: process.pid,
      kind: this.kind,
      userDataDir: this.kind === 'base' ? base.userDataDir : '',
      profileDir: this.kind === 'base' ? base.profileDir : '',
      state: 'starting',
      verification: [],
      attempts: 0,
      remediation: [],
      parkings: [],
      cloneSpans: [],
      timings: { slotWaitMs: 0, cloneMs: 0, launchMs: 0, verifyMs: 0, totalStartMs: 0 },
      browser: this.browser.description,
      posDone: 0,
      posFailed: 0,
      startedAt: isoNow(),
    };
    const parts = { record: this.record, save: () => this.save(), log: env.log };
    this.process = new BrowserProcess({
      letter: this.letter,
      profileName: base.profileName,
      headless: settings.headless,
      downloadsDir: env.downloadsDir,
      ...(env.pageScripts ? { pageScripts: env.pageScripts } : {}),
      log: env.log,
    });
    this.profile = new ProfilePreparation({
      ...parts,
      kind: this.kind,
      letter: this.letter,
      workerIndex: env.workerIndex,
      base,
      snapshot: env.snapshot,
      clones: env.clones,
      profileInUseWaitMs: settings.profileInUseWaitMs,
      checksum: settings.verifyMethods.includes('checksum'),
      baseOpened: env.baseOpened,
      ...(env.faults ? { faults: env.faults } : {}),
    });
    this.guard = new BaseCookieGuard({ ...parts, base, backup: env.cookieBackup });
    this.ladder = new VerificationLadder({ ...parts, settings, kind: this.kind, letter: this.letter, base, browser: this.browser, records: env.records });
  }

  get context(): BrowserContext {
    return this.process.context;
  }

  get page(): Page {
    return this.process.page;
  }

  /** False once the browser closed or crashed on its own (e.g. killed): the worker must restart. */
  get alive(): boolean {
    return this.process.alive;
  }

  save(): void {
    this.env.records.save(this.record);
  }

  async start(): Promise<void> {
    const started = Date.now();
    const { remediationMaxAttempts, remediationBudgetMs } = this.env.settings;
    const remediation = new Remediation(this.record, new RemediationBudget(remediationMaxAttempts, remediationBudgetMs), () => this.save());
    const round = beginRound(this.record);
    this.save();
    try {
      await this.bringUp(remediation);
      round.verifying();
      await this.ladder.verify(remediation, {
        reload: () => this.process.freshTab(),
        reClone: async () => {
          await this.process.close();
          await this.bringUp(remediation);
        },
        restartBrowser: async () => {
          await this.process.close();
          await this.bringUp(remediation, { keepProfile: true });
        },
        page: () => this.process.page,
        userDataDir: () => this.profile.userDataDir,
      });
      this.record.state = 'verified';
      this.record.timings.totalStartMs = Date.now() - started;
      this.env.log(
        `verified on ${this.kind} profile ${this.record.profileDir} in ${this.record.timings.totalStartMs} ms ` +
          `(${this.record.verification.map((v) => `${v.method} ${v.ok ? 'ok' : 'FAILED'}`).join(', ')})`,
      );
    } catch (error) {
      this.record.state = 'failed';
      this.record.error = error instanceof OperatorError ? error.describe() : (error as Error).message;
      round.end();
      this.save();
      await this.close();
      throw error;
    }
    round.end();
    this.save();
  }

  /**
   * Profile ready and browser started. A clone copy that fails or fails VM-003 is made
   * again, a browser that fails to start is started again (on a new clone for a clone
   * window), each a remediation step within the start's budget (an interrupted clone copy, PROFILE-13).
   */
  private async bringUp(remediation: Remediation, options: { keepProfile?: boolean } = {}): Promise<void> {
    let prepare = !options.keepProfile;
    let step: RemediationStep | undefined;
    for (;;) {
      const failure = await this.tryBringUp(prepare);
      if (!failure) {
        if (step) step.ok = true;
        return;
      }
      this.env.log(`${failure.reason}; remediation: ${failure.step}`);
      step = remediation.begin(failure.step, failure.reason);
      prepare = true;
      await new Promise((r) => setTimeout(r, Math.min(500 * 2 ** (this.record.remediation.length - 1), 5_000)));
    }
  }

  /** One attempt; returns what failed and the step that remedies it, or nothing when the browser is up. */
  private async tryBringUp(prepare: boolean): Promise<{ step: RemediationStep['step']; reason: string } | undefined> {
    if (prepare) {
      let checksum;
      try {
        checksum = await this.profile.prepare();
      } catch (error) {
        if (!(error instanceof CloneError)) throw error;
        return { step: 're-clone-before-launch', reason: `clone copy failed (${error.message})` };
      }
      if (checksum) recordVerification(this.record, checksum);
      if (checksum && !checksum.ok) {
        if (this.kind === 'clone') return { step: 're-clone-before-launch', reason: `clone failed VM-003 (${checksum.detail})` };
        this.record.diagnosis = `the base profile changed after the run's snapshot was taken (${checksum.detail}): another browser wrote to it; close every Edge window and start the run again`;
        throw new WindowVerificationError(this.record);
      }
    }
    try {
      await this.launch();
    } catch (error) {
      if (!retryableLaunch(error)) throw error;
      return { step: this.kind === 'clone' ? 're-clone' : 'restart-browser', reason: `the browser did not start (${error.summary})` };
    }
    return undefined;
  }

  private async launch(): Promise<void> {
    const started = Date.now();
    const profileDir = this.record.profileDir;
    const firstOpening = this.kind === 'base' && !this.env.baseOpened.isSet();
    const expected = this.kind === 'base' ? await this.guard.beforeLaunch(firstOpening) : await persistentCookiesIn(profileDir);
    this.record.profileCookies = { persistent: expected.length, hosts: [...new Set(expected.map((c) => c.host))].sort() };
    if (this.kind === 'base') this.env.baseOpened.set();
    const ctx = await this.process.launch(this.profile.userDataDir, this.env.faults?.browserFor(this.browser) ?? this.browser);
    this.record.timings.launchMs = Date.now() - started;
    if (this.kind === 'base') await this.guard.afterLaunch(ctx, expected, () => this.process.close());
    await this.env.faults?.afterLaunch(ctx);
    this.save();
  }

  /** Test hook: a session lost in the middle of the run, just before a PO. */
  async injectFaultsBeforePo(): Promise<void> {
    await this.env.faults?.beforePo(this.context);
  }

  /**
   * The load governor took this window out of service: its browser closes and its clone
   * goes, so that it frees its memory; `start()` brings it back, verified again.
   */
  async park(): Promise<void> {
    await this.process.close();
    await this.profile.discard();
    this.record.state = 'parked';
    this.record.parkings.push({ from: isoNow() });
    this.save();
    this.env.log('parked by the load governor: browser closed until the load allows it back');
  }

  async unpark(): Promise<void> {
    const parking = this.record.parkings.at(-1);
    if (parking && !parking.until) parking.until = isoNow();
    this.env.log('the load allows it back: starting and verifying again');
    await this.start();
  }

  /** Closes the browser and removes the clone (PROFILE-05); the base profile is left to its browser's own shutdown. */
  async close(): Promise<void> {
    await this.process.close();
    await this.profile.discard();
    if (this.record.state !== 'failed') this.record.state = 'closed';
    this.record.endedAt = isoNow();
    this.save();
    if (this.kind === 'base' && this.record.state === 'closed') await this.guard.endedWell();
  }
}
