import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { generateBatch, inputCsvText, ONLY_COMPLETED } from '../../tooling/simulator/index.js';
import { createJobHarness, waitForNoProcessesMentioning, windowSummary, type JobHarness } from './helpers/job-harness.js';

/**
 * Two runs on one base profile (PROFILE-06): only one browser may have it open, so the
 * second run waits in its setup for the first run's lock, and its window A opens the base
 * profile only after the first run's window A has closed it. Waiting too long ends the second
 * run before any browser starts, naming the run that holds the profile.
 */
const catalogue = generateBatch({ count: 10, seed: 33, attachmentsPerPo: 1, minBytes: 8_000, maxBytes: 12_000, statusShares: ONLY_COMPLETED });
const [firstHalf, secondHalf] = [catalogue.pos.slice(0, 5), catalogue.pos.slice(5)];

let harness: JobHarness;
let secondInput: string;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  harness = await createJobHarness({ name: 'base-lock', inputCsv: inputCsvText(firstHalf), sim: { catalogue, pageLatencyMs: 400 } });
  secondInput = path.join(harness.root, 'second-input.csv');
  fs.writeFileSync(secondInput, inputCsvText(secondHalf));
});

test.afterAll(async () => {
  await harness?.close();
});

const runFolderOf = (output: string) => /Coupa downloads: .* → (\S+_CoupaDownloads(?:-\d+)?)/.exec(output)?.[1];

test('a second run on the same base profile waits for the first; the two window A never have it open at once', async () => {
  test.setTimeout(180_000);
  const downloadDir = path.join(harness.root, 'together');
  const first = harness.start({ env: { DOWNLOAD_DIR: downloadDir, WORKERS: '1' } });
  // The second run starts while the first one's window A works on the base profile.
  await expect.poll(() => (harness.runRoots(downloadDir)[0] ? harness.journal(harness.runRoots(downloadDir)[0]).size : 0), { timeout: 60_000 }).toBeGreaterThanOrEqual(1);
  const second = harness.start({ env: { DOWNLOAD_DIR: downloadDir, WORKERS: '1', INPUT_CSV: secondInput, PROFILE_IN_USE_WAIT_MS: '120000' } });
  const [a, b] = await Promise.all([first.done, second.done]);
  expect(a.code, a.output).toBe(0);
  expect(b.code, b.output).toBe(0);
  expect(b.output).toMatch(new RegExp(`base profile is used by another run \\(process ${first.child.pid}\\); waiting`));

  const [firstRoot, secondRoot] = [runFolderOf(a.output), runFolderOf(b.output)];
  expect(firstRoot).toBeDefined();
  expect(secondRoot, 'two inputs, two run folders').not.toBe(firstRoot);
  const windowA = (root: string) => windowSummary(root).filter((w) => w.window === 'A' && w.kind === 'base');
  const [firstA, secondA] = [windowA(firstRoot!), windowA(secondRoot!)];
  expect(firstA).toHaveLength(1);
  expect(secondA).toHaveLength(1);
  expect(Date.parse(secondA[0]!.startedAt), 'the second window A starts after the first one closed the base profile').toBeGreaterThanOrEqual(
    Date.parse(firstA[0]!.endedAt!),
  );
  for (const [root, pos] of [[firstRoot!, firstHalf], [secondRoot!, secondHalf]] as const) {
    const journal = harness.journal(root);
    for (const po of pos) expect(journal.get(po.id)?.status, po.id).toBe('COMPLETED');
  }
  expect(await waitForNoProcessesMentioning(harness.root)).toEqual([]);
});

test('a second run that may not wait long stops before any browser starts, naming the run that holds the profile', async () => {
  test.setTimeout(120_000);
  const downloadDir = path.join(harness.root, 'impatient');
  // A first run long enough to still hold the profile when the second one gives up.
  const everything = path.join(harness.root, 'all-input.csv');
  fs.writeFileSync(everything, inputCsvText(catalogue.pos));
  harness.sim.setOptions({ pageLatencyMs: 1_000 });
  const first = harness.start({ env: { DOWNLOAD_DIR: downloadDir, WORKERS: '1', INPUT_CSV: everything } });
  await expect.poll(() => (harness.runRoots(downloadDir)[0] ? harness.journal(harness.runRoots(downloadDir)[0]).size : 0), { timeout: 60_000 }).toBeGreaterThanOrEqual(1);
  const impatientDir = path.join(harness.root, 'impatient-second');
  const second = await harness.run({ env: { DOWNLOAD_DIR: impatientDir, WORKERS: '1', INPUT_CSV: secondInput, PROFILE_IN_USE_WAIT_MS: '1500' } });
  expect(second.code, second.output).toBe(2);
  expect(second.output).toContain(`is in use by another run of this tool (process ${first.child.pid}`);
  expect(second.output).toContain('no browser window was opened');
  expect(harness.runRoots(impatientDir), 'a run that did not start leaves no run folder').toEqual([]);
  const done = await first.done;
  harness.sim.setOptions({ pageLatencyMs: 400 });
  expect(done.code, done.output).toBe(0);
});
