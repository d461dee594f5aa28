import type { InputTable } from '../input/input-reader.js';
import { buildJobPlan, type JobPlan } from '../input/job-plan.js';
import { readInput } from '../input/read-input.js';
import { settledIds } from '../run-state/journal.js';
import { frozenPlanFile, reportBasisFile, type FrozenPlan } from '../run-state/plan-files.js';
import { RunState } from '../run-state/run-state.js';

/**
 * Fixes the list of POs this run processes (every PO of the input not already settled in
 * the run's journal) and keeps the input as read, for the final report.
 */
export function freezePlan(state: RunState, table: InputTable, plan: JobPlan): FrozenPlan {
  const settled = settledIds(state.paths.journalFile);
  const frozen: FrozenPlan = {
    inputFile: plan.inputFile,
    pos: plan.pos.filter((po) => !settled.has(po.id)),
    alreadySettled: plan.pos.filter((po) => settled.has(po.id)).map((po) => po.id),
  };
  reportBasisFile.write(state.paths.reportBasisFile, { table, plan });
  frozenPlanFile.write(state.paths.planFile, frozen);
  return frozen;
}

/**
 * The POs every process of a run generates tests for. Outside a run (`--list`, editor
 * integrations) there is no frozen plan: the POs of the input are listed as they are.
 */
export async function loadFrozenPlan(inputFile: string): Promise<FrozenPlan> {
  const state = RunState.published();
  if (state?.isPrepared) return frozenPlanFile.require(state.paths.planFile);
  return { inputFile, pos: buildJobPlan(await readInput(inputFile)).pos, alreadySettled: [] };
}
