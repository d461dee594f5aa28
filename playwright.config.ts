import { defineConfig } from '@playwright/test';
import { exitOnOperatorError, exitWithOperatorError, OperatorError, RUN_NOT_STARTED } from './support/shared/operator-error.js';
import { stopWhenGrepSelectsNothing } from './support/run/grep-selection.js';
import { claimRunFolder, resolveRunFolder } from './support/run-state/run-folder.js';
import { RunLog } from './support/progress/run-log.js';
import { RunState } from './support/run-state/run-state.js';
import { loadSettings } from './support/settings.js';
import { inputFingerprint } from './support/input/read-input.js';

/**
 * The download job. `npx playwright test --workers=3` runs it: every PO of the input is a
 * test, every worker a browser window. The project's own test suite has its own config
 * (tests/playwright.config.ts, `npm test`), so the two never mix.
 *
 * This file is evaluated by the runner and again by every worker; the run folder is
 * decided once by the runner and handed to the workers through the environment.
 * `--list` only lists the POs: it creates no run folder and no report.
 */
const listOnly = process.argv.includes('--list');
/** The job's one spec file: Playwright's --grep matches it as part of every PO test's title path. */
const SPEC_FILE = 'download-purchase-orders.spec.ts';
const settings = exitOnOperatorError(() => loadSettings(), RUN_NOT_STARTED);

/** The runner decides the run folder; `--grep` that selects nothing stops it before anything is created. */
async function decideRun(): Promise<RunState> {
  const request = exitOnOperatorError(
    () => ({ downloadDir: settings.downloadDir, inputSha256: inputFingerprint(settings.inputCsv), inputFile: settings.inputCsv }),
    RUN_NOT_STARTED,
  );
  if (listOnly) return new RunState(resolveRunFolder(request));
  await stopWhenGrepSelectsNothing({ argv: process.argv, inputFile: settings.inputCsv, resumes: resolveRunFolder(request), specFile: SPEC_FILE }).catch((error: unknown) => {
    if (error instanceof OperatorError) exitWithOperatorError(error, 'Nothing was started: no run folder, no profile snapshot, no browser window.');
    throw error;
  });
  const decided = new RunState(exitOnOperatorError(() => claimRunFolder(request), RUN_NOT_STARTED));
  decided.publish();
  RunLog.install(decided.paths.runLogFile, { quiet: settings.quiet });
  return decided;
}
const state = RunState.published() ?? (await decideRun());

const sharded = process.argv.some((arg) => arg === '--shard' || arg.startsWith('--shard='));

export default defineConfig({
  testDir: './specs',
  fullyParallel: true,
  workers: settings.workers,
  retries: settings.infraRetries,
  timeout: settings.poTimeoutMs,
  globalSetup: './support/run/job-global-setup.ts',
  outputDir: state.paths.testOutputDir,
  // Kept, so that traces of passed POs (--trace on) reach the HTML report; the job's fixtures
  // remove the folders that stay empty.
  preserveOutput: 'always',
  reporter: listOnly
    ? [['list']]
    : [
        // First: turns FAILED/PARTIAL/TIMEOUT POs into failed tests for every reporter after it.
        ['./reporters/po-outcome-reporter.ts'],
        ['html', { outputFolder: state.paths.htmlReportDir, open: 'never' }],
        // A shard (--shard=k/n, one machine of several) also keeps a blob report for `npm run merge-shards`.
        ...(sharded ? [['blob', { outputDir: state.paths.blobReportDir }] as ['blob', object]] : []),
        ['allure-playwright', { resultsDir: state.paths.allureResultsDir, detail: false, suiteTitle: false }],
        ['./reporters/job-reporter.ts'],
      ],
  // Playwright's own options, so that --headed and --trace mean what they mean in Playwright:
  // the windows read `headless`, and Playwright records a trace of every context of the
  // worker, the job's persistent windows included (traces hold the Coupa session: README ›
  // Security). The job takes a screenshot of a PO whose attempt failed itself.
  use: { headless: settings.headless, trace: settings.trace ? 'retain-on-failure' : 'off', screenshot: 'off', video: 'off' },
});
