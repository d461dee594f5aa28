import { test, expect } from '@playwright/test';
import { plainStatusKey, renderPlainLine, renderTtyBlock } from '../../support/progress/progress-render.js';
import type { ProgressSnapshot } from '../../support/progress/progress-state.js';
import {
  displayWidth,
  fitEnd,
  formatBytes,
  formatDuration,
  formatPercent,
  formatRate,
  progressBar,
  truncateEnd,
  truncateMiddle,
} from '../../support/progress/text-format.js';

test('durations: seconds, minutes with padded seconds, hours with padded minutes, unknown', () => {
  expect(formatDuration(undefined)).toBe('--');
  expect(formatDuration(Number.NaN)).toBe('--');
  expect(formatDuration(-5)).toBe('--');
  expect(formatDuration(0)).toBe('0s');
  expect(formatDuration(42_400)).toBe('42s');
  expect(formatDuration(59_600)).toBe('1m 00s');
  expect(formatDuration(401_000)).toBe('6m 41s');
  expect(formatDuration(3_600_000 + 2 * 60_000 + 10_000)).toBe('1h 02m');
  expect(formatDuration(100 * 3_600_000 + 1)).toBe('>99h');
});

test('rates, bytes and percentages keep a short fixed shape', () => {
  expect(formatRate(undefined)).toBe('--');
  expect(formatRate(0)).toBe('0.0');
  expect(formatRate(12.44)).toBe('12.4');
  expect(formatRate(99.96)).toBe('100.0');
  expect(formatRate(250.4)).toBe('250');
  expect(formatBytes(0)).toBe('0 B');
  expect(formatBytes(999)).toBe('999 B');
  expect(formatBytes(1500)).toBe('1.5 kB');
  expect(formatBytes(120_000)).toBe('120 kB');
  expect(formatBytes(2_345_678)).toBe('2.3 MB');
  expect(formatBytes(3e12)).toBe('3.0 TB');
  expect(formatPercent(71.6)).toBe('72%');
  expect(formatPercent(undefined)).toBe('--%');
});

test('progress bar fills to the fraction and clamps', () => {
  expect(progressBar(0.5, 10)).toBe('[#####-----]');
  expect(progressBar(0, 4)).toBe('[----]');
  expect(progressBar(2, 4)).toBe('[####]');
  expect(progressBar(Number.NaN, 3)).toBe('[---]');
});

test('widths are terminal columns: wide CJK characters count two, combining marks zero', () => {
  expect(displayWidth('abc')).toBe(3);
  expect(displayWidth('発注書.pdf')).toBe(10);
  expect(displayWidth('Relato\u0301rio')).toBe(9);
  expect(truncateEnd('Invoice_4100007.pdf', 10)).toBe('Invoice_4…');
  expect(truncateEnd('発注書発注書', 5)).toBe('発注…');
  expect(displayWidth(truncateEnd('発注書発注書', 5))).toBeLessThanOrEqual(5);
  expect(truncateEnd('short', 10)).toBe('short');
  expect(truncateMiddle('Master_Services_Agreement_Amendment.pdf', 20)).toBe('Master_Ser…dment.pdf');
  expect(displayWidth(truncateMiddle('Master_Services_Agreement_Amendment.pdf', 20))).toBe(20);
  expect(fitEnd('ab', 4)).toBe('ab  ');
  expect(fitEnd('abcdef', 4)).toBe('abc…');
  expect(fitEnd('発注', 5)).toBe('発注 ');
});

const snapshot = (extra: Partial<ProgressSnapshot> = {}): ProgressSnapshot => ({
  at: 0,
  elapsedMs: 179_000,
  total: 120,
  processed: 37,
  successes: 35,
  failures: 1,
  others: 1,
  posPerMinute: 12.44,
  etaMs: 401_000,
  activeWindows: 3,
  targetWindows: 3,
  maxWindows: 4,
  cpuPercent: 72.4,
  memoryPercent: 41,
  windows: [
    { window: 'A', state: 'working', poNumber: 'PO5000012', file: { name: 'Master_Services_Agreement_Amendment_2025_signed.pdf', index: 2, count: 3, bytes: 120_000, totalBytes: 300_000 }, done: 12 },
    { window: 'B', state: 'idle', done: 13 },
    { window: 'C', state: 'working', poNumber: 'PM5000013', file: { name: '発注書.pdf', index: 1, count: 1 }, done: 11 },
    { window: 'D', state: 'parked', done: 1 },
  ],
  ...extra,
});

test('the terminal block: summary, rate and load, one line per window, each within the width', () => {
  const lines = renderTtyBlock(snapshot(), 100);
  expect(lines).toHaveLength(7);
  expect(lines[0]).toMatch(/^Coupa downloads \[#+-+\] 37\/120 {2}30%  ok 35  failed 1  other 1$/);
  expect(lines[1]).toBe('12.4 POs/min  ETA 6m 41s  elapsed 2m 59s');
  expect(lines[2]).toBe('windows 3 active, target 3 of 4  CPU 72%  mem 41%');
  expect(lines[3]).toMatch(/^ {2}A {2}working {3}PO5000012 {5}file 2\/3 120 kB\/300 kB Master_Services.*signed\.pdf$/);
  expect(lines[4]).toBe('  B  idle');
  expect(lines[5]).toBe('  C  working   PM5000013     file 1/1 発注書.pdf');
  expect(lines[6]).toBe('  D  parked');
  for (const width of [100, 70, 40]) {
    for (const line of renderTtyBlock(snapshot(), width)) expect(displayWidth(line)).toBeLessThanOrEqual(width);
  }
  // Narrow terminal: the file name is shortened in the middle and keeps its extension.
  const narrow = renderTtyBlock(snapshot(), 70)[3]!;
  expect(narrow).toContain('…');
  expect(narrow).toMatch(/\.pdf$/);
});

test('the terminal block before anything is known', () => {
  const lines = renderTtyBlock(
    snapshot({ processed: 0, successes: 0, failures: 0, others: 0, posPerMinute: undefined, etaMs: undefined, cpuPercent: undefined, memoryPercent: undefined, windows: [] }),
    80,
  );
  expect(lines[0]).toContain('0/120   0%');
  expect(lines.slice(1)).toEqual(['-- POs/min  ETA --  elapsed 2m 59s', 'windows 3 active, target 3 of 4  CPU --%  mem --%']);
});

test('the plain line has everything on one line without ANSI', () => {
  const line = renderPlainLine(snapshot());
  expect(line).toBe(
    'progress 37/120 (30%) ok 35, failed 1, other 1 | 12.4 POs/min | ETA 6m 41s | elapsed 2m 59s | windows 3 active, target 3 of 4 | ' +
      'CPU 72% mem 41% | A working PO5000012 (file 2/3), B idle, C working PM5000013 (file 1/1), D parked',
  );
  expect(line).not.toMatch(/\u001b/);
});

test('the plain status key changes with a window\'s lifecycle or the target, not with idle/working', () => {
  const base = plainStatusKey(snapshot());
  const flipped = snapshot();
  flipped.windows[1] = { window: 'B', state: 'working', poNumber: 'PO1', done: 13 };
  expect(plainStatusKey(flipped)).toBe(base);
  const parked = snapshot();
  parked.windows[2] = { window: 'C', state: 'parked', done: 11 };
  expect(plainStatusKey(parked)).not.toBe(base);
  expect(plainStatusKey(snapshot({ targetWindows: 2 }))).not.toBe(base);
});
