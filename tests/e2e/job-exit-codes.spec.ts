import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { downloadFolderPaths } from '../../support/run-state/run-paths.js';
import { JOB_EXIT } from '../../support/shared/exit-codes.js';
import { expectedOutcome, fixtureCatalogue, inputCsvText } from '../../tooling/simulator/index.js';
import { createJobHarness, sha256, waitForNoProcessesMentioning, type JobHarness } from './helpers/job-harness.js';
import { plantLock } from '../unit/helpers-state/state-fixtures.js';

/**
 * The exit codes a scheduler (Windows Task Scheduler, cron) acts on, each from a real run
 * through the command line: 0 every PO final, 1 POs remain to retry, 2 the run could not
 * start, 130 interrupted. Playwright alone would return 1 only for a failed test and 0 for a
 * run that left a PO locked by another run.
 */
const pos = fixtureCatalogue().pos.filter((po) => ['4100001', '4100018', '4100023'].includes(po.id));

let harness: JobHarness;

test.beforeAll(async () => {
  expect(pos.map((po) => expectedOutcome(po).status)).toEqual(['COMPLETED', 'NO_ATTACHMENTS', 'PO_NOT_FOUND']);
  harness = await createJobHarness({ name: 'exit-codes', inputCsv: inputCsvText(pos) });
});

test.afterAll(async () => {
  await harness?.close();
});

const downloads = (name: string) => path.join(harness.root, name);

test('0: every PO has a final outcome (COMPLETED, NO_ATTACHMENTS, PO_NOT_FOUND)', async () => {
  const { code, output } = await harness.run({ env: { DOWNLOAD_DIR: downloads('final') }, args: ['--workers=2'] });
  expect(code, output).toBe(JOB_EXIT.allFinal);
  expect(output).toContain('Every PO of this run has a final outcome (exit code 0).');
});

test('1: a PO another run holds is LOCKED and remains to retry, although no test failed', async () => {
  const downloadDir = downloads('locked');
  // A lock held by this (live) test process, as another run on this machine would hold it.
  plantLock(downloadFolderPaths(downloadDir, sha256(fs.readFileSync(harness.inputFile))).poLockDir('4100001'), { pid: process.pid });
  const { code, output } = await harness.run({ env: { DOWNLOAD_DIR: downloadDir }, args: ['--workers=2'] });
  expect(code, output).toBe(JOB_EXIT.retryRemains);
  expect(output).toContain('1 PO(s) remain to retry (FAILED, PARTIAL, TIMEOUT, LOCKED or not reached): run the same command again');
  expect(output, 'no test failed').not.toMatch(/attempt \d failed|FAILED after/);
  expect(harness.journal(harness.runRoots(downloadDir)[0]).get('4100001')?.status).toBe('LOCKED');
});

test('2: a run that cannot start (no input file) ends before any browser, with a message', async () => {
  const downloadDir = downloads('no-input');
  const { code, output } = await harness.run({ env: { DOWNLOAD_DIR: downloadDir, INPUT_CSV: path.join(harness.root, 'missing.csv') }, args: ['--workers=2'] });
  expect(code, output).toBe(JOB_EXIT.notStarted);
  expect(output).toContain('missing.csv');
  expect(output).toContain('The run did not start; no browser window was opened.');
});

test('130: Ctrl+C (SIGINT) in the middle of the run; the journal keeps what finished', async () => {
  harness.sim.setOptions({ pageLatencyMs: 2_000 });
  try {
    const downloadDir = downloads('interrupted');
    const job = harness.start({ env: { DOWNLOAD_DIR: downloadDir }, args: ['--workers=1'] });
    await expect.poll(() => harness.journal(harness.runRoots(downloadDir)[0]).size, { timeout: 120_000 }).toBeGreaterThanOrEqual(1);
    process.kill(job.child.pid!, 'SIGINT');
    const { code, output } = await job.done;
    expect(code, output).toBe(JOB_EXIT.interrupted);
    expect(output).toMatch(/Interrupted with \d PO\(s\) without a final outcome: run the same command again/);
    expect(await waitForNoProcessesMentioning(harness.root), 'no browser or worker of ours is left').toEqual([]);
  } finally {
    harness.sim.setOptions({ pageLatencyMs: 0 });
  }
});
