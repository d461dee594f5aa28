import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { readInputFile } from '../../support/input/input-reader.js';
import type { PoResult, PoStatus } from '../../support/po-result.js';
import { PROJECT_ROOT } from '../../commands/job-process.js';
import { cleanText } from '../../support/report/clean-text.js';
import { expectedOutcome, fixtureCatalogue, inputCsvText, type SimPo } from '../../tooling/simulator/index.js';
import { runPaths } from '../../support/run-state/run-paths.js';
import { WindowRecordStore } from '../../support/run-state/window-records.js';
import { createJobHarness, type JobHarness } from './helpers/job-harness.js';
import { htmlReportTests, unzip } from './helpers/report-data.js';

/**
 * The reports of a real run: a small job (two windows) over catalogue POs with every kind
 * of outcome, then `npm run report` on its run folder. Playwright's HTML report and Allure
 * must show each PO's outcome: FAILED, PARTIAL and TIMEOUT as failed tests with their
 * reason, the others passed, without a retry or a window restart for any of them. Allure
 * shows one entry per window start, the windows on the timeline, the environment with the
 * tenant host only; and no report may hold a session cookie, a token or the sign-in
 * password, however the report packs its data.
 */
const catalogue = fixtureCatalogue();
const pick = (status: string, count: number, where: (po: SimPo) => boolean = () => true): SimPo[] =>
  catalogue.pos.filter((po) => expectedOutcome(po).status === status && where(po)).slice(0, count);
const pos = [
  ...pick('COMPLETED', 2),
  ...pick('PO_NOT_FOUND', 1, (po) => po.errorVariant === 'flash-error'),
  ...pick('NO_ATTACHMENTS', 1),
  ...pick('FAILED', 1),
  ...pick('PARTIAL', 1),
  ...pick('TIMEOUT', 1),
];
const FAILING: PoStatus[] = ['FAILED', 'PARTIAL', 'TIMEOUT'];
const SECRETS = ['coupa_session=', 'idp_stay=', 'token='];
/** As the CSV report counts them: downloads that failed are failed, a page that never came is broken. */
const ALLURE_STATUS: Partial<Record<PoStatus, string>> = { FAILED: 'failed', PARTIAL: 'failed', TIMEOUT: 'broken' };
const CATEGORY: Partial<Record<PoStatus, string>> = {
  PO_NOT_FOUND: 'Business outcome: PO not found',
  NO_ATTACHMENTS: 'Business outcome: no attachments',
  FAILED: 'Business outcome: failed downloads',
  PARTIAL: 'Business outcome: partial download',
  TIMEOUT: 'Business outcome: timeout',
};

let harness: JobHarness;
let run: { code: number | null; output: string };
let runRoot: string;
let journal: Map<string, PoResult>;
let report: { status: number | null; output: string };

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(300_000);
  expect(pos.map((po) => expectedOutcome(po).status)).toEqual(['COMPLETED', 'COMPLETED', 'PO_NOT_FOUND', 'NO_ATTACHMENTS', 'FAILED', 'PARTIAL', 'TIMEOUT']);
  harness = await createJobHarness({ name: 'reports', inputCsv: inputCsvText(pos), env: { WORKERS: '2' } });
  run = await harness.run();
  runRoot = harness.runRoots()[0];
  journal = harness.journal(runRoot);
  const generated = spawnSync('npm', ['run', 'report', '--', runRoot], { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 120_000 });
  report = { status: generated.status, output: `${generated.stdout}${generated.stderr}` };
});

test.afterAll(async () => {
  await harness?.close();
});

/** Every JSON file of a folder tree, parsed. */
function jsonFiles(dir: string): unknown[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as unknown);
}

interface ReportTestResult {
  name: string;
  status: string;
  error?: { message?: string };
  labels: { name: string; value: string }[];
  categories?: { name: string }[];
}

function reportTestResults(reportDir: string): ReportTestResult[] {
  return jsonFiles(path.join(reportDir, 'data', 'test-results')) as ReportTestResult[];
}

