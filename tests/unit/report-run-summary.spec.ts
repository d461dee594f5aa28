import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import type { PoResult, PoStatus } from '../../support/po-result.js';
import { cleanText } from '../../support/report/clean-text.js';
import { buildRunSummary, formatRunSummary, writeRunSummary, type RunSummaryInput } from '../../support/report/run-summary.js';
import type { WindowRecord } from '../../support/window/window-record.js';

const started = new Date('2025-03-04T09:00:00.000Z');
const ended = new Date('2025-03-04T09:02:00.000Z');
const root = path.join(os.tmpdir(), 'runs', '20250304-10h00_CoupaDownloads');

function po(id: string, status: PoStatus, window: string, options: { bytes?: number[]; finishedAt?: string; errorMessage?: string; pdfs?: number } = {}): PoResult {
  return {
    id,
    poNumber: `PO${id}`,
    status,
    supplier: 'Acme',
    attachmentsFound: options.bytes?.length ?? 0,
    attachmentsDownloaded: options.bytes?.length ?? 0,
    files: (options.bytes ?? []).map((bytes, i) => ({ name: `f${i}.pdf`, bytes, sha256: 'x', source: 'PO' as const })),
    convertedPdfs: Array.from({ length: options.pdfs ?? 0 }, (_, i) => `m${i}.pdf`),
    finishedAt: options.finishedAt ?? '2025-03-04T09:01:00.000Z',
    errorMessage: options.errorMessage ?? '',
    downloadFolder: '',
    coupaUrl: `https://acme.coupahost.com/order_headers/${id}?session=abc`,
    window,
    durationMs: 1000,
  };
}

function windowRecord(window: string, kind: 'base' | 'clone', overrides: Partial<WindowRecord> = {}): WindowRecord {
  return {
    window,
    parallelIndex: window.charCodeAt(0) - 65,
    workerIndex: window.charCodeAt(0) - 65,
    pid: 1,
    kind,
    userDataDir: `/profiles/${window}`,
    profileDir: `/profiles/${window}/Default`,
    state: 'closed',
    verification: [
      { method: 'session', ok: true, detail: 'signed in', durationMs: 10 },
      { method: 'checksum', ok: true, detail: 'same bytes', durationMs: 5 },
    ],
    attempts: 1,
    remediation: [],
    timings: { slotWaitMs: 0, cloneMs: 0, launchWaitMs: 0, launchMs: 100, verifyMs: 100, totalStartMs: 200 },
    cloneSpans: [],
    launchSpans: [],
    heldBeforeLaunch: [],
    browser: 'Chromium at /usr/bin/chromium',
    posDone: 0,
    posFailed: 0,
    startedAt: started.toISOString(),
    ...overrides,
  } as WindowRecord;
}

const paths = {
  runRoot: root,
  reportCsv: path.join(root, 'CoupaDownloads_Report_20250304-100200.csv'),
  htmlReport: path.join(root, 'playwright-report'),
  allureResults: path.join(root, 'allure-results'),
  windowSummary: path.join(root, 'window-summary.json'),
  runSummary: path.join(root, 'run-summary.json'),
};

function input(overrides: Partial<RunSummaryInput> = {}): RunSummaryInput {
  return {
    results: [
      po('4100001', 'COMPLETED', 'A', { bytes: [1000, 2000] }),
      po('4100002', 'COMPLETED', 'B', { bytes: [500_000], pdfs: 1 }),
      // Finished before this run started: a resumed run's earlier PO.
      po('4100003', 'COMPLETED', 'A', { bytes: [10], finishedAt: '2025-03-03T17:00:00.000Z' }),
      po('4100004', 'PO_NOT_FOUND', 'B', { errorMessage: 'Coupa shows "Access denied" for this PO (https://acme.coupahost.com/order_headers/4100004?token=abc123)' }),
      po('4100005', 'FAILED', '', { errorMessage: 'Failed after 3 attempt(s): Test timeout of 300000ms exceeded.' }),
      po('4100006', 'PARTIAL', 'B', { bytes: [700], errorMessage: '1 of 2 file(s) not downloaded: Set-Cookie: coupa_session=s3cr3t; path=/' }),
    ],
    rowsByStatus: { COMPLETED: 4, PO_NOT_FOUND: 1, FAILED: 1, PARTIAL: 1 },
    windows: [
      windowRecord('A', 'base', { posDone: 2 }),
      windowRecord('B', 'clone', { state: 'failed', posFailed: 1, remediation: [{ step: 're-clone', ok: false, reason: 'x', at: started.toISOString() }] as WindowRecord['remediation'] }),
      windowRecord('B', 'clone', { workerIndex: 3, posDone: 3 }),
    ],
    startedAt: started,
    endedAt: ended,
    paths,
    plannedPos: 6,
    unfinishedPos: 0,
    ...overrides,
  };
}

