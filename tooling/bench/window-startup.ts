import type { WindowRecord } from '../../support/window/browser-window.js';

/**
 * Per-window start-up as the windows recorded it (`<runRoot>/.run-state/windows/*.json`):
 * clone + launch + verify, the figures PR-003 / NFR-001 set targets for.
 */
export interface WindowStartup {
  window: string;
  workerIndex: number;
  kind: WindowRecord['kind'];
  state: WindowRecord['state'];
  slotWaitMs: number;
  cloneMs: number;
  cloneBytes: number | undefined;
  cloneFiles: number | undefined;
  cloneMethod: string | undefined;
  launchMs: number;
  verifyMs: number;
  /** From the start of the window fixture to verified (includes waiting for a clone slot). */
  totalStartMs: number;
  posDone: number;
  posFailed: number;
  startedAt: string;
}

/** The parts of a window record the benchmark reads (fields the record gains later do not matter here). */
export interface StartupFields extends Pick<WindowRecord, 'window' | 'workerIndex' | 'kind' | 'state' | 'posDone' | 'posFailed' | 'startedAt' | 'userDataDir'> {
  timings: Pick<WindowRecord['timings'], 'slotWaitMs' | 'cloneMs' | 'launchMs' | 'verifyMs' | 'totalStartMs'>;
  clone?: Pick<NonNullable<WindowRecord['clone']>, 'method' | 'bytes' | 'files'>;
}

export function startupOf(record: StartupFields): WindowStartup {
  return {
    window: record.window,
    workerIndex: record.workerIndex,
    kind: record.kind,
    state: record.state,
    slotWaitMs: record.timings.slotWaitMs,
    cloneMs: record.timings.cloneMs,
    cloneBytes: record.clone?.bytes,
    cloneFiles: record.clone?.files,
    cloneMethod: record.clone?.method,
    launchMs: record.timings.launchMs,
    verifyMs: record.timings.verifyMs,
    totalStartMs: record.timings.totalStartMs,
    posDone: record.posDone,
    posFailed: record.posFailed,
    startedAt: record.startedAt,
  };
}
