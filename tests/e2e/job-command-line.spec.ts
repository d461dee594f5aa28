import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { privateTempRoot, runPaths } from '../../support/run-state/run-paths.js';
import { fixtureCatalogue, inputCsvText } from '../../tooling/simulator/index.js';
import { createJobHarness, type JobHarness } from './helpers/job-harness.js';

/**
 * Playwright's own flags on the job: listing touches nothing, `--grep` that selects nothing
 * stops before anything is created, and a reporter chosen on the command line does not
 * switch off what the job itself does (governor, journal, reports).
 */
const catalogue = fixtureCatalogue();
const some = catalogue.pos.filter((po) => ['4100001', '4100004', '4100012'].includes(po.id));

let harness: JobHarness;

test.beforeAll(async () => {
  harness = await createJobHarness({ name: 'cli', inputCsv: inputCsvText(some) });
});

test.afterAll(async () => {
  await harness?.close();
});

test('--list lists the POs and touches nothing: no run folder, no run record, no report, no snapshot', async () => {
  const downloadDir = path.join(harness.root, 'listed');
  const job = harness.start({ env: { DOWNLOAD_DIR: downloadDir }, args: ['--list'] });
  const { code, output } = await job.done;
  expect(code, output).toBe(0);
  for (const po of some) expect(output).toContain(po.id);
  expect(output).toContain('Total: 3 tests');
  expect(output).not.toContain('unfinished');
  expect(fs.existsSync(downloadDir), 'not even the download folder').toBe(false);
  expect(harness.cloneDirsLeft(job.child.pid!), 'no snapshot was taken').toEqual([]);
  expect(fs.readdirSync(privateTempRoot()).filter((d) => d.startsWith(`run-${job.child.pid}-`))).toEqual([]);
  expect(harness.sim.stats().poPageRequests).toEqual({});
});

test('--reporter=list keeps the job\'s own outputs, and a PO that fails on every attempt is journaled FAILED by the job', async () => {
  harness.sim.resetStats();
  const downloadDir = path.join(harness.root, 'other-reporter');
  const { code, output } = await harness.run({
    // On a clone, so the injected sign-out never reaches the harness's signed-in base profile.
    // TRACE=true is Playwright's --trace retain-on-failure: the failed attempts keep their traces.
    env: { DOWNLOAD_DIR: downloadDir, PROFILE_POLICY: 'all-clones', INFRA_RETRIES: '1', TRACE: 'true', COUPA_TEST_FAULTS: JSON.stringify({ signOutBeforePo: { A: 'always' } }) },
    args: ['--workers=1', '--reporter=list', '--grep', '4100001'],
  });
  // Playwright's exit code says a test failed; the job's outputs are there all the same.
  expect(code, output).toBe(1);
  const runRoot = harness.runRoots(downloadDir)[0]!;
  const paths = runPaths(runRoot);
  const journal = harness.journal(runRoot);
  expect(journal.get('4100001')).toMatchObject({ status: 'FAILED', window: 'A' });
  expect(journal.get('4100001')?.errorMessage).toMatch(/^Failed after 2 attempt\(s\): AuthenticationLostError/);
  expect(fs.readdirSync(runRoot).filter((f) => /^CoupaDownloads_Report_.*\.csv$/.test(f))).toHaveLength(1);
  for (const file of [paths.runSummaryFile, paths.windowSummaryFile, paths.loadGateFile, paths.loadSamplesFile]) expect(fs.existsSync(file), file).toBe(true);
  const summary = JSON.parse(fs.readFileSync(paths.runSummaryFile, 'utf8')) as { rowsByStatus: Record<string, number>; load?: unknown };
  expect(summary.rowsByStatus).toMatchObject({ FAILED: 1, PENDING: 2 });
  expect(summary.load, 'the load governor ran').toBeDefined();
  // Without the job's reporter, the end of the run prints the summary itself.
  expect(output).toContain('Run summary');
  expect(output).toContain(`Reports in ${runRoot}`);
  const traces = fs.readdirSync(paths.testOutputDir, { recursive: true, encoding: 'utf8' }).filter((f) => path.basename(f) === 'trace.zip');
  expect(traces, 'one trace per failed attempt').toHaveLength(2);
});

