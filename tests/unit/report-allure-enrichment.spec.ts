import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import type { PoResult, PoStatus } from '../../support/po-result.js';
import { ALLURE_CATEGORIES } from '../../support/report/allure-categories.js';
import { outcomeMessage } from '../../support/report/po-outcome.js';
import { buildAllureEnvironment, formatProperties, type AllureEnvironmentInput } from '../../support/report/allure-environment.js';
import { enrichAllureResults, enrichPoTestResult, type AllureTestResult } from '../../support/report/allure-enrichment.js';

let dir: string;
test.beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'report-enrichment-'));
});
test.afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function poResult(id: string, status: PoStatus, window: string, errorMessage = ''): PoResult {
  return {
    id,
    poNumber: `PO${id}`,
    status,
    supplier: 'Acme',
    attachmentsFound: 0,
    attachmentsDownloaded: 0,
    files: [],
    convertedPdfs: [],
    finishedAt: '2025-03-04T10:00:00.000+01:00',
    errorMessage,
    downloadFolder: '',
    coupaUrl: `https://acme.coupahost.com/order_headers/${id}`,
    window,
    durationMs: 1200,
  };
}

/** A result as allure-playwright writes it for a PO test; the PoResult goes in an attachment nested in a step, as Playwright reports testInfo.attach. */
function playwrightResult(uuid: string, name: string, status: string, thread: string, options: { attach?: PoResult; message?: string } = {}): AllureTestResult {
  let steps: AllureTestResult[] = [];
  if (options.attach) {
    const source = `${uuid}-po-attachment.json`;
    fs.writeFileSync(path.join(dir, source), JSON.stringify(options.attach));
    steps = [{ uuid: `${uuid}-step`, name: '_po-result.json', steps: [], attachments: [{ name: '_po-result.json', source, type: 'application/json' }] }];
  }
  return {
    uuid,
    name,
    status,
    statusDetails: options.message ? { message: options.message, trace: `${options.message}\n    at somewhere` } : {},
    steps,
    attachments: [],
    labels: [
      { name: 'framework', value: 'playwright' },
      { name: 'host', value: 'vm' },
      { name: 'thread', value: thread },
    ],
  };
}

function writeResult(result: AllureTestResult): void {
  fs.writeFileSync(path.join(dir, `${result.uuid}-result.json`), JSON.stringify(result));
}

function readResult(uuid: string): AllureTestResult {
  return JSON.parse(fs.readFileSync(path.join(dir, `${uuid}-result.json`), 'utf8')) as AllureTestResult;
}

const labelValues = (result: AllureTestResult, name: string) => (result.labels ?? []).filter((l) => l.name === name).map((l) => l.value);

const environment: AllureEnvironmentInput = {
  settings: {
    coupaBaseUrl: new URL('https://acme.coupahost.com/'),
    browserChannel: 'msedge',
    browserExecutable: undefined,
    profilePolicy: 'base-first',
    inputCsv: '/data/input/batch 12.csv',
  },
  workers: 3,
  windows: [],
  plannedPos: 4,
};

test('a business outcome becomes the message of the passed PO test, on the thread of the window that processed it', () => {
  const notFound = poResult('4100023', 'PO_NOT_FOUND', 'B', 'Coupa shows "Oops! We couldn\'t find what you wanted" for this PO');
  // Run in worker 0 (window A) but handed over to window B: the timeline shows who did the work.
  writeResult(playwrightResult('u1', 'PO4100023', 'passed', 'pid-99-worker-0', { attach: notFound }));
  const summary = enrichAllureResults(dir, { results: [], environment });
  const result = readResult('u1');
  expect(result.statusDetails?.message).toBe(`Outcome PO_NOT_FOUND: Coupa shows "Oops! We couldn't find what you wanted" for this PO`);
  expect(labelValues(result, 'thread')).toEqual(['window B']);
  expect(labelValues(result, 'tag').sort()).toEqual(['PO_NOT_FOUND', 'window B']);
  expect(labelValues(result, 'parentSuite')).toEqual(['Purchase orders']);
  expect(labelValues(result, 'suite')).toEqual(['PO_NOT_FOUND']);
  expect(labelValues(result, 'host')).toEqual(['vm']);
  expect(summary).toEqual({ poTests: 1, withOutcome: 1 });
});

test('a COMPLETED PO keeps an empty status message but gets its thread and tags', () => {
  writeResult(playwrightResult('u2', 'PO4100001', 'passed', 'pid-99-worker-2', { attach: poResult('4100001', 'COMPLETED', 'C') }));
  enrichAllureResults(dir, { results: [], environment });
  const result = readResult('u2');
  expect(result.statusDetails?.message).toBeUndefined();
  expect(labelValues(result, 'thread')).toEqual(['window C']);
  expect(labelValues(result, 'tag').sort()).toEqual(['COMPLETED', 'window C']);
});

