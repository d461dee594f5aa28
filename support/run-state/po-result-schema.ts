import { z } from 'zod';
import { PO_STATUSES, type PoResult } from '../po-result.js';

/**
 * A PO's result as every process writes and reads it (journal, settled results, hand-backs).
 * Fields added after the first journals were written have defaults, so an older journal resumes.
 */
export const poResultSchema: z.ZodType<PoResult> = z.object({
  id: z.string().min(1),
  poNumber: z.string(),
  status: z.enum(PO_STATUSES),
  supplier: z.string(),
  attachmentsFound: z.number().int().nonnegative(),
  attachmentsDownloaded: z.number().int().nonnegative(),
  files: z.array(z.object({ name: z.string(), bytes: z.number().nonnegative(), sha256: z.string(), source: z.enum(['PO', 'PR']) })),
  convertedPdfs: z.array(z.string()).default([]),
  finishedAt: z.string(),
  errorMessage: z.string(),
  downloadFolder: z.string(),
  coupaUrl: z.string(),
  window: z.string().default(''),
  durationMs: z.number().nonnegative().default(0),
});

/** A PO result as JSON text (a test's attachment, an Allure attachment file), or undefined when it is not one. */
export function parsePoResult(text: string): PoResult | undefined {
  try {
    const parsed = poResultSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
