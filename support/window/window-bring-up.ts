import type { ResolvedBrowser } from '../profile/browser-launch.js';
import { persistentCookiesIn } from '../profile/cookie-store.js';
import { LaunchFailure } from '../profile/launch-failure.js';
import { CloneError } from '../profile/profile-cloner.js';
import type { BaseCookieGuard } from './base-cookie-guard.js';
import type { BrowserProcess } from './browser-process.js';
import type { WindowFaultHooks } from './fault-injection.js';
import { awaitLaunchTurn, type LaunchPlace } from './launch-queue.js';
import type { ProfilePreparation } from './profile-preparation.js';
import type { Remediation } from './remediation.js';
import type { CpuLedger } from './window-cpu.js';
import type { WindowLog } from './window-identity.js';
import { recordVerification, WindowVerificationError, type ProfileKind, type RemediationStep, type RunMarker, type StartPhase, type WindowRecord } from './window-record.js';

/** What bringing a window up uses; the window owns every part. */
export interface BringUpParts {
  kind: ProfileKind;
  record: WindowRecord;
  save: () => void;
  log: WindowLog;
  browser: ResolvedBrowser;
  process: BrowserProcess;
  profile: ProfilePreparation;
  guard: BaseCookieGuard;
  cpu: CpuLedger;
  launches: LaunchPlace;
  /** Set once window A's browser has opened the base profile in this run. */
  baseOpened: RunMarker;
  faults?: WindowFaultHooks;
}

/** A launch failure worth another try; a refused default profile or a missing program is not. */
const retryableLaunch = (error: unknown): error is LaunchFailure =>
  error instanceof LaunchFailure && error.kind !== 'default-profile-refused' && error.kind !== 'executable-missing';

/**
 * A window's browser running on its intended profile: the profile made ready (the base one
 * checked, or a clone copied and checked), then the browser launched at its turn in the run's
 * launch queue. The launch queue's LaunchHeldBack goes through to the caller.
 */
export class WindowBringUp {
  constructor(private readonly parts: BringUpParts) {}

  /**
   * Profile ready and browser started. A clone copy that fails or fails VM-003 is made
   * again, a browser that fails to start is started again (on a new clone for a clone
   * window), each a remediation step within the start's budget (PROFILE-13).
   */
  async run(remediation: Remediation, options: { keepProfile?: boolean } = {}): Promise<void> {
    let prepare = !options.keepProfile;
    let step: RemediationStep | undefined;
    for (;;) {
      const failure = await this.attempt(prepare);
      if (!failure) {
        if (step) step.ok = true;
        return;
      }
      this.parts.log(`${failure.reason}; remediation: ${failure.step}`);
      step = remediation.begin(failure.step, failure.reason);
      prepare = true;
      await new Promise((r) => setTimeout(r, Math.min(500 * 2 ** (this.parts.record.remediation.length - 1), 5_000)));
    }
  }

  /** One attempt; returns what failed and the step that remedies it, or nothing when the browser is up. */
  private async attempt(prepare: boolean): Promise<{ step: RemediationStep['step']; reason: string } | undefined> {
    if (prepare) {
      this.enter('prepare');
      let checksum;
      try {
        checksum = await this.parts.profile.prepare();
      } catch (error) {
        if (!(error instanceof CloneError)) throw error;
        return { step: 're-clone-before-launch', reason: `clone copy failed (${error.message})` };
      }
      if (checksum) recordVerification(this.parts.record, checksum);
      if (checksum && !checksum.ok) {
        if (this.parts.kind === 'clone') return { step: 're-clone-before-launch', reason: `clone failed VM-003 (${checksum.detail})` };
        this.parts.record.diagnosis = `the base profile changed after the run's snapshot was taken (${checksum.detail}): another browser wrote to it; close every Edge window and start the run again`;
        throw new WindowVerificationError(this.parts.record);
      }
    }
    try {
      await this.launch();
    } catch (error) {
      if (!retryableLaunch(error)) throw error;
      return { step: this.parts.kind === 'clone' ? 're-clone' : 'restart-browser', reason: `the browser did not start (${error.summary})` };
    }
    return undefined;
  }

  private async launch(): Promise<void> {
    const profileDir = this.parts.record.profileDir;
    const firstOpening = this.parts.kind === 'base' && !this.parts.baseOpened.isSet();
    const expected = this.parts.kind === 'base' ? await this.parts.guard.beforeLaunch(firstOpening) : await persistentCookiesIn(profileDir);
    this.parts.record.profileCookies = { persistent: expected.length, hosts: [...new Set(expected.map((c) => c.host))].sort() };
    const release = await awaitLaunchTurn(this.parts.launches, { record: this.parts.record, save: this.parts.save, log: this.parts.log });
    this.enter('launch');
    const started = Date.now();
    let ctx;
    try {
      if (this.parts.kind === 'base') this.parts.baseOpened.set();
      ctx = await this.parts.cpu.measure('launch', () => this.parts.process.launch(this.parts.profile.userDataDir, this.parts.faults?.browserFor(this.parts.browser) ?? this.parts.browser));
    } finally {
      this.parts.record.launchSpans.push({ start: started, end: Date.now() });
      await release();
    }
    this.parts.record.timings.launchMs = Date.now() - started;
    if (this.parts.kind === 'base') await this.parts.guard.afterLaunch(ctx, expected, () => this.parts.process.close());
    await this.parts.faults?.afterLaunch(ctx);
    this.parts.save();
  }

  private enter(phase: StartPhase): void {
    this.parts.record.phase = phase;
    this.parts.save();
  }
}