test('a failed attempt keeps the Playwright error and runs on the thread of the window it failed in', () => {
  const message = 'AuthenticationLostError: window B lost its Coupa session at https://acme.coupahost.com/order_headers/4100005';
  writeResult(playwrightResult('u3', 'PO4100005', 'failed', 'pid-99-worker-1', { message }));
  // The PO was finished later by window C; that must not rewrite the failed attempt.
  enrichAllureResults(dir, { results: [poResult('4100005', 'COMPLETED', 'C')], environment });
  const result = readResult('u3');
  expect(result.statusDetails?.message).toBe(message);
  expect(result.statusDetails?.trace).toContain('at somewhere');
  expect(labelValues(result, 'thread')).toEqual(['window B']);
  expect(labelValues(result, 'tag')).toEqual(['window B']);
  expect(labelValues(result, 'suite')).toEqual(['Infrastructure faults']);
});

test('FAILED and PARTIAL POs are failed tests, a TIMEOUT is broken, each with its reason; the outcome reporter\'s failure is not an infrastructure fault', () => {
  const failed = poResult('4100021', 'FAILED', 'A', 'PO page: server answered HTTP 500 (3 attempts)');
  // As the outcome reporter hands it to allure-playwright: failed, with the outcome as the error.
  writeResult(playwrightResult('f1', 'PO4100021', 'failed', 'pid-99-worker-0', { attach: failed, message: outcomeMessage(failed) }));
  // An older results folder, written before the outcome reporter: passed, with the outcome attached.
  writeResult(playwrightResult('f2', 'PO4100030', 'passed', 'pid-99-worker-1', { attach: poResult('4100030', 'PARTIAL', 'B', 'damaged scan.pdf: server answered HTTP 500') }));
  writeResult(playwrightResult('f3', 'PO4100022', 'passed', 'pid-99-worker-1', { attach: poResult('4100022', 'TIMEOUT', 'B', 'PO page did not load within 4000 ms') }));
  writeResult(playwrightResult('f4', 'PO4100023', 'passed', 'pid-99-worker-1', { attach: poResult('4100023', 'LOCKED', 'B', 'Not processed: locked by another run') }));
  const summary = enrichAllureResults(dir, { results: [], environment });
  expect(summary).toEqual({ poTests: 4, withOutcome: 4 });

  const expectations: [string, string, string, string][] = [
    ['f1', 'failed', 'FAILED', 'Outcome FAILED: PO page: server answered HTTP 500 (3 attempts)'],
    ['f2', 'failed', 'PARTIAL', 'Outcome PARTIAL: damaged scan.pdf: server answered HTTP 500'],
    ['f3', 'broken', 'TIMEOUT', 'Outcome TIMEOUT: PO page did not load within 4000 ms'],
    ['f4', 'passed', 'LOCKED', 'Outcome LOCKED: Not processed: locked by another run'],
  ];
  for (const [uuid, status, suite, message] of expectations) {
    const result = readResult(uuid);
    expect(result.status, uuid).toBe(status);
    expect(labelValues(result, 'suite'), uuid).toEqual([suite]);
    expect(result.statusDetails?.message, uuid).toBe(message);
    expect(categoryOf(status, message), uuid).toBe(ALLURE_CATEGORIES.find((c) => c.messageRegex.startsWith(`^Outcome ${suite}:`))?.name);
  }
});

test('a passed PO test without an attachment is matched to its PO by the number in its title', () => {
  writeResult(playwrightResult('u4', 'PM4100018', 'passed', 'pid-99-worker-0'));
  enrichAllureResults(dir, { results: [poResult('4100017', 'COMPLETED', 'A'), poResult('4100018', 'NO_ATTACHMENTS', 'A', 'No attachments on the PO')], environment });
  const result = readResult('u4');
  expect(result.statusDetails?.message).toBe('Outcome NO_ATTACHMENTS: No attachments on the PO');
  expect(labelValues(result, 'tag').sort()).toEqual(['NO_ATTACHMENTS', 'window A']);
});

