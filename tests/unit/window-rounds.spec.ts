import { expect, test } from '@playwright/test';
import type { WindowRecord } from '../../support/window/window-record.js';
import { allureWindowFiles } from '../../support/window/window-allure.js';
import { beginRound, roundsOf, type WindowRound } from '../../support/window/window-rounds.js';

const at = (seconds: number) => new Date(Date.UTC(2025, 2, 4, 9, 0, seconds));
const ok = (method: 'session' | 'checksum' | 'introspection') => ({ method, ok: true, detail: `${method} ok`, durationMs: 10 });

function record(window: string, kind: 'base' | 'clone', overrides: Partial<WindowRecord> = {}): WindowRecord {
  return {
    window,
    parallelIndex: 0,
    workerIndex: 0,
    pid: 100,
    kind,
    userDataDir: `/profiles/${window}`,
    profileDir: `/profiles/${window}/Default`,
    state: 'starting',
    verification: [],
    attempts: 0,
    remediation: [],
    parkings: [],
    cloneSpans: [],
    launchSpans: [],
    heldBeforeLaunch: [],
    timings: { slotWaitMs: 0, cloneMs: 0, launchWaitMs: 0, launchMs: 0, verifyMs: 0, totalStartMs: 0 },
    browser: 'Chromium at /usr/bin/chromium',
    posDone: 0,
    posFailed: 0,
    startedAt: at(0).toISOString(),
    ...overrides,
  };
}

/** What BrowserWindow.start() does to its record during one round, in the order it does it. */
function runRound(r: WindowRecord, start: number, outcome: { passes: number; remediation?: string; fail?: string }): void {
  const round = beginRound(r, at(start));
  r.timings.slotWaitMs += 2;
  r.timings.cloneMs = 300;
  r.timings.launchMs = 400;
  round.verifying(at(start + 1));
  for (let i = 0; i < outcome.passes; i++) {
    r.attempts++;
    r.timings.verifyMs += 50;
  }
  if (outcome.remediation) r.remediation.push({ step: 'reload', at: at(start + 2).toISOString(), reason: outcome.remediation, ok: !outcome.fail });
  r.verification = outcome.fail ? [{ ...ok('session'), ok: false, detail: 'sign-in form' }] : [ok('checksum'), ok('session')];
  r.state = outcome.fail ? 'failed' : 'verified';
  if (outcome.fail) r.error = outcome.fail;
  round.end(at(start + 3));
}

test('a round per start: its own verification, passes, remediation and times; the record keeps its totals', () => {
  const r = record('C', 'clone');
  runRound(r, 0, { passes: 1 });
  r.verification.push(ok('introspection'));
  runRound(r, 30, { passes: 2, remediation: 'session: sign-in form' });
  const expected: WindowRound[] = [
    {
      trigger: 'start',
      startedAt: at(0).toISOString(),
      verifyingAt: at(1).toISOString(),
      endedAt: at(3).toISOString(),
      result: 'verified',
      verification: [ok('checksum'), ok('session')],
      attempts: 1,
      remediation: [],
      timings: { slotWaitMs: 2, cloneMs: 300, launchWaitMs: 0, launchMs: 400, verifyMs: 50 },
    },
    {
      trigger: 'unpark',
      startedAt: at(30).toISOString(),
      verifyingAt: at(31).toISOString(),
      endedAt: at(33).toISOString(),
      result: 'verified',
      verification: [ok('checksum'), ok('session')],
      attempts: 2,
      remediation: [{ step: 'reload', at: at(32).toISOString(), reason: 'session: sign-in form', ok: true }],
      timings: { slotWaitMs: 2, cloneMs: 300, launchWaitMs: 0, launchMs: 400, verifyMs: 100 },
    },
  ];
  expect(r.rounds).toEqual(expected);
  expect(r.attempts).toBe(3);
  expect(r.timings.verifyMs).toBe(150);
});

test('a round begins with the record\'s verification cleared, and a failed round keeps its error', () => {
  const r = record('B', 'clone', { verification: [ok('session')] });
  const round = beginRound(r, at(0));
  expect(r.verification).toEqual([]);
  r.state = 'failed';
  r.error = 'Window B could not be verified';
  round.end(at(5));
  expect(r.rounds?.[0]).toMatchObject({ result: 'failed', error: 'Window B could not be verified', endedAt: at(5).toISOString() });
});

