import fs from 'node:fs';
import { readInput } from '../input/read-input.js';
import { buildJobPlan, type JobPlan, type PlannedPo } from '../input/job-plan.js';
import { ResultJournal, journalEntryIsSettled } from '../output/journal.js';

/**
 * The list of POs this run processes, fixed once by the global setup and read by the
 * runner and every worker while they load the spec: Playwright requires every process to
 * generate the same tests, and the journal keeps changing while the run goes on.
 */
export interface FrozenPlan {
  inputFile: string;
  pos: PlannedPo[];
  /** POs of the input already settled in this run's journal (resumed run): not processed again. */
  alreadySettled: string[];
}

export const PLAN_FILE_ENV = 'COUPA_PLAN_FILE';

export function freezePlan(plan: JobPlan, journalFile: string, planFile: string): FrozenPlan {
  const journal = ResultJournal.read(journalFile);
  const settled = new Set([...journal.results.values()].filter(journalEntryIsSettled).map((r) => r.id));
  const frozen: FrozenPlan = {
    inputFile: plan.inputFile,
    pos: plan.pos.filter((po) => !settled.has(po.id)),
    alreadySettled: plan.pos.filter((po) => settled.has(po.id)).map((po) => po.id),
  };
  fs.writeFileSync(planFile, JSON.stringify(frozen));
  return frozen;
}

/**
 * Outside a run (`--list`, editor integrations) there is no frozen plan: the POs of the
 * input are listed as they are.
 */
export async function loadFrozenPlan(inputFile: string, env: NodeJS.ProcessEnv = process.env): Promise<FrozenPlan> {
  const planFile = env[PLAN_FILE_ENV];
  if (planFile) return JSON.parse(fs.readFileSync(planFile, 'utf8')) as FrozenPlan;
  return { inputFile, pos: buildJobPlan(await readInput(inputFile)).pos, alreadySettled: [] };
}
