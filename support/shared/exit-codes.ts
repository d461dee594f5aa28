/**
 * What the job's exit code tells a scheduler (Windows Task Scheduler, cron): documented in
 * the README. The job's reporters hand Playwright the run's status these follow from
 * (support/run/run-verdict.ts); 1 and 130 are also what Playwright itself returns for a
 * failed or interrupted run, and 2 is the job's own, before any browser starts.
 */
export const JOB_EXIT = {
  /** Every PO has a final outcome (COMPLETED, NO_ATTACHMENTS, PO_NOT_FOUND, PR_NOT_ACCESSIBLE, INVALID_PO_NUMBER). */
  allFinal: 0,
  /** Some POs remain to retry (FAILED, PARTIAL, TIMEOUT, LOCKED, or not reached): run the same command again. */
  retryRemains: 1,
  /** The run could not start (settings, input, browser, profile): nothing was processed. */
  notStarted: 2,
  /** Stopped by Ctrl+C or a signal: run the same command again to resume. */
  interrupted: 130,
} as const;
