import fs from 'node:fs';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from '@playwright/test';
import { classifyLaunchError, persistentLaunchOptions, resolveBrowser, type ResolvedBrowser } from '../profile/browser-launch.js';
import { acquireCloneSlot, cloneSnapshot, verifyCloneAgainstManifest } from '../profile/profile-cloner.js';
import { waitForProfileFree, describeHolder } from '../profile/profile-in-use.js';
import { cookieStoreIn, type BaseProfile } from '../profile/profile-locator.js';
import { diffArtifacts, manifestChecksumsOf, type SnapshotManifest } from '../profile/profile-snapshot.js';
import { createOwnedDir, removeDir } from '../profile/private-temp.js';
import { cookiesSurvivingRestart, readCookieStore, restoreCookieStore, type CookieEntry } from '../profile/cookie-store.js';
import type { Settings } from '../settings.js';
import { OperatorError } from '../shared/operator-error.js';
import { checksumResult, verifyIntrospection, verifySession, type MethodResult, type VerificationMethodName } from './profile-verifier.js';
import { windowLetter, type WindowLog } from './window-identity.js';
import { diagnoseVerificationFailure } from './failure-diagnosis.js';
import { corruptCloneCookieStore, faultHits, type FaultHooks } from './fault-injection.js';

export type ProfileKind = 'base' | 'clone';
export type RemediationStepName = 'retry-verification' | 'reload' | 're-clone' | 'restart-browser';

export interface RemediationStep {
  step: RemediationStepName | 're-clone-before-launch' | 'restore-cookies-before-launch';
  at: string;
  reason: string;
  ok: boolean;
}

export interface WindowRecord {
  window: string;
  parallelIndex: number;
  workerIndex: number;
  pid: number;
  kind: ProfileKind;
  userDataDir: string;
  profileDir: string;
  state: 'starting' | 'verified' | 'parked' | 'failed' | 'closed';
  verification: MethodResult[];
  /** Verification rounds run (1 when the first round passed). */
  attempts: number;
  remediation: RemediationStep[];
  diagnosis?: string;
  timings: { slotWaitMs: number; cloneMs: number; launchMs: number; verifyMs: number; totalStartMs: number };
  clone?: { method: string; bytes: number; files: number };
  cookieGuard?: { rowsBefore: number; cookiesAfterLaunch: number; dropped: boolean; restored: boolean };
  /** Times the load governor parked this window (browser closed) and when it came back. */
  parkings: { from: string; until?: string }[];
  /** When each clone copy held its slot (ms since the epoch), to show the clone throttle at work. */
  cloneSpans: { start: number; end: number }[];
  /** Persistent cookies of the profile at launch, by host (proves a clone carries the base profile's sign-in). */
  profileCookies?: { persistent: number; hosts: string[] };
  browser: string;
  /** As the browser reports it on chrome://version. */
  browserVersion?: string;
  posDone: number;
  posFailed: number;
  error?: string;
  startedAt: string;
  endedAt?: string;
}

export interface WindowEnvironment {
  settings: Settings;
  parallelIndex: number;
  workerIndex: number;
  base: BaseProfile;
  snapshot: SnapshotManifest;
  /** Where in the run's private folder the window keeps its clone and its browser's downloads. */
  session: {
    clonesDir: string;
    cloneSlotsDir: string;
    baseOpenedMarker: string;
    browserDownloadsDir: (window: string, workerIndex: number) => string;
  };
  /** Keeps the window's record up to date for the run summary; gives the other windows' records. */
  records: { save(record: WindowRecord): void; others(window: string): WindowRecord[] };
  faults: FaultHooks;
  log: WindowLog;
}

export class WindowVerificationError extends OperatorError {
  constructor(readonly record: WindowRecord) {
    super(
      `Window ${record.window} (${record.kind} profile ${record.profileDir}) could not be verified after ` +
        `${record.attempts} round(s) and ${record.remediation.length} remediation step(s): ` +
        record.verification.filter((v) => !v.ok).map((v) => `${v.method}: ${v.detail}`).join('; '),
      record.diagnosis ?? 'See the window summary for each verification method and remediation step.',
    );
  }
}

export class BaseProfileCookiesDroppedError extends OperatorError {}

const isoNow = () => new Date().toISOString();

/**
 * One browser window of the job on its intended profile: window A on the base profile
 * (policy base-first), every other window on its own clone of the run's snapshot. A window
 * is handed out only after the configured verification methods passed, remediating this
 * window alone when they fail (FR-003, FR-004, FR-013, FR-014).
 */
