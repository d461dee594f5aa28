import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { readInputFile } from '../../support/input/input-reader.js';
import { sanitizeFileName } from '../../support/output/file-names.js';
import { TRACKING_COLUMNS } from '../../support/output/tracking-columns.js';
import { attachmentContent, expectedOutcome, fixtureCatalogue, type HostileNameKind, type SimPo } from '../../tooling/simulator/index.js';
import { createJobHarness, downloadedFiles, processesMentioning, sha256, type JobHarness } from './helpers/job-harness.js';

/**
 * The whole job, 3 windows, over the fixture catalogue (every status of WORKFLOW.md,
 * every attachment form, hostile names, faults), plus duplicate, invalid and already
 * COMPLETED rows. One run, many checks.
 */
const catalogue = fixtureCatalogue();

function inputCsv(pos: SimPo[]): string {
  // European Excel export: UTF-8 BOM, semicolons, CRLF; PO numbers in every spelling operators use.
  const spellings = (id: string, i: number) => [`PO${id}`, `PM${id}`, id, `po${id}`, ` PO ${id} `][i % 5];
  const rows = pos.map((po, i) => [spellings(po.id, i), po.scenario.replace(/;/g, ','), '']);
  rows.push([`po ${pos[0].id}`, 'duplicate of the first PO, other spelling', '']);
  rows.push(['PO12', 'too few digits', '']);
  rows.push(['ABC123456', 'not a PO number', '']);
  rows.push(['PO4999999', 'already done in an earlier run', 'COMPLETED']);
  return '\uFEFF' + ['PO_NUMBER;SCENARIO;STATUS', ...rows.map((r) => r.join(';'))].join('\r\n') + '\r\n';
}

let harness: JobHarness;
let run: { code: number | null; output: string };
let runRoot: string;
let runnerPid: number | undefined;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(240_000);
  harness = await createJobHarness({ name: 'catalogue', inputCsv: inputCsv(catalogue.pos) });
  const job = harness.start({ args: ['--workers=3'] });
  runnerPid = job.child.pid;
  run = await job.done;
  runRoot = harness.runRoots()[0];
});

test.afterAll(async () => {
  await harness?.close();
});

test('the job ends, in one run folder, with the input file untouched', async () => {
  // The catalogue has FAILED, PARTIAL and TIMEOUT POs: they remain to retry (exit code 1).
  expect(run.code, run.output).toBe(1);
  expect(run.output).toMatch(/\n\d+ PO\(s\) remain to retry .*\(exit code 1\)\.\n/);
  expect(harness.runRoots()).toHaveLength(1);
  expect(path.basename(runRoot)).toMatch(/^\d{8}-\d{2}h\d{2}_CoupaDownloads$/);
  expect(fs.readFileSync(harness.inputFile, 'utf8')).toBe(inputCsv(catalogue.pos));
});

test('every PO ends with the status the catalogue expects, processed once', async () => {
  const journal = harness.journal(runRoot);
  for (const po of catalogue.pos) {
    const expected = expectedOutcome(po);
    const result = journal.get(po.id);
    expect(result?.status, `${po.id}: ${po.scenario}\n${result?.errorMessage}`).toBe(expected.status);
    expect(result?.attachmentsFound, po.id).toBe(expected.found.length);
    expect(result?.attachmentsDownloaded, po.id).toBe(expected.downloaded.length);
  }
  const lines = fs.readFileSync(path.join(runRoot, '.run-state', 'journal.jsonl'), 'utf8').trim().split('\n');
  expect(lines).toHaveLength(catalogue.pos.length);
});

test('every downloaded file is byte-exact, in its PO folder, and nothing else is on disk', async () => {
  const journal = harness.journal(runRoot);
  const runLevel = /^(CoupaDownloads_Report_.*\.(csv|xlsx)|window-summary\.json|run-summary\.json|run\.log|timeline\.html)$/;
  const onDisk = new Set(downloadedFiles(runRoot).filter((f) => !runLevel.test(f)));
  for (const po of catalogue.pos) {
    const result = journal.get(po.id)!;
    const expected = expectedOutcome(po);
    if (!result.downloadFolder) {
      expect(expected.found, po.id).toHaveLength(0);
      continue;
    }
    expect(path.basename(result.downloadFolder)).toMatch(new RegExp(`_${result.status}$`));
    const folderFiles = fs.readdirSync(result.downloadFolder).filter((f) => !result.convertedPdfs.includes(f));
    expect(folderFiles.length, `${po.id}: ${folderFiles.join(', ')}`).toBe(expected.downloaded.length);
    const byHash = new Map(folderFiles.map((f) => [sha256(fs.readFileSync(path.join(result.downloadFolder, f))), f]));
    for (const { attachment } of expected.downloaded) {
      const name = byHash.get(sha256(attachmentContent(attachment)));
      expect(name, `${po.id}: ${attachment.fileName} missing or not byte-exact`).toBeDefined();
      const stem = sanitizeFileName(attachment.fileName).replace(/(\.[^.]{1,10})?$/, '');
      expect(name!.startsWith(stem.slice(0, 40)), `${po.id}: ${name} for ${attachment.fileName}`).toBe(true);
      onDisk.delete(path.relative(runRoot, path.join(result.downloadFolder, name!)).split(path.sep).join('/'));
    }
    for (const pdf of result.convertedPdfs) onDisk.delete(path.relative(runRoot, path.join(result.downloadFolder, pdf)).split(path.sep).join('/'));
  }
  expect([...onDisk]).toEqual([]);
});