test('the job ran the POs with their expected outcomes in two windows, neither restarted for a business outcome', () => {
  // POs remain to retry (exit code 1).
  expect(run.code, run.output).toBe(1);
  for (const po of pos) expect(journal.get(po.id)?.status, po.id).toBe(expectedOutcome(po).status);
  const windows = new WindowRecordStore(runPaths(runRoot).windowsDir).all();
  expect(windows.map((w) => [w.window, w.workerIndex, w.rounds?.length])).toEqual([
    ['A', 0, 1],
    ['B', 1, 1],
  ]);
  expect(run.output).not.toContain('its window restarts');
  expect(fs.existsSync(path.join(runRoot, 'playwright-report', 'index.html'))).toBe(true);
});

test('the CSV report quotes what Coupa\'s error box said, not a CSS selector', () => {
  const reportFile = fs.readdirSync(runRoot).find((f) => /^CoupaDownloads_Report_\d{8}-\d{6}\.csv$/.test(f))!;
  const report = readInputFile(path.join(runRoot, reportFile));
  const notFound = pos.find((po) => po.errorVariant === 'flash-error')!;
  const row = report.rows.find((r) => r.values[0].includes(notFound.id))!;
  const message = row.values[report.headers.indexOf('ERROR_MESSAGE')];
  expect(message).toMatch(new RegExp(`^Coupa shows "Record ${notFound.id} is unavailable\\." for this PO`));
  expect(message).not.toContain('div.flash_error');
});

