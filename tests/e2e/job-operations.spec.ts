import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import ExcelJS from 'exceljs';
import { TRACKING_COLUMNS } from '../../support/output/tracking-columns.js';
import { expectedOutcome, fixtureCatalogue, inputCsvText } from '../../tooling/simulator/index.js';
import { createJobHarness, windowSummary, type JobHarness } from './helpers/job-harness.js';

/**
 * What operators do with the job besides a plain run: Coupa sessions that expire in the
 * middle of a batch, rerunning one PO with --grep, feeding a report back in, and an input
 * with nothing left to do.
 */
const catalogue = fixtureCatalogue();
const some = catalogue.pos.filter((po) => ['4100001', '4100004', '4100012', '4100014', '4100018', '4100023'].includes(po.id));

let harness: JobHarness;

test.beforeAll(async () => {
  harness = await createJobHarness({ name: 'operations', inputCsv: inputCsvText(some) });
});

test.afterAll(async () => {
  await harness?.close();
});

test('Coupa sessions that expire every few requests are renewed through the SSO bounce mid-run; nothing is lost', async () => {
  harness.sim.resetStats();
  harness.sim.setOptions({ sessionMaxRequests: 3 });
  try {
    const downloadDir = path.join(harness.root, 'expiring');
    const { code, output } = await harness.run({ env: { DOWNLOAD_DIR: downloadDir, WORKERS: '2' } });
    expect(code, output).toBe(0);
    const journal = harness.journal(harness.runRoots(downloadDir)[0]);
    for (const po of some) expect(journal.get(po.id)?.status, po.id).toBe(expectedOutcome(po).status);
    const stats = harness.sim.stats();
    expect(stats.sessionsIssued, 'sessions were renewed mid-run').toBeGreaterThan(4);
    expect(stats.signIns, 'never by typing a password').toBe(0);
  } finally {
    harness.sim.setOptions({ sessionMaxRequests: 0 });
  }
});

