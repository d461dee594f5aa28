import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FullConfig } from '@playwright/test';
import { expect, test } from '@playwright/test';
import { LoadHistory } from '../../support/load/load-history.js';
import { frozenPlanFile } from '../../support/run-state/plan-files.js';
import { isRunVariable, publishedRunHandle, publishRunHandle, RUN_STATE_ENV, testHooks, type RunHandle } from '../../support/run-state/run-handle.js';
import { privateTempRoot } from '../../support/run-state/run-paths.js';
import { RunState } from '../../support/run-state/run-state.js';
import { RunStateError } from '../../support/run-state/state-file.js';
import { countStarting, WindowRecordStore } from '../../support/run-state/window-records.js';
import { hasJobReporter, journalSpentAttempts } from '../../support/run/run-closing.js';
import { writeFileAtomicSync } from '../../support/shared/atomic-file.js';
import { OperatorError } from '../../support/shared/operator-error.js';
import { plannedPo, poResult, scratchDir, windowRecord } from './helpers-state/state-fixtures.js';

let dir: string;
test.beforeEach(() => {
  dir = scratchDir('run-state');
});
test.afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const handle = (fields: Partial<RunHandle> = {}): RunHandle => ({
  runRoot: path.join(dir, 'run'),
  downloadDir: dir,
  inputSha256: 'a'.repeat(64),
  resumed: false,
  memberId: 'vm-1',
  ...fields,
});

test('the run handle travels as one checked variable; a damaged one is an operator error', () => {
  const env: NodeJS.ProcessEnv = {};
  expect(publishedRunHandle(env)).toBeUndefined();
  publishRunHandle(handle({ sessionDir: '/tmp/s' }), env);
  expect(Object.keys(env)).toEqual([RUN_STATE_ENV]);
  expect(publishedRunHandle(env)).toEqual(handle({ sessionDir: '/tmp/s' }));
  expect(() => publishedRunHandle({ [RUN_STATE_ENV]: '{"runRoot": 1' })).toThrow(OperatorError);
  expect(() => publishedRunHandle({ [RUN_STATE_ENV]: JSON.stringify({ ...handle(), inputSha256: 'short' }) })).toThrow(/inputSha256/);
});

test('a job started from inside a run inherits none of that run\'s variables', () => {
  const inherited = ['COUPA_RUN_STATE', 'TEST_WORKER_INDEX', 'TEST_PARALLEL_INDEX', 'PW_TEST_REPORTER', 'PLAYWRIGHT_HTML_OUTPUT_DIR'];
  const kept = ['COUPA_BASE_URL', 'DOWNLOAD_DIR', 'PATH', 'LOAD_SIGNAL_FILE', 'COUPA_TEST_FAULTS'];
  expect(inherited.filter(isRunVariable)).toEqual(inherited);
  expect(kept.filter(isRunVariable)).toEqual([]);
});

test('the test hooks are read and checked in one place', () => {
  expect(testHooks({})).toEqual({ faults: {} });
  expect(testHooks({ COUPA_TEST_FAULTS: '{"corruptClone":{"B":"once"}}', LOAD_SIGNAL_FILE: ' /tmp/load.json ' })).toEqual({
    faults: { corruptClone: { B: 'once' } },
    loadSignalFile: '/tmp/load.json',
  });
  expect(() => testHooks({ COUPA_TEST_FAULTS: '{"corruptClone":{"B":"twice"}}' })).toThrow(/COUPA_TEST_FAULTS/);
  expect(() => testHooks({ COUPA_TEST_FAULTS: '{"clearEverything":{}}' })).toThrow(OperatorError);
});