test('the input is read once per run: changed while the run goes on, the report is still that of the input the run started with', async () => {
  harness.sim.resetStats();
  const downloadDir = path.join(harness.root, 'read-once');
  const input = path.join(harness.root, 'read-once.csv');
  fs.writeFileSync(input, inputCsvText(some));
  const job = harness.start({ env: { DOWNLOAD_DIR: downloadDir, INPUT_CSV: input, WORKERS: '2' } });
  await expect.poll(() => harness.runRoots(downloadDir).some((root) => fs.existsSync(runPaths(root).planFile)), { timeout: 60_000 }).toBe(true);
  fs.writeFileSync(input, 'not,the,input\n');
  const { code, output } = await job.done;
  expect(code, output).toBe(0);
  const runRoot = harness.runRoots(downloadDir)[0]!;
  const report = fs.readFileSync(path.join(runRoot, fs.readdirSync(runRoot).find((f) => /^CoupaDownloads_Report_.*\.csv$/.test(f))!), 'utf8');
  for (const po of some) expect(report).toContain(po.id);
  expect(report).not.toContain('not,the,input');
  // With the job's reporter in the run, it prints the summary the teardown wrote, once.
  expect(output.match(/Reports in /g)).toHaveLength(1);
  // No trace mode keeps them: the output folders of passed POs are gone.
  expect(fs.readdirSync(runPaths(runRoot).testOutputDir).filter((f) => !f.startsWith('.'))).toEqual([]);
  expect(output).toContain('Every PO of this run has a final outcome (exit code 0).');
});

test('--grep that matches no PO says so, naming the pattern, and exits 2 before any run folder or snapshot', async () => {
  const downloadDir = path.join(harness.root, 'grep-none');
  const job = harness.start({ env: { DOWNLOAD_DIR: downloadDir }, args: ['--workers=1', '--grep', '4199999'] });
  const { code, output } = await job.done;
  expect(code, output).toBe(2);
  expect(output).toContain(`--grep "4199999" matches none of the 3 PO(s) of ${harness.inputFile}`);
  expect(output).toContain('Nothing was started: no run folder, no profile snapshot, no browser window.');
  expect(output).not.toContain('[setup]');
  expect(fs.existsSync(downloadDir), 'not even the download folder').toBe(false);
  expect(harness.cloneDirsLeft(job.child.pid!), 'no snapshot was taken').toEqual([]);
});

test('Playwright itself selects by the title path the job checks a --grep against', async () => {
  const { code, output } = await harness.run({ args: ['--list', '-g', '/^ download-purchase-orders\\.spec\\.ts PO4100001$/'] });
  expect(code, output).toBe(0);
  expect(output).toContain('Total: 1 test');
  expect(output).toContain('PO4100001');
});

test('--grep whose POs the resumed run already finished ends at once with exit code 0, without a snapshot', async () => {
  harness.sim.resetStats();
  const downloadDir = path.join(harness.root, 'grep-done');
  const first = await harness.run({ env: { DOWNLOAD_DIR: downloadDir }, args: ['--workers=1', '--grep', '4100001'] });
  expect(first.code, first.output).toBe(0);
  const [runRoot] = harness.runRoots(downloadDir);
  const again = harness.start({ env: { DOWNLOAD_DIR: downloadDir }, args: ['--workers=1', '--grep', '4100001'] });
  const { code, output } = await again.done;
  expect(code, output).toBe(0);
  expect(output).toContain(`Nothing to process: the 1 PO(s) --grep "4100001" selects are already done in ${runRoot}`);
  expect(output).not.toContain('[setup]');
  expect(harness.cloneDirsLeft(again.child.pid!)).toEqual([]);
  expect(harness.runRoots(downloadDir)).toEqual([runRoot]);
  expect(harness.sim.stats().poPageRequests).toEqual({ '4100001': 1 });
});