test('hostile names stay inside their PO folder and are valid on Windows, macOS and Linux', async () => {
  const journal = harness.journal(runRoot);
  const files = (id: string) => fs.readdirSync(journal.get(id)!.downloadFolder).sort();
  const byKind = (kind: HostileNameKind) => catalogue.pos.find((po) => po.attachments.some((a) => a.hostile === kind))!.id;
  expect(files(byKind('traversal'))).toEqual(expect.arrayContaining(['evil.bat', 'evil.txt']));
  expect(files(byKind('reserved-device-name'))).toEqual(expect.arrayContaining(['_CON.txt', '_aux.pdf']));
  const long = files(byKind('long')).find((f) => f.length > 100)!;
  expect(long.length).toBeLessThanOrEqual(150);
  expect(long.endsWith('.pdf')).toBe(true);
  expect(files(byKind('duplicate'))).toEqual(expect.arrayContaining(['invoice.pdf', 'invoice (2).pdf']));
  expect(files(byKind('case-only'))).toEqual(expect.arrayContaining(['Report.PDF', 'report (2).pdf']));
  const nonAscii = catalogue.pos.filter((po) => po.attachments.some((a) => a.hostile === 'non-ascii')).flatMap((po) => files(po.id));
  expect(nonAscii).toEqual(expect.arrayContaining(['Relatório_Março_€.pdf', '発注書.pdf']));
  for (const file of downloadedFiles(runRoot)) {
    const name = path.basename(file);
    expect(name, file).not.toMatch(/[<>:"\\|?*\u0000-\u001f]|[. ]$/);
    expect(name, file).not.toMatch(/^(con|prn|aux|nul|com\d|lpt\d)(\.|$)/i);
  }
});

test('inline PDFs and JavaScript-triggered attachments are each fetched exactly once', async () => {
  const stats = harness.sim.stats();
  for (const po of catalogue.pos) {
    for (const { attachment } of expectedOutcome(po).downloaded) {
      if (attachment.faults?.cutOffAttempts) continue;
      expect(stats.downloadsCompleted[attachment.id] ?? 0, `${po.id} ${attachment.fileName} (${attachment.form})`).toBe(1);
    }
  }
  const forms = new Set(catalogue.pos.flatMap((po) => expectedOutcome(po).downloaded.map((d) => d.attachment.form)));
  expect([...forms].sort()).toEqual(['comment-link', 'download-link', 'inline-link', 'script-button']);
});

test('every downloaded Outlook message gets a PDF beside it, and the message itself stays', async () => {
  const journal = harness.journal(runRoot);
  const withMessages = [...journal.values()].filter((r) => r.files.some((f) => f.name.endsWith('.msg')));
  expect(withMessages.length).toBeGreaterThan(0);
  for (const result of withMessages) {
    const messages = result.files.filter((f) => f.name.endsWith('.msg'));
    expect(result.convertedPdfs, result.id).toHaveLength(messages.length);
    for (const pdf of result.convertedPdfs) expect(fs.readFileSync(path.join(result.downloadFolder, pdf)).subarray(0, 5).toString()).toBe('%PDF-');
    for (const message of messages) expect(sha256(fs.readFileSync(path.join(result.downloadFolder, message.name)))).toBe(message.sha256);
    expect(result.attachmentsDownloaded, 'PDFs made from messages are not attachments').toBe(result.files.length);
  }
});

test('the report has the input columns, the tracking columns, and one row per input row', async () => {
  const reports = fs.readdirSync(runRoot).filter((f) => /^CoupaDownloads_Report_\d{8}-\d{6}\.csv$/.test(f));
  expect(reports).toHaveLength(1);
  const report = readInputFile(path.join(runRoot, reports[0]));
  expect(report.headers).toEqual(['PO_NUMBER', 'SCENARIO', ...TRACKING_COLUMNS]);
  expect(report.rows).toHaveLength(catalogue.pos.length + 4);
  const cell = (row: string[], column: string) => row[report.headers.indexOf(column)];
  const rows = report.rows.map((r) => r.values);
  const firstId = catalogue.pos[0].id;
  const first = rows.filter((r) => cell(r, 'PO_NUMBER').replace(/\D/g, '') === firstId);
  expect(first).toHaveLength(2);
  expect(cell(first[1], 'STATUS')).toBe(cell(first[0], 'STATUS'));
  expect(cell(first[1], 'DOWNLOAD_FOLDER')).toBe(cell(first[0], 'DOWNLOAD_FOLDER'));
  expect(cell(rows.find((r) => cell(r, 'PO_NUMBER') === 'PO12')!, 'STATUS')).toBe('INVALID_PO_NUMBER');
  expect(cell(rows.find((r) => cell(r, 'PO_NUMBER') === 'ABC123456')!, 'ERROR_MESSAGE')).toContain('ABC123456');
  expect(cell(rows.find((r) => cell(r, 'PO_NUMBER') === 'PO4999999')!, 'STATUS')).toBe('COMPLETED');
  const fallback = rows.find((r) => cell(r, 'ERROR_MESSAGE').includes('PR fallback used'))!;
  expect(cell(fallback, 'COUPA_URL')).toContain('/requisition_headers/');
  expect(cell(fallback, 'AttachmentName')).toContain(';\n');
  expect(cell(fallback, 'LAST_PROCESSED')).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
});

test('ERROR_MESSAGE names every file that was not downloaded as the page shows it, with why', async () => {
  const journal = harness.journal(runRoot);
  const cutOff = catalogue.pos.filter((po) => po.attachments.some((a) => a.faults?.alwaysCutOff));
  expect(cutOff.length).toBeGreaterThanOrEqual(2);
  for (const po of cutOff) {
    const message = journal.get(po.id)!.errorMessage;
    for (const attachment of po.attachments.filter((a) => a.faults?.alwaysCutOff)) {
      expect(message, po.id).toMatch(new RegExp(`${attachment.fileName.replace(/\./g, '\\.')}: (transfer|browser download) \\w+`));
    }
    expect(message, `${po.id}: no download URL in place of a name`).not.toContain('/attachment_files/');
  }
});

test('a page the server refused on every attempt is a failed report step, while the PO\'s test records its outcome', async () => {
  const refused = catalogue.pos.find((po) => po.faults?.alwaysFail500)!;
  const resultsDir = path.join(runRoot, 'allure-results');
  const results = fs
    .readdirSync(resultsDir)
    .filter((f) => f.endsWith('-result.json'))
    .map((f) => JSON.parse(fs.readFileSync(path.join(resultsDir, f), 'utf8')) as AllureResult);
  const poTest = results.find((r) => r.name.includes(refused.id) && r.steps.some((s) => s.name.startsWith('Open PO page')));
  expect(poTest, `the Allure result of ${refused.id}`).toBeDefined();
  const open = poTest!.steps.find((s) => s.name.startsWith('Open PO page'))!;
  expect(open.status).toBe('failed');
  expect(open.statusDetails?.message).toContain('server answered HTTP 500');
  expect(harness.journal(runRoot).get(refused.id)?.status).toBe('FAILED');
  const completed = results.find((r) => r.name.includes(catalogue.pos.find((po) => expectedOutcome(po).status === 'COMPLETED')!.id))!;
  expect(completed.steps.find((s) => s.name.startsWith('Open PO page'))?.status).toBe('passed');
});

interface AllureResult {
  name: string;
  steps: { name: string; status: string; statusDetails?: { message?: string } }[];
}

test('three windows shared the work, and none of our browsers or profile clones is left', async () => {
  const windows = new Set([...harness.journal(runRoot).values()].map((r) => r.window));
  expect([...windows].sort()).toEqual(['A', 'B', 'C']);
  expect(processesMentioning(harness.root)).toEqual([]);
  expect(harness.cloneDirsLeft(runnerPid!)).toEqual([]);
});

test('nothing the run wrote contains a session cookie, a sign-in token or the password', async () => {
  const secrets = [harness.sim.options().credentials.password, 'coupa_session=', 'idp_stay=', 'token='];
  const scan = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) scan(full);
      else {
        const text = fs.readFileSync(full).toString('latin1');
        for (const secret of secrets) expect(text.includes(secret), `${full} contains ${secret}`).toBe(false);
      }
    }
  };
  scan(runRoot);
  expect(run.output).not.toContain('token=');
});