test('a run is prepared once its session folder is known; before that a worker refuses to start', () => {
  const env: NodeJS.ProcessEnv = {};
  const state = new RunState(handle());
  state.publish(env);
  expect(() => RunState.prepared(env)).toThrow(/global setup did not run/);
  state.withSession(path.join(dir, 'session')).publish(env);
  const prepared = RunState.prepared(env);
  expect(prepared.session.handoff.offersDir).toBe(path.join(dir, 'session', 'handoff', 'offers'));
  expect(prepared.paths.journalFile).toBe(path.join(dir, 'run', '.run-state', 'journal.jsonl'));
  expect(prepared.download.poLockDir('4100001')).toBe(path.join(dir, '.coupa-downloads', 'po-locks', '4100001.lock'));
  expect(privateTempRoot()).toBe(path.join(os.tmpdir(), `coupa-downloads-${process.getuid!()}`));
});

test('state files are replaced whole and read back checked; one that holds something else names itself', () => {
  const file = path.join(dir, 'state', 'plan.json');
  expect(frozenPlanFile.read(file)).toBeUndefined();
  expect(() => frozenPlanFile.require(file)).toThrow(RunStateError);
  const plan = { inputFile: 'in.csv', pos: [plannedPo('4100001')], alreadySettled: [] };
  frozenPlanFile.write(file, plan);
  expect(frozenPlanFile.require(file)).toEqual(plan);
  expect(fs.readdirSync(path.dirname(file))).toEqual(['plan.json']);
  fs.writeFileSync(file, JSON.stringify({ inputFile: 'in.csv', pos: [{ id: 7 }], alreadySettled: [] }));
  expect(() => frozenPlanFile.read(file)).toThrow(`The run's state file ${file} (the frozen list of POs) does not hold what this tool wrote (pos.0.id:`);
});

test('an atomic write replaces the whole file, and leaves no temporary file when it fails', () => {
  const file = path.join(dir, 'big.json');
  const big = JSON.stringify({ filler: 'x'.repeat(2_000_000) });
  writeFileAtomicSync(file, big);
  expect(fs.readFileSync(file, 'utf8')).toBe(big);
  const occupied = path.join(dir, 'occupied');
  fs.mkdirSync(path.join(occupied, 'inside'), { recursive: true });
  expect(() => writeFileAtomicSync(occupied, 'data')).toThrow();
  expect(fs.readdirSync(dir).sort()).toEqual(['big.json', 'occupied']);
});

test('window records are kept one per window instance and read in window order; damaged ones are skipped', () => {
  const store = new WindowRecordStore(path.join(dir, 'windows'));
  expect(store.all()).toEqual([]);
  store.save(windowRecord('B', 3));
  store.save(windowRecord('A', 0));
  store.save(windowRecord('B', 1, { state: 'failed' }));
  store.save(windowRecord('B', 1, { state: 'closed' }));
  fs.writeFileSync(path.join(dir, 'windows', 'C-worker2.json'), '{"window": "C"');
  expect(store.all().map((r) => `${r.window}${r.workerIndex}:${r.state}`)).toEqual(['A0:verified', 'B1:closed', 'B3:verified']);
  expect(store.others('B').map((r) => r.window)).toEqual(['A']);
});

test('windows starting now: every start-up phase but the launch queue, of live workers of this run, and early on those not begun yet', () => {
  const since = Date.parse('2026-01-05T09:00:00.000Z');
  const at = (s: number) => new Date(since + s * 1000).toISOString();
  const records = [
    windowRecord('A', 0, { state: 'verified', startedAt: at(1) }),
    windowRecord('B', 1, { state: 'starting', phase: 'verify', startedAt: at(1) }),
    windowRecord('C', 2, { state: 'starting', phase: 'launch', startedAt: at(1) }),
    windowRecord('D', 3, { state: 'starting', phase: 'launch-queue', startedAt: at(1) }),
    windowRecord('E', 4, { state: 'starting', phase: 'prepare', startedAt: at(1) }),
    windowRecord('F', 5, { state: 'parked', startedAt: at(1) }),
    // An earlier run in this folder, and a worker that died while it started.
    windowRecord('G', 6, { state: 'starting', phase: 'launch', startedAt: at(-60) }),
    windowRecord('H', 7, { state: 'starting', phase: 'launch', startedAt: at(1), pid: 999_999 }),
  ];
  const count = { since, expected: 6, absentUntil: since + 60_000, now: since + 5_000, alive: (pid: number) => pid !== 999_999 };
  expect(countStarting(records, count)).toBe(3);
  // Early in the run, a window whose worker is still loading (no record yet) is starting too; later it is not waited for.
  expect(countStarting(records.filter((r) => r.window !== 'B'), { ...count, expected: 7 })).toBe(3);
  expect(countStarting(records, { ...count, expected: 9 })).toBe(5);
  expect(countStarting(records, { ...count, expected: 9, now: since + 61_000 })).toBe(3);
  const store = new WindowRecordStore(path.join(dir, 'windows'));
  for (const r of records) store.save(r);
  expect(store.all().find((r) => r.window === 'D')?.phase, 'the phase survives the record file').toBe('launch-queue');
});

