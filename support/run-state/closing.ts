import { z } from 'zod';
import { stateFile } from './state-file.js';

/**
 * What the end of the run has to say on the terminal, written by the job's teardown (which
 * runs before the reporters finish) for the job's reporter to print after its live display.
 */
export interface Closing {
  /** The run summary and the load governor's decisions, ready to print. */
  summary: string;
  /** What to do next (resume, merge the shards), or empty. */
  advice: string;
}

export const closingFile = stateFile<Closing>(z.object({ summary: z.string(), advice: z.string() }), {
  what: 'the end-of-run summary for the terminal',
  advice: 'The summary is also in run-summary.json in the run folder.',
});
