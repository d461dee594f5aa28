import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { runPaths } from '../../support/run-state/run-paths.js';
import { fixtureCatalogue, inputCsvText } from '../../tooling/simulator/index.js';
import { createJobHarness, processesMentioning, type JobHarness } from './helpers/job-harness.js';
import { htmlReportTests } from './helpers/report-data.js';
import { ensureDisplay } from './helpers/virtual-display.js';

/**
 * Playwright's options mean on the job what they mean in Playwright, although the windows
 * are the job's own persistent contexts: --headed shows them, --trace keeps traces in the
 * reports, --timeout is the time limit of each PO's test. Each through the real command line.
 */
const some = fixtureCatalogue().pos.filter((po) => ['4100001', '4100012'].includes(po.id));

let harness: JobHarness;

test.beforeAll(async () => {
  harness = await createJobHarness({ name: 'pw-options', inputCsv: inputCsvText(some) });
});

test.afterAll(async () => {
  await harness?.close();
});

/** The command line of the main browser process on the base profile while it runs. */
const browserOnBaseProfile = () => processesMentioning(`--user-data-dir=${harness.userDataDir}`).find((p) => !p.command.includes('--type='))?.command;

test('--headed opens the windows headed although HEADLESS=true; without it they stay headless', async () => {
  const display = await ensureDisplay();
  try {
    const browserCommand = async (name: string, args: string[]) => {
      const job = harness.start({ env: { DOWNLOAD_DIR: path.join(harness.root, name), HEADLESS: 'true', DISPLAY: display.display }, args: ['--workers=1', ...args] });
      let command: string | undefined;
      await expect.poll(() => (command = browserOnBaseProfile()), { timeout: 90_000, intervals: [100] }).toBeDefined();
      const { code, output } = await job.done;
      expect(code, output).toBe(0);
      return command!;
    };
    expect(await browserCommand('headed', ['--headed'])).not.toContain('--headless');
    expect(await browserCommand('headless', [])).toContain('--headless');
  } finally {
    await display.stop();
  }
});

test('--trace on keeps the trace of every PO, passed ones included, in the HTML report', async () => {
  const downloadDir = path.join(harness.root, 'traced');
  const { code, output } = await harness.run({ env: { DOWNLOAD_DIR: downloadDir }, args: ['--workers=1', '--trace', 'on'] });
  expect(code, output).toBe(0);
  const reportDir = runPaths(harness.runRoots(downloadDir)[0]!).htmlReportDir;
  const tests = htmlReportTests(reportDir);
  for (const po of some) {
    const result = tests.find((t) => t.title.includes(po.id))?.results[0];
    expect(result?.status, po.id).toBe('passed');
    const trace = result?.attachments.find((a) => a.name === 'trace');
    expect(trace?.path, `${po.id} has a trace`).toBeDefined();
    expect(fs.statSync(path.join(reportDir, trace!.path!)).size, `${po.id}'s trace is in the report`).toBeGreaterThan(0);
  }
});

test('--timeout is each PO\'s time limit, as Playwright\'s test timeout is each test\'s', async () => {
  harness.sim.setOptions({ downloadLatencyMs: 10_000 });
  try {
    const downloadDir = path.join(harness.root, 'timeout');
    const { code, output } = await harness.run({ env: { DOWNLOAD_DIR: downloadDir, INFRA_RETRIES: '0' }, args: ['--workers=1', '--grep', '4100001', '--timeout=3000'] });
    expect(code, output).toBe(1);
    const journal = harness.journal(harness.runRoots(downloadDir)[0]);
    expect(journal.get('4100001')?.status).toBe('FAILED');
    // In plain text: Playwright colours the message, the CSV report must not carry terminal codes.
    expect(journal.get('4100001')?.errorMessage).toBe('Failed after 1 attempt(s): Test timeout of 3000ms exceeded.');
    expect(output).toContain('the PO\'s test timeout of 3000 ms is exceeded: the window\'s browser closes');
    expect(journal.get('4100001')?.status, 'the PO was stopped, not finished unseen').toBe('FAILED');
    // Its downloads run in Node beside the browser; they stop with it, not finish after the time limit.
    expect(output).not.toMatch(/PO PO4100001: saved "/);
  } finally {
    harness.sim.setOptions({ downloadLatencyMs: 0 });
  }
});