export class BrowserWindow {
  readonly letter: string;
  readonly kind: ProfileKind;
  readonly record: WindowRecord;
  private readonly browser: ResolvedBrowser;
  private cloneOwnerDir: string | undefined;
  private userDataDir: string;
  private ctx: BrowserContext | undefined;
  private closedUnexpectedly = false;

  constructor(private readonly env: WindowEnvironment) {
    this.letter = windowLetter(env.parallelIndex);
    this.kind = env.parallelIndex === 0 && env.settings.profilePolicy === 'base-first' ? 'base' : 'clone';
    this.browser = resolveBrowser(env.settings);
    this.userDataDir = this.kind === 'base' ? env.base.userDataDir : '';
    this.record = {
      window: this.letter,
      parallelIndex: env.parallelIndex,
      workerIndex: env.workerIndex,
      pid: process.pid,
      kind: this.kind,
      userDataDir: this.userDataDir,
      profileDir: this.kind === 'base' ? env.base.profileDir : '',
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
  }

  get context(): BrowserContext {
    if (!this.ctx) throw new Error(`window ${this.letter} has no browser`);
    return this.ctx;
  }

  get page(): Page {
    const page = this.context.pages()[0];
    if (!page) throw new Error(`window ${this.letter} has no page`);
    return page;
  }

  /** False once the browser closed or crashed on its own (e.g. killed): the worker must restart. */
  get alive(): boolean {
    return !!this.ctx && !this.closedUnexpectedly;
  }

  private log(message: string): void {
    this.env.log(message);
  }

  save(): void {
    this.env.records.save(this.record);
  }

  async start(): Promise<void> {
    const started = Date.now();
    const deadline = started + this.env.settings.remediationBudgetMs;
    this.save();
    try {
      await this.prepareProfile(deadline);
      await this.launch();
      await this.verifyWithRemediation(deadline);
      this.record.state = 'verified';
      this.record.timings.totalStartMs = Date.now() - started;
      this.log(
        `verified on ${this.kind} profile ${this.record.profileDir} in ${this.record.timings.totalStartMs} ms ` +
          `(${this.record.verification.map((v) => `${v.method} ${v.ok ? 'ok' : 'FAILED'}`).join(', ')})`,
      );
    } catch (error) {
      this.record.state = 'failed';
      this.record.error = error instanceof OperatorError ? error.describe() : (error as Error).message;
      this.save();
      await this.close();
      throw error;
    }
    this.save();
  }

  // ---- profile ------------------------------------------------------------------------

  private async prepareProfile(deadline: number): Promise<void> {
    if (this.kind === 'base') {
      await waitForProfileFree(this.env.base.userDataDir, {
        timeoutMs: this.env.settings.profileInUseWaitMs,
        onWait: (holder, waitedMs) =>
          this.log(`base profile is in use by ${describeHolder(holder)}; waiting (${Math.round(waitedMs / 1000)} s)`),
      });
      if (!this.methods().includes('checksum')) return;
      const checksum = await this.checkBaseAgainstSnapshot();
      this.recordResult(checksum);
      if (!checksum.ok) {
        this.record.diagnosis = `the base profile changed after the run's snapshot was taken (${checksum.detail}): another browser wrote to it; close every Edge window and start the run again`;
        throw new WindowVerificationError(this.record);
      }
      return;
    }
    for (let attempt = 1; ; attempt++) {
      await this.makeClone();
      if (!this.methods().includes('checksum')) return;
      const checksum = await this.checkCloneAgainstSnapshot();
      this.recordResult(checksum);
      if (checksum.ok) return;
      const exhausted = attempt >= this.env.settings.remediationMaxAttempts || Date.now() > deadline;
      this.record.remediation.push({ step: 're-clone-before-launch', at: isoNow(), reason: checksum.detail, ok: !exhausted });
      this.log(`clone failed VM-003 (${checksum.detail}); ${exhausted ? 'giving up' : `re-cloning (attempt ${attempt + 1})`}`);
      if (exhausted) {
        this.record.attempts = attempt;
        throw new WindowVerificationError(this.record);
      }
      await new Promise((r) => setTimeout(r, Math.min(500 * 2 ** (attempt - 1), 5_000)));
    }
  }

  private async makeClone(): Promise<void> {
    await this.discardClone();
    const clonesDir = this.env.session.clonesDir;
    fs.mkdirSync(clonesDir, { recursive: true, mode: 0o700 });
    this.cloneOwnerDir = await createOwnedDir(clonesDir, `${this.letter}-w${this.env.workerIndex}-${Date.now().toString(36)}`);
    this.userDataDir = path.join(this.cloneOwnerDir, 'User Data');
    this.record.userDataDir = this.userDataDir;
    this.record.profileDir = path.join(this.userDataDir, this.env.base.profileName);

    const waitStarted = Date.now();
    let lastNotice = -Infinity;
    const release = await acquireCloneSlot(this.env.session.cloneSlotsDir, {
      limit: this.env.settings.maxConcurrentClones,
      onWait: (waitingMs, busy) => {
        // Clone back-pressure is shown at once and then every few seconds (NFR-006), not at every poll.
        if (waitingMs - lastNotice < 3_000) return;
        lastNotice = waitingMs;
        this.log(`waiting for a clone slot: ${busy} of ${this.env.settings.maxConcurrentClones} clone copies in progress (${(waitingMs / 1000).toFixed(1)} s)`);
      },
    });
    this.record.timings.slotWaitMs += Date.now() - waitStarted;
    const cloneStarted = Date.now();
    try {
      const result = await cloneSnapshot(this.env.snapshot.snapshotUdd, this.userDataDir);
      this.record.timings.cloneMs = result.durationMs;
      this.record.clone = { method: result.method, bytes: result.bytes, files: result.files };
      this.log(`cloned the profile snapshot (${result.files} files, ${(result.bytes / 1e6).toFixed(1)} MB, ${result.method}) in ${result.durationMs} ms`);
    } finally {
      this.record.cloneSpans.push({ start: cloneStarted, end: Date.now() });
      await release();
    }
    if (faultHits('corruptClone', this.letter, this.env.faults)) {
      corruptCloneCookieStore(this.userDataDir, this.env.base.profileName);
      this.log('test fault injected: the clone\'s cookie store was deleted after cloning');
    }
    this.save();
  }

  private async discardClone(): Promise<void> {
    if (!this.cloneOwnerDir) return;
    await removeDir(this.cloneOwnerDir);
    this.cloneOwnerDir = undefined;
  }

  private async checkCloneAgainstSnapshot(): Promise<MethodResult> {
    const started = Date.now();
    const verification = await verifyCloneAgainstManifest(this.userDataDir, this.env.base.profileName, this.env.snapshot);
    return checksumResult(verification.mismatches, Date.now() - started);
  }

  /**
   * Window A runs on the base profile itself; what VM-003 can prove there is that the
   * profile about to be opened is the one the clones were made from (`Local State` is left
   * out: the snapshot's copy has `profile.last_used` set on purpose). Once window A's own
   * browser has run on it in this run, it has written to it: a reopening (restart after a
   * crash, after parking) has nothing to compare.
   */
  private async checkBaseAgainstSnapshot(): Promise<MethodResult> {
    const started = Date.now();
    if (fs.existsSync(this.env.session.baseOpenedMarker)) {
      return { method: 'checksum', ok: true, detail: 'window A reopens the base profile its own browser used earlier in this run; the snapshot comparison applies to its first opening', durationMs: 0 };
    }
    const expected = this.env.snapshot.artifacts.filter((a) => a.role !== 'local-state');
    const actual = await manifestChecksumsOf(this.env.base.userDataDir, this.env.base.profileName);
    return checksumResult(diffArtifacts(expected, actual), Date.now() - started);
  }

  // ---- browser ------------------------------------------------------------------------

  private async launch(): Promise<void> {
    const started = Date.now();
    if (this.kind === 'base') {
      await this.restoreLostBaseCookies();
      fs.writeFileSync(this.env.session.baseOpenedMarker, '');
    }
    const surviving = await this.cookiesOnDisk(this.userDataDir);
    this.record.profileCookies = { persistent: surviving.length, hosts: [...new Set(surviving.map((c) => c.host))].sort() };
    try {
      this.ctx = await chromium.launchPersistentContext(
        this.userDataDir,
        persistentLaunchOptions({
          browser: this.browser,
          userDataDir: this.userDataDir,
          profileName: this.env.base.profileName,
          headless: this.env.settings.headless,
          // JavaScript-started downloads land here before they are checked and moved to the PO folder.
          downloadsPath: this.env.session.browserDownloadsDir(this.letter, this.env.workerIndex),
        }),
      );
    } catch (error) {
      throw classifyLaunchError(error, { userDataDir: this.userDataDir, window: this.letter });
    }
    this.closedUnexpectedly = false;
    const ctx = this.ctx;
    ctx.on('close', () => {
      if (this.ctx === ctx) {
        this.closedUnexpectedly = true;
        this.log('browser closed unexpectedly (crashed or killed)');
      }
    });
    this.record.timings.launchMs = Date.now() - started;
    if (this.kind === 'base') await this.guardBaseCookies(surviving);
    // TRACE=true: the job's windows are its own persistent contexts, which Playwright's `trace` option does not cover.
    if (this.env.settings.trace) await ctx.tracing.start({ screenshots: true, snapshots: true });
    if (faultHits('signOutAfterLaunch', this.letter, this.env.faults)) {
      await ctx.clearCookies();
      this.log('test fault injected: every cookie of the window was dropped after launch');
    }
    this.save();
  }

  /**
   * Window A reopening the base profile (after a crash, a restart, parking) first checks
   * that the profile still has the cookies it had before the run: a sign-in the identity
   * provider dropped in the middle of the run, or cookies a failed start deleted, are put
   * back from the run's snapshot, so the window does not start signed out.
   */
  private async restoreLostBaseCookies(): Promise<void> {
    const key = (c: CookieEntry) => `${c.host}\t${c.name}\t${c.path}`;
    const present = new Set((await this.cookiesOnDisk(this.userDataDir)).map(key));
    const lost = (await this.cookiesOnDisk(this.env.snapshot.snapshotUdd)).filter((c) => !present.has(key(c)));
    if (lost.length === 0) return;
    await restoreCookieStore(this.env.snapshot.snapshotUdd, this.env.base);
    const hosts = [...new Set(lost.map((c) => c.host))].join(', ');
    this.record.remediation.push({
      step: 'restore-cookies-before-launch',
      at: isoNow(),
      reason: `${lost.length} cookie(s) the base profile had before the run were gone (${hosts})`,
      ok: true,
    });
    this.log(`${lost.length} cookie(s) of the base profile were lost since the run started (${hosts}): restored from the snapshot`);
  }

  /** Cookies of a profile about to be opened that a browser start keeps (names and hosts only, never values). */
  private async cookiesOnDisk(userDataDir: string): Promise<CookieEntry[]> {
    const profileDir = path.join(userDataDir, this.env.base.profileName);
    const store = cookieStoreIn(profileDir);
    if (!store) return [];
    return cookiesSurvivingRestart((await readCookieStore(path.join(profileDir, store))).entries);
  }

  /**
   * A browser that cannot decrypt a profile's cookies deletes them. Window A compares the
   * cookies it sees with the rows of the closed cookie store that a restart keeps
   * (persistent, unexpired); on a drop it stops and puts the cookie store back from the
   * snapshot before anything else can be lost.
   */
  private async guardBaseCookies(expected: CookieEntry[]): Promise<void> {
    const seen = new Set((await this.context.cookies()).map((c) => `${c.domain}\t${c.name}\t${c.path}`));
    const missing = expected.filter((e) => !seen.has(`${e.host}\t${e.name}\t${e.path}`));
    const dropped = missing.length > 0;
    this.record.cookieGuard = { rowsBefore: expected.length, cookiesAfterLaunch: expected.length - missing.length, dropped, restored: false };
    if (!dropped) return;
    this.log(`${missing.length} of ${expected.length} cookies of the base profile are gone after launch: closing and restoring the cookie store`);
    await this.closeBrowser();
    await restoreCookieStore(this.env.snapshot.snapshotUdd, this.env.base);
    this.record.cookieGuard.restored = true;
    this.save();
    const hosts = [...new Set(missing.map((m) => m.host))].join(', ');
    throw new BaseProfileCookiesDroppedError(
      `Window A: the browser dropped ${missing.length} of ${expected.length} cookies of the base profile ${this.env.base.profileDir} at launch (${hosts}); ` +
        'the cookie store was restored from the snapshot taken before the run.',
      'The browser could not decrypt the profile\'s cookies: use the same browser (BROWSER_CHANNEL) that created the profile, ' +
        'or set PROFILE_POLICY=all-clones. See README › Troubleshooting.',
    );
  }

  private async closeBrowser(): Promise<void> {
    const ctx = this.ctx;
    this.ctx = undefined;
    if (ctx) await ctx.close().catch(() => undefined);
  }

  // ---- verification -------------------------------------------------------------------

  private methods(): VerificationMethodName[] {
    return this.env.settings.verifyMethods;
  }

  private recordResult(result: MethodResult): void {
    const { browserVersion, ...kept } = result;
    if (browserVersion) this.record.browserVersion = browserVersion;
    this.record.verification = [...this.record.verification.filter((v) => v.method !== result.method), kept];
  }

  private async runBrowserChecks(): Promise<MethodResult[]> {
    const started = Date.now();
    const timeoutMs = this.env.settings.pageTimeoutMs;
    const results: MethodResult[] = [];
    if (this.methods().includes('introspection')) {
      results.push(await verifyIntrospection(this.page, { profileDir: this.record.profileDir, userDataDir: this.userDataDir }, timeoutMs));
    }
    if (this.methods().includes('session')) {
      results.push(
        await verifySession(this.page, { baseUrl: this.env.settings.coupaBaseUrl, verifyPath: this.env.settings.verifyPath, timeoutMs }),
      );
    }
    results.forEach((r) => this.recordResult(r));
    this.record.attempts++;
    this.record.timings.verifyMs += Date.now() - started;
    this.save();
    return results;
  }

  private ladder(): RemediationStepName[] {
    const retries: RemediationStepName[] = Array(this.env.settings.verifyRetries).fill('retry-verification');
    return [...retries, 'reload', ...(this.kind === 'clone' ? (['re-clone'] as const) : []), 'restart-browser'];
  }

  private async verifyWithRemediation(deadline: number): Promise<void> {
    let results = await this.runBrowserChecks();
    const ladder = this.ladder();
    for (let attempt = 0; results.some((r) => !r.ok); attempt++) {
      const failed = results.filter((r) => !r.ok);
      const reason = failed.map((r) => `${r.method}: ${r.detail}`).join('; ');
      this.record.diagnosis = await diagnoseVerificationFailure({
        kind: this.kind,
        failed,
        base: this.env.base,
        browser: this.browser,
        otherWindows: this.env.records.others(this.letter),
      });
      if (attempt >= this.env.settings.remediationMaxAttempts || Date.now() > deadline) {
        this.log(`verification failed and the remediation budget is spent: ${reason}`);
        throw new WindowVerificationError(this.record);
      }
      const step = ladder[Math.min(attempt, ladder.length - 1)];
      this.log(`verification failed (${reason}); remediation step ${attempt + 1}: ${step}`);
      await this.remediate(step);
      results = await this.runBrowserChecks();
      this.record.remediation.push({ step, at: isoNow(), reason, ok: results.every((r) => r.ok) });
      this.save();
    }
  }

  private async remediate(step: RemediationStepName): Promise<void> {
    switch (step) {
      case 'retry-verification':
        await new Promise((r) => setTimeout(r, 500));
        return;
      case 'reload': {
        // A fresh tab drops whatever state the failed tab had (half-finished SSO bounce, stuck page).
        const stale = this.page;
        await this.context.newPage();
        await stale.close().catch(() => undefined);
        return;
      }
      case 're-clone':
        await this.closeBrowser();
        await this.prepareProfile(Number.POSITIVE_INFINITY);
        await this.launch();
        return;
      case 'restart-browser':
        await this.closeBrowser();
        await this.launch();
        return;
    }
  }

  /** Test hook (COUPA_TEST_FAULTS): a session lost in the middle of the run, just before a PO. */
  async injectFaultsBeforePo(): Promise<void> {
    if (!faultHits('signOutBeforePo', this.letter, this.env.faults)) return;
    await this.context.clearCookies();
    this.log('test fault injected: every cookie of the window was dropped before this PO');
  }

  /**
   * The load governor took this window out of service: its browser closes and its clone
   * goes, so that it frees its memory; `start()` brings it back, verified again.
   */
  async park(): Promise<void> {
    await this.closeBrowser();
    await this.discardClone();
    this.record.state = 'parked';
    this.record.parkings.push({ from: isoNow() });
    this.save();
    this.log('parked by the load governor: browser closed until the load allows it back');
  }

  async unpark(): Promise<void> {
    const parking = this.record.parkings.at(-1);
    if (parking && !parking.until) parking.until = isoNow();
    this.log('the load allows it back: starting and verifying again');
    await this.start();
  }

  /** Closes the browser and removes the clone (FR-005); the base profile is left to its browser's own shutdown. */
  async close(): Promise<void> {
    await this.closeBrowser();
    await this.discardClone();
    if (this.record.state !== 'failed') this.record.state = 'closed';
    this.record.endedAt = isoNow();
    this.save();
  }
}
