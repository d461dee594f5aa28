import path from 'node:path';
import { defineConfig } from '@playwright/test';
import { exitOnOperatorError, RUN_NOT_STARTED } from './support/shared/operator-error.js';
import { claimRunLocation, publishedRunLocation, publishRunLocation, resolveRunLocation } from './support/run/run-location.js';
import { loadSettings } from './support/settings.js';
import { inputFingerprint } from './support/input/read-input.js';

/**
 * The download job. `npx playwright test --workers=3` runs it: every PO of the input is a
 * test, every worker a browser window. The project's own test suite has its own config
 * (tests/playwright.config.ts, `npm test`), so the two never mix.
 *
 * This file is evaluated by the runner and again by every worker; the run folder is
 * decided once by the runner and handed to the workers through the environment.
 */
const settings = exitOnOperatorError(() => loadSettings(), RUN_NOT_STARTED);
const location = exitOnOperatorError(() => {
  const published = publishedRunLocation();
  if (published) return published;
  const request = { downloadDir: settings.downloadDir, inputSha256: inputFingerprint(settings.inputCsv), inputFile: settings.inputCsv };
  // Listing the tests must not create a run folder.
  const resolved = process.argv.includes('--list') ? resolveRunLocation(request) : claimRunLocation(request);
  publishRunLocation(resolved);
  return resolved;
}, RUN_NOT_STARTED);

const sharded = process.argv.some((arg) => arg === '--shard' || arg.startsWith('--shard='));

export default defineConfig({
  testDir: './specs',
  fullyParallel: true,
  workers: settings.workers,
  retries: settings.infraRetries,
  timeout: settings.poTimeoutMs,
  globalSetup: './support/run/job-global-setup.ts',
  outputDir: path.join(location.stateDir, 'test-output'),
  preserveOutput: 'failures-only',
  // Ours last: its end-of-run work reads what the Allure reporter has written.
  reporter: [
    ['./reporters/po-outcome-reporter.ts'], // first: turns FAILED/PARTIAL/TIMEOUT POs into failed tests for every reporter after it
    ['html', { outputFolder: location.htmlReportDir, open: 'never' }],
    // A shard (--shard=k/n, one machine of several) also keeps a blob report for `npm run merge-shards`.
    ...(sharded ? [['blob', { outputDir: path.join(location.runRoot, 'blob-report') }] as ['blob', object]] : []),
    ['allure-playwright', { resultsDir: location.allureResultsDir, detail: false, suiteTitle: false }],
    ['./reporters/job-reporter.ts'],
  ],
  // The windows are the job's own persistent contexts: screenshots of failed POs and traces
  // (TRACE=true only; they capture the Coupa session) are taken by the job fixtures.
  use: { trace: 'off', screenshot: 'off', video: 'off' },
});
