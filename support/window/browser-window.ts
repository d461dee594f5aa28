import type { BrowserContext, Page } from '@playwright/test';
import { resolveBrowser, type ResolvedBrowser } from '../profile/browser-launch.js';
import type { CookieBackup } from '../profile/cookie-backup.js';
import type { BaseProfile } from '../profile/profile-locator.js';
import type { SnapshotManifest } from '../profile/profile-snapshot.js';
import type { Settings } from '../settings.js';
import { OperatorError } from '../shared/operator-error.js';
import { BaseCookieGuard } from './base-cookie-guard.js';
import { BrowserProcess } from './browser-process.js';
import type { WindowFaultHooks } from './fault-injection.js';
import { LaunchHeldBack, type LaunchPlace } from './launch-queue.js';
import { ProfilePreparation, type ClonePlace } from './profile-preparation.js';
import { Remediation, RemediationBudget } from './remediation.js';
import { VerificationLadder } from './verification-ladder.js';
import { WindowBringUp } from './window-bring-up.js';
import { CpuLedger, type CpuMark } from './window-cpu.js';
import { windowLetter, type WindowLog } from './window-identity.js';
import { beginRound } from './window-rounds.js';
import {
  newWindowRecord,
  type ProfileKind,
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
  launches: LaunchPlace;
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
  private readonly bringUp: WindowBringUp;
  private readonly cpu: CpuLedger;
  /** Taken when the window was verified: what its POs cost is measured from here. */
  private working: CpuMark | undefined;

  constructor(private readonly env: WindowEnvironment) {
    const { settings, base } = env;
    this.letter = windowLetter(env.parallelIndex);
    this.kind = env.parallelIndex === 0 && settings.profilePolicy === 'base-first' ? 'base' : 'clone';
    this.browser = resolveBrowser(settings);
    this.record = newWindowRecord({ letter: this.letter, parallelIndex: env.parallelIndex, workerIndex: env.workerIndex, kind: this.kind, base, browser: this.browser.description });
    const parts = { record: this.record, save: () => this.save(), log: env.log };
    this.cpu = new CpuLedger(this.record.cpu!, () => this.process.cdp);
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
    this.bringUp = new WindowBringUp({
      ...parts,
      kind: this.kind,
      browser: this.browser,
      process: this.process,
      profile: this.profile,
      guard: this.guard,
      cpu: this.cpu,
      launches: env.launches,
      baseOpened: env.baseOpened,
      ...(env.faults ? { faults: env.faults } : {}),
    });
    this.ladder = new VerificationLadder({ ...parts, settings, kind: this.kind, letter: this.letter, base, browser: this.browser, records: env.records, cpu: this.cpu });
  }

  get context(): BrowserContext {
    return this.process.context;
  }

  get page(): Page {
    return this.process.page;
  }

  /** Aborted when the window's current browser closes (see BrowserProcess.signal). */
  get signal(): AbortSignal {
    return this.process.signal;
  }

  /** False once the browser closed or crashed on its own (e.g. killed): the worker must restart. */
  get alive(): boolean {
    return this.process.alive;
  }

  save(): void {
    this.env.records.save(this.record);
  }

  /**
   * Brings the window up: profile ready, browser launched at its turn, verified. False when
   * the load governor does not let it launch (before it queues, or while it waits for its
   * turn): nothing runs then, and the window is parked until the gate lets it start.
   */
  async start(): Promise<boolean> {
    if (!this.env.launches.mayLaunch()) return false;
    const started = Date.now();
    const { remediationMaxAttempts, remediationBudgetMs } = this.env.settings;
    const remediation = new Remediation(this.record, new RemediationBudget(remediationMaxAttempts, remediationBudgetMs), () => this.save());
    const round = beginRound(this.record);
    this.record.state = 'starting';
    this.save();
    try {
      await this.bringUp.run(remediation);
      round.verifying();
      this.record.phase = 'verify';
      this.save();
      await this.ladder.verify(remediation, {
        reload: () => this.process.freshTab(),
        reClone: async () => {
          await this.process.close();
          await this.bringUp.run(remediation);
        },
        restartBrowser: async () => {
          await this.process.close();
          await this.bringUp.run(remediation, { keepProfile: true });
        },
        page: () => this.process.page,
        cdp: () => this.process.cdp,
        userDataDir: () => this.profile.userDataDir,
      });
      this.record.state = 'verified';
      this.record.timings.totalStartMs = Date.now() - started;
      this.env.log(
        `verified on ${this.kind} profile ${this.record.profileDir} in ${this.record.timings.totalStartMs} ms ` +
          `(${this.record.verification.map((v) => `${v.method} ${v.ok ? 'ok' : 'FAILED'}`).join(', ')})`,
      );
    } catch (error) {
      delete this.record.phase;
      if (error instanceof LaunchHeldBack) {
        round.drop();
        await this.process.close();
        await this.profile.discard();
        this.record.state = 'parked';
        this.save();
        return false;
      }
      this.record.state = 'failed';
      this.record.error = error instanceof OperatorError ? error.describe() : (error as Error).message;
      round.end();
      this.save();
      await this.close();
      throw error;
    }
    delete this.record.phase;
    round.end();
    this.save();
    this.working = await this.cpu.mark();
    return true;
  }

  /** The window's first start in its worker; a window the load governor holds back stays parked without a browser. */
  async begin(): Promise<boolean> {
    if (await this.start()) return true;
    this.record.state = 'parked';
    this.record.heldBeforeLaunch.push({ from: new Date().toISOString() });
    this.save();
    this.env.log('held back by the load governor before its browser launched: it starts when the load allows');
    return false;
  }

  /** Just before a PO: a fresh tab now and then, and the test suite's fault hook (a session lost mid-run). */
  async beforePo(): Promise<void> {
    await this.process.beforePo();
    await this.env.faults?.beforePo(this.context);
  }

  /**
   * The load governor took this window out of service: its browser closes and its clone
   * goes, so that it frees its memory; `start()` brings it back, verified again.
   */
  async park(): Promise<void> {
    await this.workDone();
    await this.process.close();
    await this.profile.discard();
    this.record.state = 'parked';
    this.record.parkings.push({ from: new Date().toISOString() });
    this.save();
    this.env.log('parked by the load governor: browser closed until the load allows it back');
  }

  /** Starts again after parking or a hold before launch; false when the load governor holds it back once more. */
  async unpark(): Promise<boolean> {
    const hold = [...this.record.parkings, ...this.record.heldBeforeLaunch].find((p) => !p.until);
    if (hold) hold.until = new Date().toISOString();
    this.env.log('the load allows it back: starting and verifying');
    if (await this.start()) return true;
    if (hold) delete hold.until;
    this.save();
    this.env.log('held back again by the load governor before its browser launched');
    return false;
  }

  /** What the window's POs (and the time between them) cost since it was verified. */
  private async workDone(): Promise<void> {
    if (this.working) await this.cpu.add('pos', this.working);
    this.working = undefined;
  }

  /** Closes the browser and removes the clone (PROFILE-05); the base profile is left to its browser's own shutdown. */
  async close(): Promise<void> {
    await this.workDone();
    this.cpu.closed();
    await this.process.close();
    await this.profile.discard();
    if (this.record.state !== 'failed') this.record.state = 'closed';
    this.record.endedAt = new Date().toISOString();
    this.save();
    if (this.kind === 'base' && this.record.state === 'closed') await this.guard.endedWell();
  }
}