test('attempts of a PO are kept per run; the end of the run journals a PO whose every attempt died with its worker', () => {
  const state = new RunState(handle({ sessionDir: path.join(dir, 'session') }));
  const results = state.results();
  const plan = { inputFile: 'in.csv', pos: ['4100001', '4100002', '4100003', '4100004'].map(plannedPo), alreadySettled: [] };
  // 4100001: two attempts, the second one's worker killed mid-PO; 4100002: a first attempt only;
  // 4100003: done; 4100004: failed twice with a reason, then killed.
  results.attemptStarted('4100001', 'A', 0);
  results.attemptFailed('4100001', 'A', 'Worker process exited unexpectedly');
  results.attemptStarted('4100001', 'B', 1);
  results.attemptStarted('4100002', 'A', 0);
  results.attemptStarted('4100003', 'C', 0);
  results.finish(poResult('4100003', { window: 'C' }));
  results.attemptStarted('4100004', 'A', 0);
  results.attemptFailed('4100004', 'A', 'Test timeout of 300000ms exceeded.');
  results.attemptStarted('4100004', 'B', 1);
  expect(results.windowsThatFailed('4100004')).toEqual(['A']);
  fs.appendFileSync(path.join(state.session.attemptsDir, '4100004.jsonl'), '{"event":"sta');

  expect(journalSpentAttempts(state, plan, 1)).toBe(2);
  const journal = results.readJournal().results;
  expect(journal.get('4100001')).toMatchObject({ status: 'FAILED', window: 'B', errorMessage: 'Failed after 2 attempt(s): Worker process exited unexpectedly' });
  expect(journal.get('4100004')?.errorMessage).toBe('Failed after 2 attempt(s): Test timeout of 300000ms exceeded.');
  expect(journal.has('4100002'), 'an attempt is left: the PO stays unfinished').toBe(false);
  expect(journal.get('4100003')?.status).toBe('COMPLETED');
  expect(journalSpentAttempts(state, plan, 1), 'journaled once').toBe(0);
});

test('the end of the run knows whether the job\'s reporter will print its summary', () => {
  const config = (names: string[]) => ({ reporter: names.map((name) => [name, {}]) }) as unknown as FullConfig;
  expect(hasJobReporter(config(['html', '/work/project/reporters/job-reporter.ts']))).toBe(true);
  expect(hasJobReporter(config(['./reporters/job-reporter.ts']))).toBe(true);
  expect(hasJobReporter(config(['list']))).toBe(false);
});

test('the load over a run is kept in bounded memory, evenly thinned', () => {
  const history = new LoadHistory(10);
  for (let i = 0; i < 100; i++) history.add({ at: i, cpuPercent: i, memoryPercent: 1, target: 3 });
  expect(history.points.length).toBeLessThanOrEqual(10);
  expect(history.points[0]!.at).toBe(0);
  const gaps = new Set(history.points.slice(1).map((p, i) => p.at - history.points[i]!.at));
  expect([...gaps]).toEqual([history.stride]);
  expect(history.points.at(-1)!.at).toBeGreaterThan(100 - 2 * history.stride);
});