test('Playwright\'s HTML report shows each PO\'s outcome; FAILED, PARTIAL and TIMEOUT are failed with their reason, once, in their first window', () => {
  const tests = htmlReportTests(path.join(runRoot, 'playwright-report'));
  for (const po of pos) {
    const outcome = journal.get(po.id)!;
    const found = tests.find((t) => t.title.includes(po.id));
    expect(found, po.id).toBeDefined();
    expect(found!.results, `${po.id} ran once`).toHaveLength(1);
    const [result] = found!.results;
    const failing = FAILING.includes(outcome.status);
    expect([found!.outcome, result.status], po.id).toEqual(failing ? ['unexpected', 'failed'] : ['expected', 'passed']);
    expect(result.errors.map((e) => e.message), po.id).toEqual(failing ? [`Outcome ${outcome.status}: ${cleanText(outcome.errorMessage)}`] : []);
    expect([0, 1], `${po.id} ran in one of the two first workers`).toContain(result.workerIndex);

    // What the page shows: readable annotations; the raw JSON ones are underscore-named, which the page hides.
    const shown = result.annotations.filter((a) => !a.type.startsWith('_'));
    expect(shown).toContainEqual({ type: 'Outcome', description: outcome.status });
    expect(shown).toContainEqual({ type: 'Files', description: `${outcome.attachmentsFound} found, ${outcome.attachmentsDownloaded} downloaded` });
    if (outcome.supplier) expect(shown).toContainEqual({ type: 'Supplier', description: outcome.supplier });
    if (outcome.status !== 'COMPLETED' && outcome.errorMessage) expect(shown).toContainEqual({ type: 'Reason', description: cleanText(outcome.errorMessage) });
    for (const a of shown) expect(a.description ?? '', `${po.id} ${a.type}`).not.toMatch(/^[{[]/);
    expect(result.annotations.map((a) => a.type)).toContain('_coupa-po');
    expect(result.attachments.filter((a) => !a.name.startsWith('_')).map((a) => a.name)).not.toContain('po-result.json');
    expect(result.attachments.map((a) => a.name)).toContain('_po-result.json');
    expect(JSON.stringify(result.steps)).not.toContain('_po-result.json');
  }
});

test('the Allure results carry each PO\'s outcome, window thread and tags, categories and environment', () => {
  const resultsDir = path.join(runRoot, 'allure-results');
  const results = fs
    .readdirSync(resultsDir)
    .filter((f) => f.endsWith('-result.json'))
    .map((f) => JSON.parse(fs.readFileSync(path.join(resultsDir, f), 'utf8')) as ReportTestResult & { statusDetails?: { message?: string } });
  for (const po of pos) {
    const outcome = journal.get(po.id)!;
    const found = results.filter((r) => r.name.includes(po.id));
    expect(found, `${po.id}: one result, no retry`).toHaveLength(1);
    const [result] = found;
    expect(result.labels).toContainEqual({ name: 'thread', value: `window ${outcome.window}` });
    expect(result.labels).toContainEqual({ name: 'tag', value: outcome.status });
    expect(result.labels).toContainEqual({ name: 'suite', value: outcome.status });
    expect(result.status, po.id).toBe(ALLURE_STATUS[outcome.status] ?? 'passed');
    expect(result.statusDetails?.message).toBe(outcome.status === 'COMPLETED' ? undefined : `Outcome ${outcome.status}: ${cleanText(outcome.errorMessage)}`);
  }
  expect(fs.existsSync(path.join(resultsDir, 'categories.json'))).toBe(true);
  const environment = fs.readFileSync(path.join(resultsDir, 'environment.properties'), 'utf8');
  expect(environment).toContain(`Coupa.host=${new URL(harness.env.COUPA_BASE_URL).host}\n`);
  expect(environment).not.toContain('http');
});

test('npm run report generates the Allure HTML report into the run folder and says how to open it', () => {
  expect(report.status, report.output).toBe(0);
  const reportDir = path.join(runRoot, 'allure-report');
  expect(report.output).toContain(`Allure report of ${path.basename(runRoot)}: ${path.join(reportDir, 'index.html')}`);
  expect(report.output).toContain(`npx allure open "${reportDir}"`);
  const index = fs.readFileSync(path.join(reportDir, 'index.html'), 'utf8');
  expect(index).toContain(`Coupa downloads ${path.basename(runRoot)}`);
  expect(index, 'the page must not load a third-party tracker').not.toMatch(/googletagmanager|gtag\(/);
});

test('the Allure report holds every PO test in its outcome category and one entry per window', () => {
  const reportDir = path.join(runRoot, 'allure-report');
  const tests = reportTestResults(reportDir);
  for (const po of pos) {
    const outcome = journal.get(po.id)!;
    const found = tests.find((t) => t.name.includes(po.id));
    expect(found, `${po.id} in the report`).toBeDefined();
    expect(found!.status, po.id).toBe(ALLURE_STATUS[outcome.status] ?? 'passed');
    const categories = (found!.categories ?? []).map((c) => c.name);
    expect(categories, po.id).toEqual(outcome.status === 'COMPLETED' ? [] : [CATEGORY[outcome.status]]);
  }
  // The statistics match the CSV report: every PO once, by its outcome.
  const poTests = tests.filter((t) => pos.some((po) => t.name.includes(po.id)));
  const count = (status: string) => poTests.filter((t) => t.status === status).length;
  expect([count('passed'), count('failed'), count('broken')]).toEqual([4, 2, 1]);

  for (const record of new WindowRecordStore(runPaths(runRoot).windowsDir).all()) {
    const entries = tests.filter((t) => t.name.startsWith(`Window ${record.window}, start `));
    expect(entries.map((t) => [t.name, t.status])).toEqual([[`Window ${record.window}, start 1: ${record.kind} profile, verified`, 'passed']]);
    expect(entries[0].labels).toContainEqual({ name: 'suite', value: 'Windows' });
    expect(entries[0].labels).toContainEqual({ name: 'subSuite', value: `Window ${record.window}` });
  }

  const categories = JSON.stringify(JSON.parse(fs.readFileSync(path.join(reportDir, 'widgets', 'categories.json'), 'utf8')));
  for (const status of ['PO_NOT_FOUND', 'NO_ATTACHMENTS', 'FAILED', 'PARTIAL', 'TIMEOUT'] as const) expect(categories).toContain(CATEGORY[status]);

  const timeline = JSON.parse(fs.readFileSync(path.join(reportDir, 'widgets', 'timeline.json'), 'utf8')) as { name: string; thread: string }[];
  for (const po of pos) {
    expect(timeline.find((t) => t.name.includes(po.id))?.thread, po.id).toBe(`window ${journal.get(po.id)!.window}`);
  }

  const environment = JSON.parse(fs.readFileSync(path.join(reportDir, 'widgets', 'allure_environment.json'), 'utf8')) as { name: string; values: string[] }[];
  expect(environment).toContainEqual({ name: 'Coupa.host', values: [new URL(harness.env.COUPA_BASE_URL).host] });
  expect(environment).toContainEqual({ name: 'Workers', values: ['2'] });
  expect(environment.find((e) => e.name === 'Windows.verified')?.values[0]).toMatch(/^2 of 2 /);
});

/** What a file holds once its packing is undone: zip entries, base64 data URIs, and the data files a single-file Allure report embeds. */
function searchableTexts(file: string): { where: string; text: string }[] {
  const bytes = fs.readFileSync(file);
  if (bytes.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]))) {
    return unzip(bytes).map((e) => ({ where: `${file}!${e.name}`, text: e.data.toString('utf8') }));
  }
  const text = bytes.toString('utf8');
  const found = [{ where: file, text }];
  for (const match of text.matchAll(/data:([\w/+.-]+);base64,([A-Za-z0-9+/=]+)/g)) {
    const decoded = Buffer.from(match[2], 'base64');
    const where = `${file} (embedded ${match[1]})`;
    if (match[1] === 'application/zip') found.push(...unzip(decoded).map((e) => ({ where: `${where}!${e.name}`, text: e.data.toString('utf8') })));
    else found.push({ where, text: decoded.toString('utf8') });
  }
  for (const match of text.matchAll(/\bd\("([^"]+)","([A-Za-z0-9+/=]*)"\)/g)) {
    found.push({ where: `${file} (embedded ${match[1]})`, text: Buffer.from(match[2], 'base64').toString('utf8') });
  }
  return found;
}

