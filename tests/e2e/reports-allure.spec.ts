import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { expect, test } from '@playwright/test';
import type { PoResult } from '../../support/po-result.js';
import { PROJECT_ROOT } from '../../commands/job-process.js';
import { expectedOutcome, fixtureCatalogue, inputCsvText, type SimPo } from '../../tooling/simulator/index.js';
import { runPaths } from '../../support/run-state/run-paths.js';
import { WindowRecordStore } from '../../support/run-state/window-records.js';
import { createJobHarness, type JobHarness } from './helpers/job-harness.js';

/**
 * The reports of a real run: a small job (two windows) over catalogue POs with business
 * outcomes, then `npm run report` on its run folder. The Allure report must show every PO
 * test with its outcome category, one entry per window, the windows on the timeline, the
 * environment with the tenant host only; and no report may hold a session cookie, a
 * token or the sign-in password, however the report packs its data.
 */
const catalogue = fixtureCatalogue();
const pick = (status: string, count: number): SimPo[] => catalogue.pos.filter((po) => expectedOutcome(po).status === status).slice(0, count);
const pos = [...pick('COMPLETED', 2), ...pick('PO_NOT_FOUND', 1), ...pick('NO_ATTACHMENTS', 1)];
const SECRETS = ['coupa_session=', 'idp_stay=', 'token='];

let harness: JobHarness;
let run: { code: number | null; output: string };
let runRoot: string;
let journal: Map<string, PoResult>;
let report: { status: number | null; output: string };

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(240_000);
  expect(pos.map((po) => expectedOutcome(po).status)).toEqual(['COMPLETED', 'COMPLETED', 'PO_NOT_FOUND', 'NO_ATTACHMENTS']);
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

test('the job ran the POs with their expected outcomes in two windows', () => {
  expect(run.code, run.output).toBe(0);
  for (const po of pos) expect(journal.get(po.id)?.status, po.id).toBe(expectedOutcome(po).status);
  expect(new WindowRecordStore(runPaths(runRoot).windowsDir).all().map((w) => w.window)).toEqual(['A', 'B']);
  expect(fs.existsSync(path.join(runRoot, 'playwright-report', 'index.html'))).toBe(true);
});

test('the Allure results carry each PO\'s outcome, window thread and tags, categories and environment', () => {
  const resultsDir = path.join(runRoot, 'allure-results');
  const results = fs
    .readdirSync(resultsDir)
    .filter((f) => f.endsWith('-result.json'))
    .map((f) => JSON.parse(fs.readFileSync(path.join(resultsDir, f), 'utf8')) as ReportTestResult & { statusDetails?: { message?: string } });
  for (const po of pos) {
    const outcome = journal.get(po.id)!;
    const result = results.find((r) => r.name.includes(po.id));
    expect(result, po.id).toBeDefined();
    expect(result!.labels).toContainEqual({ name: 'thread', value: `window ${outcome.window}` });
    expect(result!.labels).toContainEqual({ name: 'tag', value: outcome.status });
    expect(result!.statusDetails?.message).toBe(outcome.status === 'COMPLETED' ? undefined : `Outcome ${outcome.status}: ${outcome.errorMessage}`);
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
    expect(found!.status).toBe('passed');
    const category = found!.categories?.[0]?.name;
    if (outcome.status === 'PO_NOT_FOUND') expect(category).toBe('Business outcome: PO not found');
    if (outcome.status === 'NO_ATTACHMENTS') expect(category).toBe('Business outcome: no attachments');
    if (outcome.status === 'COMPLETED') expect(category).toBeUndefined();
  }
  for (const record of new WindowRecordStore(runPaths(runRoot).windowsDir).all()) {
    const entry = tests.find((t) => t.name.startsWith(`Window ${record.window}: ${record.kind} profile`));
    expect(entry, `window ${record.window} entry`).toBeDefined();
    expect(entry!.labels).toContainEqual({ name: 'suite', value: 'Windows' });
  }

  const categories = JSON.stringify(JSON.parse(fs.readFileSync(path.join(reportDir, 'widgets', 'categories.json'), 'utf8')));
  expect(categories).toContain('Business outcome: PO not found');
  expect(categories).toContain('Business outcome: no attachments');

  const timeline = JSON.parse(fs.readFileSync(path.join(reportDir, 'widgets', 'timeline.json'), 'utf8')) as { name: string; thread: string }[];
  for (const po of pos) {
    expect(timeline.find((t) => t.name.includes(po.id))?.thread, po.id).toBe(`window ${journal.get(po.id)!.window}`);
  }

  const environment = JSON.parse(fs.readFileSync(path.join(reportDir, 'widgets', 'allure_environment.json'), 'utf8')) as { name: string; values: string[] }[];
  expect(environment).toContainEqual({ name: 'Coupa.host', values: [new URL(harness.env.COUPA_BASE_URL).host] });
  expect(environment).toContainEqual({ name: 'Workers', values: ['2'] });
  expect(environment.find((e) => e.name === 'Windows.verified')?.values[0]).toMatch(/^2 of 2 /);
});

/** The entries of a zip archive (stored or deflated), read from its central directory. */
function unzip(archive: Buffer): { name: string; data: Buffer }[] {
  const end = archive.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  expect(end, 'zip end-of-central-directory record').toBeGreaterThanOrEqual(0);
  const count = archive.readUInt16LE(end + 10);
  let at = archive.readUInt32LE(end + 16);
  const entries: { name: string; data: Buffer }[] = [];
  for (let i = 0; i < count; i++) {
    const method = archive.readUInt16LE(at + 10);
    const compressed = archive.readUInt32LE(at + 20);
    const nameLength = archive.readUInt16LE(at + 28);
    const extraLength = archive.readUInt16LE(at + 30);
    const commentLength = archive.readUInt16LE(at + 32);
    const local = archive.readUInt32LE(at + 42);
    const name = archive.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    const dataStart = local + 30 + archive.readUInt16LE(local + 26) + archive.readUInt16LE(local + 28);
    const raw = archive.subarray(dataStart, dataStart + compressed);
    entries.push({ name, data: method === 8 ? zlib.inflateRawSync(raw) : raw });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

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