test('window entries, unreadable files and everything else in the folder are left alone', () => {
  const windowEntry = {
    uuid: 'w1',
    name: 'Window A: base profile, closed',
    status: 'passed',
    labels: [
      { name: 'suite', value: 'Windows' },
      { name: 'thread', value: 'window A' },
    ],
  };
  fs.writeFileSync(path.join(dir, 'w1-result.json'), JSON.stringify(windowEntry));
  fs.writeFileSync(path.join(dir, 'cut-result.json'), '{"uuid":"cut","na');
  fs.writeFileSync(path.join(dir, 'x-attachment.txt'), 'log');
  enrichAllureResults(dir, { results: [], environment });
  expect(JSON.parse(fs.readFileSync(path.join(dir, 'w1-result.json'), 'utf8'))).toEqual(windowEntry);
  expect(fs.readFileSync(path.join(dir, 'cut-result.json'), 'utf8')).toBe('{"uuid":"cut","na');
  expect(fs.readFileSync(path.join(dir, 'x-attachment.txt'), 'utf8')).toBe('log');
});

test('enriching twice (a resumed run) gives the same result as once', () => {
  writeResult(playwrightResult('u5', 'PO4100022', 'passed', 'pid-99-worker-1', { attach: poResult('4100022', 'TIMEOUT', 'B', 'PO page did not load') }));
  enrichAllureResults(dir, { results: [], environment });
  const once = readResult('u5');
  enrichAllureResults(dir, { results: [], environment });
  expect(readResult('u5')).toEqual(once);
});

test('enrichPoTestResult does not change the result it is given', () => {
  const original = playwrightResult('u6', 'PO4100030', 'passed', 'pid-99-worker-0');
  const copy = structuredClone(original);
  enrichPoTestResult(original, poResult('4100030', 'PARTIAL', 'A', '1 of 2 file(s) not downloaded'));
  expect(original).toEqual(copy);
});

/** Allure 2 matches a category regex against the whole message (Java `matches`), Allure 3 searches it: both must agree. */
function matches(regex: string, message: string): boolean {
  const partial = new RegExp(regex).test(message);
  const whole = new RegExp(`^(?:${regex})$`).test(message);
  expect(partial, `Allure 2 and 3 disagree on /${regex}/ for "${message}"`).toBe(whole);
  return whole;
}

function categoryOf(status: string, message: string): string | undefined {
  return ALLURE_CATEGORIES.find((c) => (c.matchedStatuses as string[]).includes(status) && matches(c.messageRegex, message))?.name;
}

test('categories.json separates every business outcome from the infrastructure faults', () => {
  enrichAllureResults(dir, { results: [], environment });
  expect(JSON.parse(fs.readFileSync(path.join(dir, 'categories.json'), 'utf8'))).toEqual(ALLURE_CATEGORIES);

  const outcome = (status: PoStatus) => outcomeMessage({ status, errorMessage: 'Coupa says "Access denied" (https://acme.coupahost.com/x)\nsecond line' });
  expect(categoryOf('passed', outcome('PO_NOT_FOUND'))).toBe('Business outcome: PO not found');
  expect(categoryOf('passed', outcome('NO_ATTACHMENTS'))).toBe('Business outcome: no attachments');
  expect(categoryOf('passed', outcome('PR_NOT_ACCESSIBLE'))).toBe('Business outcome: PR not accessible');
  expect(categoryOf('failed', outcome('PARTIAL'))).toBe('Business outcome: partial download');
  expect(categoryOf('failed', outcome('FAILED'))).toBe('Business outcome: failed downloads');
  expect(categoryOf('broken', outcome('TIMEOUT'))).toBe('Business outcome: timeout');
  // An outcome with the status of another kind is not that business outcome, and a COMPLETED PO has no message.
  expect(categoryOf('failed', outcome('PO_NOT_FOUND'))).toBeUndefined();
  expect(categoryOf('passed', outcome('FAILED'))).toBeUndefined();
  expect(categoryOf('passed', '')).toBeUndefined();
  // A PO whose own message mentions another status is classified by its status only.
  expect(categoryOf('failed', outcomeMessage({ status: 'PARTIAL', errorMessage: 'Outcome FAILED: earlier attempt' }))).toBe('Business outcome: partial download');
  // A reason quoting a browser error stays a business outcome, not an infrastructure fault.
  expect(categoryOf('failed', outcomeMessage({ status: 'FAILED', errorMessage: 'quote.pdf: Target page, context or browser has been closed' }))).toBe(
    'Business outcome: failed downloads',
  );

  expect(categoryOf('failed', 'AuthenticationLostError: Window B was sent to the sign-in page at https://idp.example/login')).toBe('Infrastructure: sign-in lost');
  expect(categoryOf('failed', "InfrastructureFault: Window C's browser is gone (crashed or killed); the worker restarts with a fresh window.")).toBe(
    'Infrastructure: browser crashed/killed',
  );
  expect(categoryOf('failed', "WindowGoneError: The window's browser closed while downloading (crashed or was killed).")).toBe('Infrastructure: browser crashed/killed');
  expect(categoryOf('failed', 'Error: Target page, context or browser has been closed')).toBe('Infrastructure: browser crashed/killed');
  expect(categoryOf('failed', 'Window B (clone profile /tmp/x/B/User Data/Default) could not be verified after 2 round(s) and 3 remediation step(s): session: sign-in form')).toBe(
    'Infrastructure: window could not be verified',
  );
  expect(categoryOf('failed', 'Test timeout of 300000ms exceeded.')).toBe('Infrastructure: test timeout');
  expect(categoryOf('broken', 'Fixture "jobWindow" timeout of 300000ms exceeded during setup.')).toBe('Infrastructure: test timeout');
  expect(categoryOf('failed', 'Error: something nobody planned for')).toBeUndefined();
  expect(categoryOf('passed', 'Test timeout of 300000ms exceeded.')).toBeUndefined();
});