test('totals: POs by status, files and bytes downloaded, duration and POs per minute of this run', () => {
  const summary = buildRunSummary(input());
  expect(summary.durationMs).toBe(120_000);
  expect(summary.pos).toEqual({ planned: 6, withResult: 6, processedThisRun: 5, perMinute: 2.5, unfinished: 0 });
  expect(summary.rowsByStatus).toEqual({ COMPLETED: 4, PO_NOT_FOUND: 1, FAILED: 1, PARTIAL: 1 });
  expect(summary.posByStatus).toEqual({ COMPLETED: 3, PO_NOT_FOUND: 1, FAILED: 1, PARTIAL: 1 });
  expect(summary.files).toEqual({ downloaded: 5, bytes: 1000 + 2000 + 500_000 + 10 + 700, convertedPdfs: 1 });
  expect(summary.reports).toEqual(paths);
});

test('one row per window: its last start decides whether it is verified, POs and files come from the results', () => {
  const [a, b] = buildRunSummary(input()).windows;
  expect(a).toEqual({
    window: 'A',
    profile: 'base',
    starts: 1,
    verified: true,
    verification: 'session ok, checksum ok',
    attempts: 1,
    remediationSteps: 0,
    remediation: [],
    timings: { cloneMs: 0, launchMs: 100, verifyMs: 100 },
    profilePath: '/profiles/A/Default',
    pos: 2,
    files: 3,
    bytes: 3010,
    failedAttempts: 0,
  });
  expect(b).toMatchObject({ window: 'B', profile: 'clone', starts: 2, verified: true, remediationSteps: 1, pos: 3, files: 2, bytes: 500_700, failedAttempts: 1 });

  const failedLast = buildRunSummary(input({ windows: [windowRecord('A', 'base', { state: 'failed', verification: [{ method: 'session', ok: false, detail: 'sign-in form', durationMs: 3 }] })] }));
  expect(failedLast.windows[0]).toMatchObject({ window: 'A', verified: false, verification: 'session FAILED' });
  // A window known only from results (its record is missing) still gets a row, marked unverified.
  expect(failedLast.windows.map((w) => [w.window, w.verified, w.verification])).toContainEqual(['B', false, 'no record']);
});

test('every browser start counts, parked-and-back included; the verify runs and timings are those of the last start', () => {
  const round = (startedAt: string, attempts: number, verifyMs: number) => ({
    trigger: 'start' as const,
    startedAt,
    endedAt: startedAt,
    result: 'verified' as const,
    verification: [],
    attempts,
    remediation: [],
    timings: { slotWaitMs: 0, cloneMs: 40, launchWaitMs: 0, launchMs: 50, verifyMs },
  });
  const parkedAndBack = windowRecord('C', 'clone', {
    attempts: 4,
    rounds: [round('2025-03-04T09:00:00.000Z', 1, 100), { ...round('2025-03-04T09:01:00.000Z', 3, 900), trigger: 'unpark' }],
  });
  const [c] = buildRunSummary(input({ windows: [parkedAndBack], results: [] })).windows;
  expect(c).toMatchObject({ window: 'C', starts: 2, attempts: 3, timings: { cloneMs: 40, launchMs: 50, verifyMs: 900 } });
});

test('POs that did not complete are listed with the actionable ones first and without query strings or secrets', () => {
  const summary = buildRunSummary(input());
  expect(summary.notCompleted.map((i) => [i.poNumber, i.status, i.window])).toEqual([
    ['PO4100005', 'FAILED', ''],
    ['PO4100006', 'PARTIAL', 'B'],
    ['PO4100004', 'PO_NOT_FOUND', 'B'],
  ]);
  const json = JSON.stringify(summary);
  expect(json).not.toContain('abc123');
  expect(json).not.toContain('s3cr3t');
  expect(json).not.toContain('?session=');
  expect(summary.notCompleted[2].message).toBe('Coupa shows "Access denied" for this PO (https://acme.coupahost.com/order_headers/4100004)');
  expect(summary.notCompleted[1].message).toBe('1 of 2 file(s) not downloaded: Set-Cookie: [removed]; path=/');
});

test('cleanText drops URL queries and fragments and the values of secret-looking assignments', () => {
  expect(cleanText('see http://127.0.0.1:4000/sso/callback?token=eyJabc.def&next=%2F now')).toBe('see http://127.0.0.1:4000/sso/callback now');
  expect(cleanText('https://x.example/a#access_token=zz')).toBe('https://x.example/a');
  expect(cleanText('idp_stay=1234; password: "hunter 2"')).toBe('idp_stay=[removed]; password: [removed]');
  expect(cleanText('PO page could not be opened after 3 attempts (HTTP 500)')).toBe('PO page could not be opened after 3 attempts (HTTP 500)');
});

