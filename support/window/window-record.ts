import { OperatorError } from '../shared/operator-error.js';
import type { BaseProfile } from '../profile/profile-locator.js';
import type { MethodResult } from './profile-verifier.js';
import { workerSeconds, type WindowCpu } from './window-cpu.js';
import type { WindowRound } from './window-rounds.js';

/**
 * What one window instance did to become usable and what it did after, as the run summary,
 * the Allure "Windows" suite and the failure diagnosis of other windows read it. Kept up to
 * date on disk while the window runs (a worker killed mid-run still leaves its record).
 */
export type ProfileKind = 'base' | 'clone';
export type RemediationStepName = 'retry-verification' | 'reload' | 're-clone' | 'restart-browser';

export interface RemediationStep {
  step: RemediationStepName | 're-clone-before-launch' | 'restore-cookies-before-launch';
  /** When the step started. */
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
  /**
   * While starting: what the window is doing. Only `launch-queue` costs nothing (waiting for
   * its turn to launch); the load governor leaves samples out while a window is in any other.
   */
  phase?: StartPhase;
  verification: MethodResult[];
  /** Verification rounds run (1 when the first round passed). */
  attempts: number;
  remediation: RemediationStep[];
  diagnosis?: string;
  /** `slotWaitMs`: waits for a clone slot; `launchWaitMs`: waits in the launch queue (both over the record's life). */
  timings: { slotWaitMs: number; cloneMs: number; launchWaitMs: number; launchMs: number; verifyMs: number; totalStartMs: number };
  /** `slotLimit`: how many clone copies the run allowed at once (MAX_CONCURRENT_CLONES, by default the run's window count). */
  clone?: { method: string; bytes: number; files: number; slotLimit: number };
  cookieGuard?: { rowsBefore: number; cookiesAfterLaunch: number; dropped: boolean; restored: boolean };
  /** Window A: the copy of the base profile's cookie store taken before its first opening in this run (kept after the run). */
  cookieBackup?: string;
  /** One entry per start of the browser (first start, back after parking), each with its own verification. */
  rounds?: WindowRound[];
  /** Times the load governor parked this window (browser closed) and when it came back. */
  parkings: { from: string; until?: string }[];
  /** Times the load governor held this window back before its browser launched (nothing to close), and when it let it start. */
  heldBeforeLaunch: { from: string; until?: string }[];
  /** When each clone copy held its slot (ms since the epoch), to show the clone throttle at work. */
  cloneSpans: { start: number; end: number }[];
  /** When each browser launch held its launch slot (ms since the epoch), to show the launch queue at work. */
  launchSpans: { start: number; end: number }[];
  /** CPU-seconds by phase (browser and worker side), for the benchmark. */
  cpu?: WindowCpu;
  /** Persistent cookies of the profile at launch, by host (proves a clone carries the base profile's sign-in). */
  profileCookies?: { persistent: number; hosts: string[] };
  browser: string;
  /** As the browser reports it over the DevTools protocol (introspection, VM-002). */
  browserVersion?: string;
  posDone: number;
  posFailed: number;
  error?: string;
  startedAt: string;
  endedAt?: string;
}

export type StartPhase = 'prepare' | 'launch-queue' | 'launch' | 'verify';

/** A window instance's record as it begins: the base window knows its profile folder at once, a clone once it is copied. */
export function newWindowRecord(window: { letter: string; parallelIndex: number; workerIndex: number; kind: ProfileKind; base: BaseProfile; browser: string }): WindowRecord {
  const { kind, base } = window;
  return {
    window: window.letter,
    parallelIndex: window.parallelIndex,
    workerIndex: window.workerIndex,
    pid: process.pid,
    kind,
    userDataDir: kind === 'base' ? base.userDataDir : '',
    profileDir: kind === 'base' ? base.profileDir : '',
    state: 'starting',
    verification: [],
    attempts: 0,
    remediation: [],
    parkings: [],
    heldBeforeLaunch: [],
    cloneSpans: [],
    launchSpans: [],
    timings: { slotWaitMs: 0, cloneMs: 0, launchWaitMs: 0, launchMs: 0, verifyMs: 0, totalStartMs: 0 },
    cpu: { workerStartS: Math.round(workerSeconds() * 1000) / 1000, phases: {} },
    browser: window.browser,
    posDone: 0,
    posFailed: 0,
    startedAt: new Date().toISOString(),
  };
}

/** Keeps a method's latest result (and the browser version introspection read) in the record. */
export function recordVerification(record: WindowRecord, result: MethodResult): void {
  const { browserVersion, ...kept } = result;
  if (browserVersion) record.browserVersion = browserVersion;
  record.verification = [...record.verification.filter((v) => v.method !== result.method), kept];
}

/** A window that could not be proven to run on its intended, signed-in profile; it stops taking POs. */
export class WindowVerificationError extends OperatorError {
  /** `spent`: why no further remediation step was taken; `lastFailure`: what failed when no verification method had. */
  constructor(readonly record: WindowRecord, spent?: string, lastFailure?: string) {
    const failed = record.verification.filter((v) => !v.ok).map((v) => `${v.method}: ${v.detail}`);
    super(
      `Window ${record.window} (${record.kind} profile ${record.profileDir}) could not be verified after ` +
        `${record.attempts} round(s) and ${record.remediation.length} remediation step(s)${spent ? ` (${spent})` : ''}: ` +
        (failed.length ? failed.join('; ') : (lastFailure ?? 'no verification method passed')),
      record.diagnosis ?? 'See the window summary for each verification method and remediation step.',
    );
  }
}

/** A fact of the run a window needs to know across worker restarts (e.g. "window A has opened the base profile"). */
export interface RunMarker {
  isSet(): boolean;
  set(): void;
}

/** Where a window keeps its record and finds the other windows' records; wired by the fixtures. */
export interface WindowRecordSink {
  save(record: WindowRecord): void;
  /** The records of the run's other windows, to tell "only this window fails" from "every window fails". */
  others(self: string): WindowRecord[];
}