test('environment.properties names the browser, windows and tenant host, never the tenant URL', () => {
  const windows: AllureEnvironmentInput['windows'] = [
    { window: 'A', kind: 'base', state: 'closed', browser: 'Microsoft Edge at C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe (BROWSER_CHANNEL=msedge)', browserVersion: '131.0.2903.86', verification: [{ method: 'session', ok: true, detail: '', durationMs: 1 }] },
    { window: 'B', kind: 'clone', state: 'failed', browser: 'Microsoft Edge at C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe (BROWSER_CHANNEL=msedge)', browserVersion: '131.0.2903.86', verification: [{ method: 'session', ok: false, detail: '', durationMs: 1 }] },
    { window: 'B', kind: 'clone', state: 'closed', browser: 'Microsoft Edge at C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe (BROWSER_CHANNEL=msedge)', browserVersion: '131.0.2903.86', verification: [{ method: 'session', ok: true, detail: '', durationMs: 1 }] },
  ] as AllureEnvironmentInput['windows'];
  const settings = { ...environment.settings, coupaBaseUrl: new URL('https://svc-user:s3cret@acme.coupahost.com:8443/') };
  const entries = Object.fromEntries(buildAllureEnvironment({ ...environment, settings, windows }));
  expect(entries).toEqual({
    Browser: 'Microsoft Edge at C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe (BROWSER_CHANNEL=msedge)',
    'Browser.version': '131.0.2903.86',
    'Browser.setting': 'BROWSER_CHANNEL=msedge',
    Workers: '3',
    // The restarted window B counts by its last start.
    'Windows.verified': '2 of 2 (A base, B clone)',
    'Profile.policy': 'base-first',
    'Coupa.host': 'acme.coupahost.com:8443',
    'Input.file': 'batch 12.csv',
    'POs.planned': '4',
  });

  enrichAllureResults(dir, { results: [], environment: { ...environment, settings, windows } });
  const file = fs.readFileSync(path.join(dir, 'environment.properties'), 'utf8');
  expect(file).toContain('\nCoupa.host=acme.coupahost.com:8443\n');
  expect(file).not.toMatch(/https?:|s3cret|svc-user/);
  // Backslashes of a Windows path are escaped, so a properties reader gives the path back.
  expect(file).toContain('Microsoft Edge at C:\\\\Program Files (x86)\\\\Microsoft\\\\Edge');
});

test('without window records the browser version is unknown and the configured browser is named', () => {
  const entries = Object.fromEntries(buildAllureEnvironment(environment));
  expect(entries['Browser.version']).toBe('unknown');
  expect(entries.Browser).toBe('Microsoft Edge (no window started)');
  expect(entries['Windows.verified']).toBe('no window started');
  const executable = Object.fromEntries(buildAllureEnvironment({ ...environment, settings: { ...environment.settings, browserExecutable: '/opt/edge/msedge' } }));
  expect(executable['Browser.setting']).toBe('BROWSER_EXECUTABLE=/opt/edge/msedge');
  expect(executable.Browser).toBe('/opt/edge/msedge (no window started)');
});

test('properties escaping keeps keys, separators, line breaks and non-ASCII text intact', () => {
  expect(formatProperties([['Input.file', 'Müller # 1.csv']])).toBe('Input.file=M\\u00fcller # 1.csv\n');
  expect(formatProperties([['a key:x', ' two\nlines']])).toBe('a\\ key\\:x=\\ two\\nlines\n');
  expect(formatProperties([['Browser', '#first']])).toBe('Browser=\\#first\n');
  expect(formatProperties([['Emoji', '📦']])).toBe('Emoji=\\ud83d\\udce6\n');
});
