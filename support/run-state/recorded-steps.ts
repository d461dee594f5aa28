import { z } from 'zod';

/**
 * The report steps of a PO processed by a window on behalf of another one (a hand-over),
 * kept with its result so that the PO's own test, in the window that handed it over, shows
 * them as its steps, and the serving window's test does not.
 */
export interface RecordedStep {
  title: string;
  status: 'passed' | 'failed';
  /** Why the step failed, as its error said (already fit for a report). */
  error?: string;
  durationMs: number;
  steps: RecordedStep[];
}

export const recordedStepsSchema: z.ZodType<RecordedStep[]> = z.array(
  z.lazy(
    (): z.ZodType<RecordedStep> =>
      z.object({
        title: z.string(),
        status: z.enum(['passed', 'failed']),
        error: z.string().optional(),
        durationMs: z.number().nonnegative(),
        steps: recordedStepsSchema,
      }),
  ),
);