test('a sign-in lost in the middle of a run fails that attempt with a screenshot; the window restarts verified and the PO completes', async () => {
  harness.sim.resetStats();
  // Pages slow enough that window B is still working when A's PO is retried: the retry must then go to B.
  harness.sim.setOptions({ pageLatencyMs: 500 });
  const downloadDir = path.join(harness.root, 'signed-out');
  const { code, output } = await harness
    .run({ env: { DOWNLOAD_DIR: downloadDir, WORKERS: '2', COUPA_TEST_FAULTS: JSON.stringify({ signOutBeforePo: { A: 'once' } }) } })
    .finally(() => harness.sim.setOptions({ pageLatencyMs: 0 }));
  expect(code, output).toBe(0);
  const failedAttempt = /(\S+) attempt 1 failed \(AuthenticationLostError/.exec(output);
  expect(failedAttempt, output).not.toBeNull();
  const runRoot = harness.runRoots(downloadDir)[0];
  const journal = harness.journal(runRoot);
  for (const po of some) expect(journal.get(po.id)?.status, po.id).toBe(expectedOutcome(po).status);
  const retried = some.find((po) => po.id === failedAttempt![1].replace(/\D/g, ''))!;
  expect(journal.get(retried.id)?.window, `${retried.id} is retried in another window than the one whose sign-in was lost`).toBe('B');
  const windows = windowSummary(runRoot);
  const a = windows.filter((w) => w.window === 'A');
  expect(a, 'window A restarted after losing its sign-in').toHaveLength(2);
  expect(a[1].remediation.map((r) => r.step), 'its lost cookies came back from the snapshot').toEqual(['restore-cookies-before-launch']);
  expect(windows.every((w) => w.verification.every((v) => v.ok))).toBe(true);
  const screenshots = fs.readdirSync(path.join(runRoot, 'allure-results')).filter((f) => f.endsWith('.png'));
  expect(screenshots.length, 'the failed attempt carries a screenshot of the window').toBeGreaterThanOrEqual(1);
});

test('an Excel workbook in gives an Excel report (sheet PO_Data, fed back in as is) besides the CSV report', async () => {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('PO_Data');
  sheet.addRow(['PO_NUMBER', 'Cost center', '<|>', 'Region']);
  sheet.addRow([4100001, '=SUM(1,2)', '', 'EMEA']);
  sheet.addRow(['po 4100018', 'CC-7', '', 'APAC']);
  const input = path.join(harness.root, 'input.xlsx');
  await workbook.xlsx.writeFile(input);

  const downloadDir = path.join(harness.root, 'excel');
  const { code, output } = await harness.run({ env: { DOWNLOAD_DIR: downloadDir, INPUT_CSV: input, WORKERS: '2' } });
  expect(code, output).toBe(0);
  const runRoot = harness.runRoots(downloadDir)[0];
  const reports = fs.readdirSync(runRoot).filter((f) => f.startsWith('CoupaDownloads_Report_'));
  expect(reports.map((f) => path.extname(f)).sort()).toEqual(['.csv', '.xlsx']);
  expect(fs.readdirSync(runRoot), 'hierarchy columns after <|> are the folder levels').toContain('EMEA');

  const report = new ExcelJS.Workbook();
  await report.xlsx.readFile(path.join(runRoot, reports.find((f) => f.endsWith('.xlsx'))!));
  const out = report.getWorksheet('PO_Data')!;
  const header = (out.getRow(1).values as ExcelJS.CellValue[]).slice(1);
  expect(header).toEqual(['PO_NUMBER', 'Cost center', '<|>', 'Region', ...TRACKING_COLUMNS]);
  const status = header.indexOf('STATUS') + 1;
  expect([out.getRow(2).getCell(status).value, out.getRow(3).getCell(status).value]).toEqual(['COMPLETED', 'NO_ATTACHMENTS']);
  expect(out.getRow(2).getCell(2).formula, 'a formula in the input is written back as text, never as a formula').toBeUndefined();
});

test('--grep reruns one PO alone; the report of that run says the others were not processed', async () => {
  harness.sim.resetStats();
  const downloadDir = path.join(harness.root, 'grep');
  const { code, output } = await harness.run({ env: { DOWNLOAD_DIR: downloadDir }, args: ['--workers=1', '--grep', '4100012'] });
  expect(code, output).toBe(0);
  expect(Object.keys(harness.sim.stats().poPageRequests)).toEqual(['4100012']);
  const journal = harness.journal(harness.runRoots(downloadDir)[0]);
  expect([...journal.keys()]).toEqual(['4100012']);
  expect(output).toContain('PENDING 5');
});

test('a report fed back in as input processes only what did not complete; with nothing left the run says so', async () => {
  const downloadDir = path.join(harness.root, 'feedback');
  const first = await harness.run({ env: { DOWNLOAD_DIR: downloadDir } });
  expect(first.code, first.output).toBe(0);
  const runRoot = harness.runRoots(downloadDir)[0];
  const report = path.join(runRoot, fs.readdirSync(runRoot).find((f) => f.startsWith('CoupaDownloads_Report_'))!);

  harness.sim.resetStats();
  const again = await harness.run({ env: { DOWNLOAD_DIR: downloadDir, INPUT_CSV: report } });
  expect(again.code, again.output).toBe(0);
  const notCompleted = some.filter((po) => expectedOutcome(po).status !== 'COMPLETED').map((po) => po.id).sort();
  expect(Object.keys(harness.sim.stats().poPageRequests).sort()).toEqual(notCompleted);

  // Only COMPLETED rows: nothing to do, which is not an error.
  const done = path.join(harness.root, 'all-done.csv');
  fs.writeFileSync(done, 'PO_NUMBER,STATUS\nPO4100001,COMPLETED\nPO4100004,completed\n');
  const nothing = await harness.run({ env: { DOWNLOAD_DIR: downloadDir, INPUT_CSV: done } });
  expect(nothing.code, nothing.output).toBe(0);
  expect(nothing.output).toContain('Nothing to process');
});
