import { test, expect } from '@playwright/test';
import { compareWindowLetters, outcomeClass, ProgressState } from '../../support/progress/progress-state.js';

const T0 = 1_000_000;
const sec = (s: number) => T0 + s * 1000;

test('counts processed POs by outcome class; a PO reported twice counts once, with its last status', () => {
  const state = new ProgressState();
  state.apply({ type: 'run-started', at: T0, total: 10, maxWindows: 3 });
  state.apply({ type: 'po-finished', at: sec(5), poNumber: 'PO1', status: 'COMPLETED', window: 'A' });
  state.apply({ type: 'po-finished', at: sec(6), poNumber: 'PO2', status: 'FAILED', window: 'B' });
  state.apply({ type: 'po-finished', at: sec(7), poNumber: 'PO3', status: 'PO_NOT_FOUND', window: 'A' });
  state.apply({ type: 'po-finished', at: sec(8), poNumber: 'PO4', status: 'NO_ATTACHMENTS', window: 'C' });
  state.apply({ type: 'po-finished', at: sec(9), poNumber: 'PO2', status: 'COMPLETED', window: 'C' });
  const s = state.snapshot(sec(10));
  expect(s).toMatchObject({ total: 10, processed: 4, successes: 3, failures: 0, others: 1, elapsedMs: 10_000 });
  expect(s.windows.map((w) => [w.window, w.done])).toEqual([['A', 2], ['B', 1], ['C', 2]]);
});

test('outcome classes: all files retrieved, tool could not, answered by Coupa or the input', () => {
  expect(['COMPLETED', 'NO_ATTACHMENTS'].map((s) => outcomeClass(s as never))).toEqual(['success', 'success']);
  expect(['FAILED', 'PARTIAL', 'TIMEOUT'].map((s) => outcomeClass(s as never))).toEqual(['failure', 'failure', 'failure']);
  expect(['PO_NOT_FOUND', 'PR_NOT_ACCESSIBLE', 'LOCKED', 'INVALID_PO_NUMBER'].map((s) => outcomeClass(s as never))).toEqual([
    'other', 'other', 'other', 'other',
  ]);
});

test('POs/min over the sliding window, and the ETA from it', () => {
  const state = new ProgressState({ rateWindowMs: 60_000 });
  state.apply({ type: 'run-started', at: T0, total: 100, maxWindows: 2 });
  expect(state.snapshot(sec(30))).toMatchObject({ posPerMinute: undefined, etaMs: undefined });
  // 10 POs in the first 30 s: 20/min over the 30 s the run has lasted.
  for (let i = 0; i < 10; i++) state.apply({ type: 'po-finished', at: sec(3 * i + 3), poNumber: `P${i}`, status: 'COMPLETED' });
  let s = state.snapshot(sec(30));
  expect(s.posPerMinute).toBeCloseTo(20);
  expect(s.etaMs).toBeCloseTo((90 / 20) * 60_000);
  // 2 more in the next 90 s: only the last minute counts.
  state.apply({ type: 'po-finished', at: sec(100), poNumber: 'P10', status: 'COMPLETED' });
  state.apply({ type: 'po-finished', at: sec(110), poNumber: 'P11', status: 'COMPLETED' });
  s = state.snapshot(sec(120));
  expect(s.posPerMinute).toBeCloseTo(2);
  expect(s.etaMs).toBeCloseTo((88 / 2) * 60_000);
  // Nothing in the last minute: no rate, no guess.
  s = state.snapshot(sec(200));
  expect(s.posPerMinute).toBe(0);
  expect(s.etaMs).toBeUndefined();
});

test('ETA is zero once everything is processed', () => {
  const state = new ProgressState();
  state.apply({ type: 'run-started', at: T0, total: 1, maxWindows: 1 });
  state.apply({ type: 'po-finished', at: sec(2), poNumber: 'P', status: 'PARTIAL' });
  expect(state.snapshot(sec(500)).etaMs).toBe(0);
});

test('windows: state, current PO and file progress replace each other; an older state read late is ignored', () => {
  const state = new ProgressState();
  state.apply({ type: 'run-started', at: T0, total: 5, maxWindows: 3 });
  state.apply({ type: 'window', at: sec(1), window: 'B', state: 'starting' });
  state.apply({ type: 'window', at: sec(1), window: 'A', state: 'starting' });
  state.apply({ type: 'window', at: sec(3), window: 'A', state: 'working', poNumber: 'PO4100001', file: { name: 'a.pdf', index: 1, count: 2, bytes: 10, totalBytes: 20 } });
  state.apply({ type: 'window', at: sec(2), window: 'A', state: 'idle' });
  let s = state.snapshot(sec(3));
  expect(s.windows).toEqual([
    { window: 'A', state: 'working', poNumber: 'PO4100001', file: { name: 'a.pdf', index: 1, count: 2, bytes: 10, totalBytes: 20 }, done: 0 },
    { window: 'B', state: 'starting', done: 0 },
  ]);
  state.apply({ type: 'window', at: sec(4), window: 'A', state: 'idle' });
  s = state.snapshot(sec(4));
  expect(s.windows[0]).toEqual({ window: 'A', state: 'idle', done: 0 });
});

test('the snapshot is a copy: later events do not change a snapshot already taken', () => {
  const state = new ProgressState();
  state.apply({ type: 'window', at: sec(1), window: 'A', state: 'working', poNumber: 'P1', file: { name: 'x', index: 1, count: 1, bytes: 1 } });
  const before = state.snapshot(sec(1));
  state.apply({ type: 'window', at: sec(2), window: 'A', state: 'working', poNumber: 'P1', file: { name: 'x', index: 1, count: 1, bytes: 99 } });
  expect(before.windows[0]!.file!.bytes).toBe(1);
});

test('active windows, target and load: parked, failed and closed windows are not active', () => {
  const state = new ProgressState();
  state.apply({ type: 'run-started', at: T0, total: 5, maxWindows: 4 });
  expect(state.snapshot(T0)).toMatchObject({ targetWindows: 4, maxWindows: 4, activeWindows: 0, cpuPercent: undefined });
  for (const [window, s] of [['A', 'working'], ['B', 'idle'], ['C', 'parked'], ['D', 'failed']] as const) {
    state.apply({ type: 'window', at: sec(1), window, state: s });
  }
  state.apply({ type: 'target', at: sec(2), target: 2 });
  state.apply({ type: 'load', at: sec(2), cpuPercent: 91.2, memoryPercent: 40.5 });
  expect(state.snapshot(sec(2))).toMatchObject({ activeWindows: 2, targetWindows: 2, cpuPercent: 91.2, memoryPercent: 40.5 });
});

test('windows are listed A..Z then AA', () => {
  expect(['AA', 'C', 'B', 'Z', 'A'].sort(compareWindowLetters)).toEqual(['A', 'B', 'C', 'Z', 'AA']);
});
