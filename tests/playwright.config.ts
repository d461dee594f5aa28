import { defineConfig } from '@playwright/test';

/**
 * The project's own test suite (`npm test`). Kept apart from the download job
 * (`npx playwright test`, root playwright.config.ts) so running the job never runs
 * these tests and vice versa. End-to-end tests start the job as a child process with
 * its own simulator, profile and download folder, so they run one at a time: each one
 * already drives several browser windows.
 */
export default defineConfig({
  testDir: '.',
  globalSetup: './suite-setup.ts',
  timeout: 120_000,
  workers: 2,
  retries: 0,
  forbidOnly: true,
  reporter: [['list'], ['json', { outputFile: '../test-results/suite-results.json' }]],
  outputDir: '../test-results/artifacts',
  projects: [
    { name: 'unit', testDir: './unit' },
    { name: 'e2e', testDir: './e2e', workers: 1, timeout: 300_000 },
  ],
});