/** A secret assignment, not code that compares a `token` field (`token===`). */
const secretPatterns = (password: string) => [...SECRETS.map((s) => new RegExp(`${s}(?!=)`)), new RegExp(password.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), /demo-password/];

function scan(dirs: string[], password: string): { scanned: string[]; findings: string[] } {
  const scanned: string[] = [];
  const findings: string[] = [];
  for (const dir of dirs) {
    for (const relative of fs.readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
      const file = path.join(dir, relative);
      if (!fs.statSync(file).isFile()) continue;
      for (const { where, text } of searchableTexts(file)) {
        scanned.push(where);
        for (const pattern of secretPatterns(password)) if (pattern.test(text)) findings.push(`${pattern.source} in ${where}`);
      }
    }
  }
  return { scanned, findings };
}

test('no report holds a session cookie, a token or the sign-in password, also once decoded', () => {
  const { scanned, findings } = scan(
    ['allure-results', 'allure-report', 'playwright-report'].map((f) => path.join(runRoot, f)),
    harness.sim.options().credentials.password,
  );
  expect(findings).toEqual([]);
  // The scan reached the data, not just the wrappers.
  expect(scanned.filter((s) => s.includes(`playwright-report${path.sep}index.html (embedded application/zip)!`)).length).toBeGreaterThan(0);
  expect(scanned.filter((s) => s.includes(`allure-report${path.sep}data${path.sep}test-results`)).length).toBeGreaterThanOrEqual(pos.length);
  expect(scanned.some((s) => s.endsWith('environment.properties'))).toBe(true);
});

test('--single-file makes one self-contained page with the same content and nothing secret in it', () => {
  const generated = spawnSync('npm', ['run', 'report', '--', '--single-file', runRoot], { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 120_000 });
  expect(generated.status, `${generated.stdout}${generated.stderr}`).toBe(0);
  const reportDir = path.join(runRoot, 'allure-report');
  expect(fs.readdirSync(reportDir).sort()).toEqual(['index.html', 'summary.json', 'test-results.json']);
  const index = path.join(reportDir, 'index.html');
  expect(fs.readFileSync(index, 'utf8')).not.toMatch(/googletagmanager|gtag\(/);
  const embedded = searchableTexts(index).filter((t) => t.where.includes('(embedded data/test-results/'));
  for (const po of pos) expect(embedded.some((t) => t.text.includes(po.id)), po.id).toBe(true);
  expect(embedded.some((t) => t.text.includes('"Windows"'))).toBe(true);
  expect(scan([reportDir], harness.sim.options().credentials.password).findings).toEqual([]);
});

test('the run summary is written in the run folder and printed at the end of the run', () => {
  const file = path.join(runRoot, 'run-summary.json');
  const summary = JSON.parse(fs.readFileSync(file, 'utf8')) as { pos: { withResult: number }; windows: { window: string; verified: boolean }[] };
  expect(summary.pos.withResult).toBe(pos.length);
  expect(summary.windows.map((w) => w.verified)).toEqual(summary.windows.map(() => true));
  expect(run.output).toContain('Run summary');
  for (const needle of SECRETS) expect(fs.readFileSync(file, 'utf8')).not.toContain(needle);
});
