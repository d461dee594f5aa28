import type { Page } from '@playwright/test';
import type { ResolvedBrowser } from '../profile/browser-launch.js';
import type { BaseProfile } from '../profile/profile-locator.js';
import type { Settings } from '../settings.js';
import type { BrowserCdp } from './browser-cdp.js';
import { verifyIntrospection } from './browser-introspection.js';
import { diagnoseVerificationFailure } from './failure-diagnosis.js';
import { verifySession, type MethodResult } from './profile-verifier.js';
import type { Remediation } from './remediation.js';
import type { CpuLedger } from './window-cpu.js';
import type { WindowLog } from './window-identity.js';
import { recordVerification, WindowVerificationError, type ProfileKind, type RemediationStepName, type WindowRecord, type WindowRecordSink } from './window-record.js';

export type LadderSettings = Pick<Settings, 'verifyMethods' | 'verifyRetries' | 'pageTimeoutMs' | 'coupaBaseUrl' | 'verifyPath'>;

/** What each rung of the ladder does to the window; the window owns its browser and profile. */
export interface LadderActions {
  /** A fresh tab in the same browser. */
  reload(): Promise<void>;
  /** A new clone of the snapshot and a new browser on it (clones only). */
  reClone(): Promise<void>;
  /** The same profile in a new browser. */
  restartBrowser(): Promise<void>;
  /** The page the checks run in, once the browser is up. */
  page(): Page;
  /** The running browser's DevTools session. */
  cdp(): BrowserCdp | undefined;
  /** The user data folder the browser runs on now. */
  userDataDir(): string;
}

export interface LadderOptions {
  settings: LadderSettings;
  kind: ProfileKind;
  letter: string;
  base: BaseProfile;
  browser: ResolvedBrowser;
  record: WindowRecord;
  records: WindowRecordSink;
  save: () => void;
  log: WindowLog;
  cpu: CpuLedger;
}

/**
 * The browser-side proofs (VM-002 introspection, VM-001 session) and, when they fail, the
 * remediation ladder of this window alone (PROFILE-13): retry the checks, reload, re-clone (a
 * clone), restart the browser, each step within the start's budget, diagnosed for the operator.
 */
export class VerificationLadder {
  constructor(private readonly options: LadderOptions) {}

  async verify(remediation: Remediation, actions: LadderActions): Promise<void> {
    const { record, log } = this.options;
    let results = await this.runChecks(actions);
    const ladder = this.steps();
    for (let rung = 0; results.some((r) => !r.ok); rung++) {
      const failed = results.filter((r) => !r.ok);
      const reason = failed.map((r) => `${r.method}: ${r.detail}`).join('; ');
      record.diagnosis = await diagnoseVerificationFailure({
        kind: this.options.kind,
        failed,
        base: this.options.base,
        browser: this.options.browser,
        otherWindows: this.options.records.others(this.options.letter),
      });
      const step = ladder[Math.min(rung, ladder.length - 1)];
      let entry;
      try {
        entry = remediation.begin(step, reason);
      } catch (error) {
        if (error instanceof WindowVerificationError) log(`verification failed and the remediation budget is spent: ${reason}`);
        throw error;
      }
      log(`verification failed (${reason}); remediation step ${rung + 1}: ${step}`);
      await this.remediate(step, actions);
      results = await this.runChecks(actions);
      entry.ok = results.every((r) => r.ok);
      this.options.save();
    }
  }

  private steps(): RemediationStepName[] {
    const retries: RemediationStepName[] = Array(this.options.settings.verifyRetries).fill('retry-verification');
    return [...retries, 'reload', ...(this.options.kind === 'clone' ? (['re-clone'] as const) : []), 'restart-browser'];
  }

  private async remediate(step: RemediationStepName, actions: LadderActions): Promise<void> {
    switch (step) {
      case 'retry-verification':
        await new Promise((r) => setTimeout(r, 500));
        return;
      case 'reload':
        return actions.reload();
      case 're-clone':
        return actions.reClone();
      case 'restart-browser':
        return actions.restartBrowser();
    }
  }

  private async runChecks(actions: LadderActions): Promise<MethodResult[]> {
    const { settings, record, cpu, base } = this.options;
    const started = Date.now();
    const timeoutMs = settings.pageTimeoutMs;
    const results: MethodResult[] = [];
    if (settings.verifyMethods.includes('introspection')) {
      const cdp = actions.cdp();
      const target = { userDataDir: actions.userDataDir(), profileName: base.profileName };
      results.push(
        cdp
          ? await cpu.measure('introspection', () => verifyIntrospection(cdp, target))
          : { method: 'introspection', ok: false, detail: 'the browser cannot be reached over CDP to ask for its command line', durationMs: 0 },
      );
    }
    if (settings.verifyMethods.includes('session')) {
      const page = actions.page();
      results.push(await cpu.measure('session', () => verifySession(page, { baseUrl: settings.coupaBaseUrl, verifyPath: settings.verifyPath, timeoutMs })));
    }
    results.forEach((r) => recordVerification(record, r));
    record.attempts++;
    record.timings.verifyMs += Date.now() - started;
    this.options.save();
    return results;
  }
}
