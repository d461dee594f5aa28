import path from 'node:path';
import { buildJobPlan, type PlannedPo } from '../input/job-plan.js';
import { readInput } from '../input/read-input.js';
import { settledIds } from '../run-state/journal.js';
import type { RunHandle } from '../run-state/run-handle.js';
import { runPaths } from '../run-state/run-paths.js';
import { JOB_EXIT } from '../shared/exit-codes.js';
import { OperatorError } from '../shared/operator-error.js';
import { commandLineOption } from './command-line.js';

/**
 * `--grep` and `--grep-invert` as Playwright applies them to the job's tests, known before
 * the run starts. Playwright loads the tests only after the global setup has taken the
 * profile snapshot, so a pattern that matches no PO would otherwise cost a snapshot and a
 * run folder before Playwright says "No tests found". When in doubt (a pattern that is no
 * valid regular expression), a PO counts as selected: the run then starts and Playwright
 * itself decides, as it always did.
 */
export interface GrepFilter {
  grep?: string;
  grepInvert?: string;
}

/** The filter on Playwright's command line, or undefined. */
export function grepFilterIn(argv: readonly string[]): GrepFilter | undefined {
  const grep = commandLineOption(argv, '--grep', '-g');
  const grepInvert = commandLineOption(argv, '--grep-invert', '-G');
  if (grep === undefined && grepInvert === undefined) return undefined;
  return { ...(grep !== undefined ? { grep } : {}), ...(grepInvert !== undefined ? { grepInvert } : {}) };
}

/** Playwright's reading of a pattern: `/source/flags`, or the text as a case-insensitive expression. */
function patternOf(text: string): RegExp | undefined {
  try {
    const literal = /^\/(.*)\/([gi]*)$/s.exec(text);
    return literal ? new RegExp(literal[1]!, literal[2]) : new RegExp(text, 'gi');
  } catch {
    return undefined;
  }
}

const matches = (pattern: RegExp, text: string) => {
  pattern.lastIndex = 0;
  return pattern.test(text);
};

/**
 * The POs whose test the filter keeps. Playwright matches a test by its title path joined
 * with spaces: the unnamed project, the spec file, the test's title.
 */
export function selectedByGrep(pos: readonly PlannedPo[], filter: GrepFilter, specFile: string): PlannedPo[] {
  const grep = filter.grep === undefined ? undefined : patternOf(filter.grep);
  const invert = filter.grepInvert === undefined ? undefined : patternOf(filter.grepInvert);
  if ((filter.grep !== undefined && !grep) || (filter.grepInvert !== undefined && !invert)) return [...pos];
  return pos.filter((po) => {
    const title = ['', specFile, po.title].join(' ');
    return (!grep || matches(grep, title)) && !(invert && matches(invert, title));
  });
}

export function describeGrep(filter: GrepFilter): string {
  return [
    ...(filter.grep !== undefined ? [`--grep "${filter.grep}"`] : []),
    ...(filter.grepInvert !== undefined ? [`--grep-invert "${filter.grepInvert}"`] : []),
  ].join(' with ');
}

export class GrepSelectsNothingError extends OperatorError {}

/**
 * Before the run folder and the snapshot: with `--grep`/`--grep-invert` on the command line,
 * a filter that selects no PO of the input stops the run (exit code 2), and one whose POs are
 * all done already in the run this input resumes ends it (exit code 0). An input that cannot
 * be read is left to the global setup, which reports it as it reports every input problem.
 */
export async function stopWhenGrepSelectsNothing(options: { argv: readonly string[]; inputFile: string; resumes: RunHandle; specFile: string }): Promise<void> {
  const filter = grepFilterIn(options.argv);
  if (!filter) return;
  let pos: PlannedPo[];
  try {
    pos = buildJobPlan(await readInput(options.inputFile)).pos;
  } catch (error) {
    if (error instanceof OperatorError) return;
    throw error;
  }
  const selected = selectedByGrep(pos, filter, options.specFile);
  if (selected.length === 0) {
    const example = pos[0] ? ` (a PO's test is named after its number, e.g. "${pos[0].title}")` : '';
    throw new GrepSelectsNothingError(
      `${describeGrep(filter)} matches none of the ${pos.length} PO(s) of ${path.resolve(options.inputFile)}${example}.`,
      'Check the PO number or pattern; `npx playwright test --list` lists every PO of the input.',
    );
  }
  const settled = options.resumes.resumed ? settledIds(runPaths(options.resumes.runRoot).journalFile) : new Set<string>();
  if (selected.every((po) => settled.has(po.id))) {
    process.stdout.write(
      `Nothing to process: the ${selected.length} PO(s) ${describeGrep(filter)} selects are already done in ${options.resumes.runRoot}; no browser was started.\n`,
    );
    process.exit(JOB_EXIT.allFinal);
  }
}
