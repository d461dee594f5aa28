import { z } from 'zod';
import { stateFile } from './state-file.js';

/**
 * What the end of the run has to say, written by the job's teardown (which runs before the
 * reporters finish) for the job's reporters: the summary to print after the live display,
 * and which POs of the run have no final outcome, from which they decide the run's exit code.
 */
export interface Closing {
  /** The run summary and the load governor's decisions, ready to print. */
  summary: string;
  /** What to do next when the run was one shard of several, or empty. */
  shardAdvice: string;
  /** POs of the run's plan whose journal entry is missing or not final (FAILED, PARTIAL, TIMEOUT, LOCKED). */
  unsettled: string[];
}

export const closingFile = stateFile<Closing>(z.object({ summary: z.string(), shardAdvice: z.string(), unsettled: z.array(z.string()) }), {
  what: 'the end-of-run summary for the terminal',
  advice: 'The summary is also in run-summary.json in the run folder.',
});
