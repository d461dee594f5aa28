import fs from 'node:fs';
import path from 'node:path';
import { OperatorError } from '../../support/shared/operator-error.js';
import { runPaths } from '../../support/run-state/run-paths.js';
import { ALLURE_CATEGORIES, type AllureCategory } from '../../support/report/allure-categories.js';

/**
 * What `npm run report` works on: which Allure results folder, where the HTML report goes,
 * and the Allure 3 configuration that carries the run's categories into the report.
 */
export class ReportTargetError extends OperatorError {}

export interface ReportArgs {
  /** A run folder (`<DOWNLOAD_DIR>/<YYYYmmdd-HHhMM>_CoupaDownloads`), positional or `--run`. */
  run?: string;
  /** An Allure results folder given directly (`--results`); the report goes beside it. */
  results?: string;
  /** One self-contained index.html that opens by double-click and can be mailed. */
  singleFile: boolean;
  help: boolean;
}

export const REPORT_USAGE = `Usage: npm run report -- [<run folder>] [--run <run folder>] [--results <allure-results folder>] [--single-file]

Generates the Allure HTML report of a run into <run folder>/allure-report.
Without a folder, the newest run under DOWNLOAD_DIR is used.
  --single-file   one self-contained index.html (opens from disk, easy to share)`;

export function parseReportArgs(argv: string[]): ReportArgs {
  const args: ReportArgs = { singleFile: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined || next.startsWith('--')) throw new ReportTargetError(`${arg} needs a folder after it.`, REPORT_USAGE);
      return next;
    };
    if (arg === '--help' || arg === '-h') args.help = true;
    else if (arg === '--single-file') args.singleFile = true;
    else if (arg === '--run') args.run = value();
    else if (arg === '--results') args.results = value();
    else if (arg.startsWith('--')) throw new ReportTargetError(`Unknown option ${arg}.`, REPORT_USAGE);
    else if (args.run === undefined) args.run = arg;
    else throw new ReportTargetError(`Only one run folder can be given (got "${args.run}" and "${arg}").`, REPORT_USAGE);
  }
  if (args.run !== undefined && args.results !== undefined) {
    throw new ReportTargetError('Give either a run folder or --results, not both.', REPORT_USAGE);
  }
  return args;
}

const RUN_FOLDER = /_CoupaDownloads(-\d+)?$/;

export function countAllureResults(resultsDir: string): number {
  return fs.existsSync(resultsDir) ? fs.readdirSync(resultsDir).filter((f) => f.endsWith('-result.json')).length : 0;
}

/** The run folder under `downloadDir` whose Allure results were written last (a resumed run counts by its latest write). */
export function newestRunFolder(downloadDir: string): string | undefined {
  if (!fs.existsSync(downloadDir)) return undefined;
  return fs
    .readdirSync(downloadDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && RUN_FOLDER.test(d.name))
    .map((d) => path.join(downloadDir, d.name))
    .filter((dir) => countAllureResults(runPaths(dir).allureResultsDir) > 0)
    .map((dir) => ({ dir, written: fs.statSync(runPaths(dir).allureResultsDir).mtimeMs }))
    .sort((a, b) => b.written - a.written || b.dir.localeCompare(a.dir))[0]?.dir;
}

export interface ReportTarget {
  resultsDir: string;
  outputDir: string;
  /** Shown as the report's name: the run folder's name. */
  name: string;
}

/**
 * Resolves the folders to work on; `downloadDir` is asked only when no folder was given,
 * so a report can be made on a machine without the job's settings.
 */
export function resolveReportTarget(args: ReportArgs, cwd: string, downloadDir: () => string): ReportTarget {
  if (args.results !== undefined) {
    const resultsDir = path.resolve(cwd, args.results);
    return checked({ resultsDir, outputDir: path.join(path.dirname(resultsDir), 'allure-report'), name: path.basename(path.dirname(resultsDir)) });
  }
  let runRoot: string;
  if (args.run !== undefined) {
    runRoot = path.resolve(cwd, args.run);
    if (!fs.existsSync(runRoot) || !fs.statSync(runRoot).isDirectory()) {
      throw new ReportTargetError(`Run folder ${runRoot} does not exist.`, 'Give a run folder such as downloads/20250101-09h30_CoupaDownloads, or none for the newest run.');
    }
  } else {
    const dir = downloadDir();
    const newest = newestRunFolder(dir);
    if (!newest) {
      throw new ReportTargetError(
        `No run folder with Allure results under ${dir} (DOWNLOAD_DIR).`,
        'Run the job first (npx playwright test), or give the run folder: npm run report -- <run folder>.',
      );
    }
    runRoot = newest;
  }
  return checked({ resultsDir: runPaths(runRoot).allureResultsDir, outputDir: runPaths(runRoot).allureReportDir, name: path.basename(runRoot) });
}

function checked(target: ReportTarget): ReportTarget {
  if (countAllureResults(target.resultsDir) === 0) {
    throw new ReportTargetError(
      `${target.resultsDir} holds no Allure test results (*-result.json).`,
      'The run may have stopped before any PO was processed; run the job again, then npm run report.',
    );
  }
  return target;
}

/** The run's own categories (written with its results), so the report classifies by the rules the run was made with. */
export function readCategories(resultsDir: string): AllureCategory[] {
  const file = path.join(resultsDir, 'categories.json');
  if (!fs.existsSync(file)) return [...ALLURE_CATEGORIES];
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
    if (Array.isArray(parsed)) return parsed as AllureCategory[];
  } catch {
    // fall through to the error below
  }
  throw new ReportTargetError(`${file} is not a list of Allure categories.`, 'Delete the file to use the built-in categories, or fix its JSON.');
}

/** Allure 3 configuration (allurerc.json) for the awesome report of one run. */
export function allureReportConfig(target: ReportTarget, options: { singleFile: boolean; categories: AllureCategory[] }) {
  return {
    name: `Coupa downloads ${target.name}`,
    output: target.outputDir,
    categories: options.categories,
    plugins: {
      awesome: {
        options: {
          reportName: `Coupa downloads ${target.name}`,
          singleFile: options.singleFile,
          groupBy: ['parentSuite', 'suite', 'subSuite'],
        },
      },
    },
  };
}
