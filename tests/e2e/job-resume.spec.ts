import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { journalEntryIsSettled } from '../../support/run-state/journal.js';
import { expectedOutcome, generateBatch, inputCsvText } from '../../tooling/simulator/index.js';
import { attachmentHashes, createJobHarness, waitForNoProcessesMentioning, type JobHarness } from './helpers/job-harness.js';

/**
 * A run killed with SIGKILL in the middle of a batch loses no finished PO: the next run
 * of the same input resumes in the same run folder, does not redo what the journal holds,
 * and ends with every PO done exactly once and every file intact.
 */
const catalogue = generateBatch({ count: 24, seed: 7, attachmentsPerPo: { min: 1, max: 2 }, minBytes: 20_000, maxBytes: 60_000, statusShares: {} });

let harness: JobHarness;

test.beforeAll(async () => {
  harness = await createJobHarness({ name: 'resume', inputCsv: inputCsvText(catalogue.pos), sim: { catalogue, pageLatencyMs: 400 } });
});

test.afterAll(async () => {
  await harness?.close();
});

test('SIGKILL mid-batch, then the same command again: every PO exactly once, files intact', async () => {
  test.setTimeout(240_000);
  const first = harness.start();
  const runnerPid = first.child.pid!;
  await expect.poll(() => harness.journal().size, { timeout: 120_000, intervals: [250] }).toBeGreaterThanOrEqual(8);
  process.kill(runnerPid, 'SIGKILL');
  const killed = await first.done;
  expect(killed.signal).toBe('SIGKILL');

  // Workers and their browsers end on their own once the runner is gone: nothing is killed by name.
  expect(await waitForNoProcessesMentioning(harness.root, 20_000)).toEqual([]);
  expect(await waitForNoProcessesMentioning(`run-${runnerPid}-`, 20_000), 'clone windows of the killed run end too').toEqual([]);
  // Settled results are final; PARTIAL/FAILED/TIMEOUT ones are tried again by the resumed run.
  const doneBeforeKill = new Map([...harness.journal()].filter(([, r]) => journalEntryIsSettled(r)));
  expect(doneBeforeKill.size).toBeLessThan(catalogue.pos.length);
  const pageRequestsAtKill = { ...harness.sim.stats().poPageRequests };

  const second = await harness.run();
  // The batch has a FAILED and a PARTIAL PO: they remain to retry (exit code 1).
  expect(second.code, second.output).toBe(1);
  expect(second.output).toContain('resuming');
  expect(harness.runRoots(), 'the resumed run writes into the interrupted run folder').toHaveLength(1);
  expect(harness.cloneDirsLeft(runnerPid), 'the crashed run\'s profile copies are swept at the next start').toEqual([]);

  const journal = harness.journal();
  expect([...journal.keys()].sort()).toEqual(catalogue.pos.map((po) => po.id).sort());
  for (const [id, before] of doneBeforeKill) {
    expect(journal.get(id), `${id} must keep its first result`).toEqual(before);
    expect(harness.sim.stats().poPageRequests[id], `${id} was finished before the kill and must not be opened again`).toBe(pageRequestsAtKill[id]);
  }

  const runRoot = harness.runRoots()[0];
  for (const po of catalogue.pos) {
    const result = journal.get(po.id)!;
    expect(result.status, po.id).toBe(expectedOutcome(po).status);
    if (!result.downloadFolder) continue;
    const parent = path.dirname(result.downloadFolder);
    const folders = fs.readdirSync(parent).filter((f) => f.startsWith(path.basename(result.downloadFolder).replace(`_${result.status}`, '')));
    expect(folders, `${po.id}: exactly one folder, no __WORK left`).toEqual([path.basename(result.downloadFolder)]);
    const { onDisk, expected } = attachmentHashes(result, po);
    expect(onDisk, po.id).toEqual(expected);
  }
  const reports = fs.readdirSync(runRoot).filter((f) => f.startsWith('CoupaDownloads_Report_'));
  const lastReport = fs.readFileSync(path.join(runRoot, reports.sort().at(-1)!), 'utf8');
  const completed = catalogue.pos.filter((po) => expectedOutcome(po).status === 'COMPLETED').length;
  expect(completed).toBeGreaterThan(catalogue.pos.length / 2);
  expect(lastReport.match(/,COMPLETED,/g)?.length).toBe(completed);
});
