import type { FullResult } from '@playwright/test/reporter';
import { closingFile } from '../run-state/closing.js';
import type { RunState } from '../run-state/run-state.js';
import { JOB_EXIT } from '../shared/exit-codes.js';

/**
 * What a run ends with for a scheduler: its exit code (support/shared/exit-codes.ts) and the
 * line that explains it. Playwright turns the run's status into the exit code (passed → 0,
 * interrupted → 130, anything else → 1), so the job's reporters give it this status instead
 * of Playwright's own, which only counts failed tests: a LOCKED PO or a PO the run never
 * reached leaves no failed test and still remains to retry.
 */
export interface RunVerdict {
  status: FullResult['status'];
  exitCode: number;
  /** POs this run was given (after --grep, --shard) without a final outcome at its end. */
  toRetry: number;
  line: string;
}

export interface RunVerdictInput {
  /** The POs this run was given: the tests Playwright ran, after the command line's filters. */
  selected: ReadonlySet<string>;
  /** POs of the run's plan without a final outcome in the journal at the end of the run. */
  unsettled: readonly string[];
  /** Playwright's status of the run. */
  playwrightStatus: FullResult['status'];
}

export function runVerdict(input: RunVerdictInput): RunVerdict {
  const toRetry = input.unsettled.filter((id) => input.selected.has(id)).length;
  const again = 'run the same command again: finished POs are not redone';
  if (input.playwrightStatus === 'interrupted') {
    return {
      status: 'interrupted',
      exitCode: JOB_EXIT.interrupted,
      toRetry,
      line: `Interrupted with ${toRetry} PO(s) without a final outcome: ${again} (exit code ${JOB_EXIT.interrupted}).`,
    };
  }
  if (toRetry > 0) {
    return {
      status: 'failed',
      exitCode: JOB_EXIT.retryRemains,
      toRetry,
      line: `${toRetry} PO(s) remain to retry (FAILED, PARTIAL, TIMEOUT, LOCKED or not reached): ${again} (exit code ${JOB_EXIT.retryRemains}).`,
    };
  }
  return { status: 'passed', exitCode: JOB_EXIT.allFinal, toRetry, line: `Every PO of this run has a final outcome (exit code ${JOB_EXIT.allFinal}).` };
}

/**
 * The verdict of the run whose closing the teardown wrote, for the POs a reporter saw;
 * undefined when the run never got that far (then Playwright's own status stands).
 */
export function closedRunVerdict(state: RunState | undefined, selected: ReadonlySet<string> | undefined, playwrightStatus: FullResult['status']): RunVerdict | undefined {
  if (!state || !selected) return undefined;
  let closing;
  try {
    closing = closingFile.read(state.paths.closingFile);
  } catch {
    return undefined;
  }
  return closing ? runVerdict({ selected, unsettled: closing.unsettled, playwrightStatus }) : undefined;
}