test('the load account is kept, cleaned the same way', () => {
  const summary = buildRunSummary(input({ load: { parked: [{ window: 'C', reason: 'CPU 95% at http://127.0.0.1:9/x?token=t' }], peakCpu: 95 } }));
  expect(summary.load).toEqual({ parked: [{ window: 'C', reason: 'CPU 95% at http://127.0.0.1:9/x' }], peakCpu: 95 });
  expect('load' in buildRunSummary(input())).toBe(false);
});

test('the terminal text has the totals, the window table, what did not complete and where the reports are, without colour codes', () => {
  const text = formatRunSummary(buildRunSummary(input()));
  expect(text).not.toMatch(/\u001b\[/);
  expect(text).toContain('5 PO(s) processed, 2.5 POs/min');
  expect(text).toContain('(2m 00s)');
  expect(text).toContain('Status    COMPLETED 4 · PARTIAL 1 · FAILED 1 · PO_NOT_FOUND 1');
  expect(text).toContain('Files     5 downloaded, 504 kB (+1 PDF(s) made from Outlook messages)');
  expect(text).toContain('Windows: all 2 verified on their profile');
  const lines = text.split('\n');
  const header = lines.find((l) => l.trimStart().startsWith('Window  '))!;
  const rowA = lines.find((l) => /^ {2}A {2,}base/.test(l))!;
  // Columns line up under their headers.
  expect(rowA.indexOf('yes')).toBe(header.indexOf('Verified'));
  expect(text).toMatch(/\n {2}B +clone +yes +2 +1 +0\.0 s \/ 0\.1 s \/ 0\.1 s +3 +2 +501 kB +1 +session ok, checksum ok/);
  expect(text).toMatch(/\n {2}B: \/profiles\/B\/Default {2}— remediation: re-clone/);
  expect(header).toMatch(/Starts +Verify runs +Clone\/launch\/verify/);
  expect(text).toContain('Verify runs: verification runs of the last start (1 = passed at once)');
  expect(text).toContain('Not completed: 3 PO(s)');
  expect(text).toMatch(/PO4100005 +FAILED +- +Failed after 3 attempt\(s\)/);
  expect(text).toContain(`Reports in ${root}`);
  expect(text).toMatch(/CSV report +CoupaDownloads_Report_20250304-100200\.csv/);
  expect(text).toContain(`npm run report -- "${root}"`);
  expect(text).toContain(`npx playwright show-report "${paths.htmlReport}"`);
  expect(text).not.toContain('Unfinished');
  expect(text).not.toContain('Excel report');
  expect(text).not.toContain('Timeline');
  const withTimeline = formatRunSummary(buildRunSummary(input({ paths: { ...paths, timeline: path.join(root, 'timeline.html') } })));
  expect(withTimeline).toMatch(/\n {2}Timeline +timeline\.html {2}→ open it in a web browser/);
});

test('colour is added only when asked for, and the words stay the same', () => {
  const summary = buildRunSummary(input());
  const colored = formatRunSummary(summary, { color: true });
  expect(colored).toMatch(/\u001b\[31mFAILED 1\u001b\[0m/);
  expect(colored.replace(/\u001b\[\d+m/g, '')).toBe(formatRunSummary(summary));
});

test('a long list of not-completed POs is cut, and unfinished POs and an Excel report are mentioned', () => {
  const many = Array.from({ length: 12 }, (_, i) => po(String(4200000 + i), 'TIMEOUT', 'A', { errorMessage: `slow ${'x'.repeat(200)}` }));
  const text = formatRunSummary(
    buildRunSummary(input({ results: many, unfinishedPos: 3, paths: { ...paths, reportXlsx: path.join(root, 'CoupaDownloads_Report_20250304-100200.xlsx') } })),
  );
  expect(text).toContain('Not completed: 12 PO(s) (first 8; the report lists all)');
  expect(text.split('\n').filter((l) => l.includes('TIMEOUT')).length).toBe(8);
  expect(text.split('\n').every((l) => !l.includes('x'.repeat(100)))).toBe(true);
  expect(text).toContain('Unfinished 3 PO(s): run the same command again to resume.');
  expect(text).toMatch(/Excel report +CoupaDownloads_Report_20250304-100200\.xlsx/);
});

test('a window that failed for good is called out', () => {
  const text = formatRunSummary(buildRunSummary(input({ windows: [windowRecord('A', 'base'), windowRecord('B', 'clone', { state: 'failed' })] })));
  expect(text).toContain('Windows: NOT all verified');
  expect(text).toMatch(/\n {2}B +clone +NO /);
});

test('writeRunSummary writes the summary as JSON that reads back the same', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'run-summary-'));
  try {
    const summary = buildRunSummary(input());
    const file = path.join(dir, 'run-summary.json');
    writeRunSummary(file, summary);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual(summary);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