test('a record written before rounds were kept reads as one round of its own fields', () => {
  const old = record('A', 'base', {
    state: 'closed',
    verification: [ok('session')],
    attempts: 1,
    timings: { slotWaitMs: 0, cloneMs: 0, launchWaitMs: 0, launchMs: 400, verifyMs: 600, totalStartMs: 1000 },
  });
  expect(roundsOf(old)).toEqual([
    {
      trigger: 'start',
      startedAt: at(0).toISOString(),
      verifyingAt: new Date(at(0).getTime() + 400).toISOString(),
      endedAt: at(1).toISOString(),
      result: 'verified',
      verification: [ok('session')],
      attempts: 1,
      remediation: [],
      timings: { slotWaitMs: 0, cloneMs: 0, launchWaitMs: 0, launchMs: 400, verifyMs: 600 },
    },
  ]);
  expect(roundsOf(record('B', 'clone'))[0]).toMatchObject({ result: 'starting' });
  expect(roundsOf(record('B', 'clone'))[0].endedAt).toBeUndefined();
});

interface WrittenResult {
  uuid: string;
  name: string;
  status: string;
  start: number;
  stop: number;
  historyId: string;
  description: string;
  statusDetails: { message?: string };
  labels: { name: string; value: string }[];
  attachments: { source: string }[];
  steps: { name: string; status: string; start: number; stop: number }[];
}

test('Allure: one entry per start, ordered A, B, C… then by start, each with its verification, why it started and its parking', () => {
  const a = record('A', 'base', { parkings: [{ from: at(10).toISOString(), until: at(30).toISOString() }] });
  runRound(a, 0, { passes: 1 });
  runRound(a, 30, { passes: 1 });
  const bFailed = record('B', 'clone', { workerIndex: 1, startedAt: at(0).toISOString() });
  runRound(bFailed, 0, { passes: 3, remediation: 'session: sign-in form', fail: 'Window B could not be verified after 3 round(s)' });
  const bAgain = record('B', 'clone', { workerIndex: 4, startedAt: at(40).toISOString() });
  runRound(bAgain, 40, { passes: 1 });
  const aa = record('AA', 'clone', { workerIndex: 27 });
  runRound(aa, 5, { passes: 1 });
  const killed = record('C', 'clone', { workerIndex: 2 });
  beginRound(killed, at(0));

  const files = allureWindowFiles([aa, bAgain, killed, a, bFailed]);
  const results = files.filter((f) => f.name.endsWith('-result.json')).map((f) => JSON.parse(f.body) as WrittenResult);
  expect(results.map((r) => [r.name, r.status])).toEqual([
    ['Window A, start 1: base profile, verified', 'passed'],
    ['Window A, start 2: base profile, verified', 'passed'],
    ['Window B, start 1: clone profile, NOT verified', 'failed'],
    ['Window B, start 2: clone profile, verified', 'passed'],
    ['Window C, start 1: clone profile, did not finish starting', 'broken'],
    ['Window AA, start 1: clone profile, verified', 'passed'],
  ]);
  expect(new Set(results.map((r) => r.uuid)).size).toBe(results.length);
  expect(new Set(results.map((r) => r.historyId)).size, 'no start is taken for a retry of another').toBe(results.length);
  for (const r of results) expect(r.labels).toContainEqual({ name: 'subSuite', value: r.name.replace(/,.*/, '') });

  const [a1, a2, b1, b2] = results;
  expect(a1.description).toContain('Why it started: first start');
  expect(a2.description).toContain('Why it started: back after the load governor parked it');
  expect(b2.description).toContain('Why it started: restarted by Playwright after a window fault (new worker)');
  expect([a2.start, a2.stop]).toEqual([at(30).getTime(), at(33).getTime()]);
  expect(a1.steps.map((s) => s.name)).toEqual(['Launch the browser (400 ms)', 'Verify checksum: checksum ok', 'Verify session: session ok', 'Parked by the load governor (browser closed)']);
  expect(a1.steps.at(-1)).toMatchObject({ start: at(10).getTime(), stop: at(30).getTime() });
  expect(a2.steps.map((s) => s.name)).not.toContain('Parked by the load governor (browser closed)');
  expect(b1.statusDetails.message).toBe('Window B could not be verified after 3 round(s)');
  expect(b1.steps.map((s) => [s.name, s.status])).toEqual([
    ['Clone the profile snapshot (n/a, 300 ms)', 'passed'],
    ['Launch the browser (400 ms)', 'passed'],
    ['Verify session: sign-in form', 'failed'],
    ['Remediation reload: session: sign-in form', 'failed'],
  ]);

  // Every entry points to its window record, written beside it; writing again gives the same files.
  const names = new Set(files.map((f) => f.name));
  for (const r of results) expect(names.has(r.attachments[0].source)).toBe(true);
  expect(allureWindowFiles([aa, bAgain, killed, a, bFailed]).map((f) => f.name)).toEqual(files.map((f) => f.name));
});
