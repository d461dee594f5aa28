import { z } from 'zod';
import type { InputTable } from '../input/input-reader.js';
import type { JobPlan, PlannedPo } from '../input/job-plan.js';
import { stateFile } from './state-file.js';

/**
 * The list of POs this run processes, fixed once by the global setup and read by the runner
 * and every worker while they load the spec (Playwright requires every process to generate
 * the same tests, and the journal keeps changing while the run goes on); and the input as
 * the global setup read it, so the final report never reads and parses the input again.
 */
export interface FrozenPlan {
  inputFile: string;
  pos: PlannedPo[];
  /** POs of the input already settled in this run's journal (resumed run): not processed again. */
  alreadySettled: string[];
}

export interface ReportBasis {
  table: InputTable;
  plan: JobPlan;
}

export const plannedPoSchema: z.ZodType<PlannedPo> = z.object({
  id: z.string().min(1),
  poNumber: z.string().min(1),
  title: z.string().min(1),
  rowNumbers: z.array(z.number().int().positive()),
  hierarchy: z.array(z.string()).nullable(),
});

const delimiterSchema = z.enum([',', ';']);

const reportBasisSchema: z.ZodType<ReportBasis> = z.object({
  table: z.object({
    file: z.string(),
    format: z.enum(['csv', 'xlsx']),
    encoding: z.enum(['utf-8', 'utf-8-bom', 'windows-1252']),
    delimiter: delimiterSchema,
    headers: z.array(z.string()),
    rows: z.array(z.object({ rowNumber: z.number().int().positive(), values: z.array(z.string()) })),
    sha256: z.string(),
    warnings: z.array(z.string()),
  }),
  plan: z.object({
    inputFile: z.string(),
    inputSha256: z.string(),
    headers: z.array(z.string()),
    delimiter: delimiterSchema,
    pos: z.array(plannedPoSchema),
    invalidRows: z.array(z.object({ rowNumber: z.number().int().positive(), value: z.string(), message: z.string() })),
    completedRows: z.array(z.number().int().positive()),
    rowsByPo: z.record(z.string(), z.array(z.number().int().positive())),
  }),
});

const ADVICE = 'It is written by the job\'s global setup: start the job again with `npx playwright test`; a resumed run rewrites it.';

export const frozenPlanFile = stateFile<FrozenPlan>(
  z.object({ inputFile: z.string(), pos: z.array(plannedPoSchema), alreadySettled: z.array(z.string()) }),
  { what: 'the frozen list of POs', advice: ADVICE },
);

export const reportBasisFile = stateFile<ReportBasis>(reportBasisSchema, { what: 'the input as the run read it', advice: ADVICE });
