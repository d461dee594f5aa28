import { test, expect } from '@playwright/test';
import {
  allReadyAt,
  parallelEfficiency,
  poPhaseMs,
  posPerMinute,
  scalingRows,
  speedUp,
  steadyPosPerMinute,
  summarizeLoad,
} from '../../tooling/bench/bench-math.js';
import { DEFAULT_BENCH_OPTIONS } from '../../tooling/bench/bench-options.js';
import { buildBenchResult, formatTable, renderBenchReport, type MeasuredRun } from '../../tooling/bench/bench-report.js';
import type { WindowStartup } from '../../tooling/bench/window-startup.js';

test('throughput, speed-up and efficiency T1/(N·TN)', () => {
  expect(posPerMinute(60, 120_000)).toBe(30);
  expect(posPerMinute(5, 0)).toBe(0);
  expect(speedUp(100, 50)).toBe(2);
  expect(parallelEfficiency({ windows: 1, ms: 100 }, { windows: 2, ms: 50 })).toBe(1);
  expect(parallelEfficiency({ windows: 1, ms: 100 }, { windows: 4, ms: 40 })).toBeCloseTo(0.625);
  // A baseline other than one window: T_b·n_b / (N·T_N).
  expect(parallelEfficiency({ windows: 2, ms: 60 }, { windows: 4, ms: 30 })).toBe(1);
  expect(parallelEfficiency({ windows: 1, ms: 100 }, { windows: 2, ms: 0 })).toBe(0);
});

test('PO phase: first PO start to last PO end, from finish times and durations', () => {
  expect(poPhaseMs([])).toBe(0);
  expect(
    poPhaseMs([
      { finishedAt: '2026-01-05T09:00:10.000Z', durationMs: 4000 },
      { finishedAt: '2026-01-05T09:00:07.000Z', durationMs: 2000 },
      { finishedAt: '2026-01-05T09:00:12.500+00:00', durationMs: 1000 },
    ]),
  ).toBe(7500);
});

test('scaling rows compare every run with the first, steady throughput per window included', () => {
  const rows = scalingRows([
    { windows: 1, pos: 60, totalMs: 120_000, poPhaseMs: 100_000, steadyPosPerMinute: 36 },
    { windows: 2, pos: 60, totalMs: 66_000, poPhaseMs: 52_000, steadyPosPerMinute: 70 },
    { windows: 4, pos: 60, totalMs: 40_000, poPhaseMs: 28_000, steadyPosPerMinute: undefined },
  ]);
  expect(rows.map((r) => [+r.posPerMinute.toFixed(3), +r.speedUp.toFixed(3), +r.efficiency.toFixed(3), +r.poPhaseEfficiency.toFixed(3)])).toEqual([
    [30, 1, 1, 1],
    [54.545, 1.818, 0.909, 0.962],
    [90, 3, 0.75, 0.893],
  ]);
  expect(rows.map((r) => r.steadyEfficiency && +r.steadyEfficiency.toFixed(3))).toEqual([1, 0.972, undefined]);
  expect(scalingRows([])).toEqual([]);
});

test('steady throughput counts POs finished after the last window was ready', () => {
  const at = (s: number) => ({ finishedAt: new Date(Date.UTC(2026, 0, 5, 9, 0, s)).toISOString() });
  const ready = Date.UTC(2026, 0, 5, 9, 0, 10);
  // 2 POs before the last window was ready, then 6 in the next 12 s: 30/min.
  expect(steadyPosPerMinute([at(4), at(8), at(12), at(14), at(16), at(18), at(20), at(22)], ready)).toBeCloseTo(30);
  expect(steadyPosPerMinute([at(4), at(12)], ready)).toBeUndefined();
  const started = '2026-01-05T09:00:00.000Z';
  expect(
    allReadyAt([
      { startedAt: started, totalStartMs: 2500, state: 'closed' },
      { startedAt: '2026-01-05T09:00:01.000Z', totalStartMs: 3000, state: 'closed' },
      { startedAt: started, totalStartMs: 90_000, state: 'failed' },
    ]),
  ).toBe(Date.parse(started) + 4000);
  expect(allReadyAt([])).toBeUndefined();
});

test('load summary: mean and peak of CPU and memory', () => {
  expect(summarizeLoad([{ cpuPercent: 50, memoryPercent: 10 }, { cpuPercent: 100, memoryPercent: 20 }])).toEqual({
    samples: 2, meanCpuPercent: 75, peakCpuPercent: 100, meanMemoryPercent: 15, peakMemoryPercent: 20,
  });
  expect(summarizeLoad([])).toEqual({ samples: 0, meanCpuPercent: 0, peakCpuPercent: 0, meanMemoryPercent: 0, peakMemoryPercent: 0 });
});

test('tables: columns padded to the widest cell, numbers right-aligned, wide characters measured', () => {
  expect(formatTable(['N', 'name', 'time'], [['1', 'A', '1.5 s'], ['12', '発注', '10.25 s']], new Set([0, 2]))).toEqual([
    ' N  name     time',
    '--  ----  -------',
    ' 1  A       1.5 s',
    '12  発注  10.25 s',
  ]);
});

const startup = (extra: Partial<WindowStartup>): WindowStartup => ({
  window: 'A', workerIndex: 0, kind: 'base', state: 'closed', slotWaitMs: 0, cloneMs: 0, cloneBytes: undefined, cloneFiles: undefined,
  cloneMethod: undefined, launchMs: 800, verifyMs: 900, totalStartMs: 1700, posDone: 10, posFailed: 0, startedAt: '2026-01-05T09:00:00.000Z', ...extra,
});

const run = (windows: number, totalMs: number, poPhase: number, extra: Partial<MeasuredRun> = {}): MeasuredRun => ({
  windows,
  exitCode: 0,
  totalMs,
  poPhaseMs: poPhase,
  allReadyMs: 5000,
  steadyPosPerMinute: (24 / poPhase) * 60_000 * 1.1,
  load: { samples: 10, meanCpuPercent: 61.4, peakCpuPercent: 100, meanMemoryPercent: 5, peakMemoryPercent: 7.6 },
  backgroundCpuPercent: 3,
  pos: 24,
  statuses: { COMPLETED: 24 },
  expectedMatched: 24,
  runRoot: `/runs/N${windows}`,
  startups: [
    startup({}),
    ...Array.from({ length: windows - 1 }, (_, i) =>
      startup({ window: String.fromCharCode(66 + i), workerIndex: i + 1, kind: 'clone', cloneMs: 150 + 100 * i, cloneBytes: 2_400_000, cloneFiles: 128, cloneMethod: 'copy', totalStartMs: 2500 + 400 * i }),
    ),
  ],
  memory: [{ window: 'A', userDataDir: '/p', peakRssBytes: 950_000_000, peakPssBytes: 400_000_000, processes: 9, samples: 20 }],
  governor: undefined,
  ...extra,
});

const benchInput = (runs: MeasuredRun[]) => ({
  createdAt: '2026-01-05T09:00:00.000Z',
  machine: { cpus: 2, cpuModel: 'Test CPU', totalMemoryBytes: 8e9, platform: 'linux', node: 'v20', browser: 'Chromium' },
  options: DEFAULT_BENCH_OPTIONS,
  batch: { pos: 24, attachments: 48, bytes: 8_400_000 },
  profile: { padded: { files: 1500, bytes: 203_000_000 }, naiveCopy: { files: 1500, bytes: 203_000_000, ms: 1840 } },
  runs,
});

test('the result summarises clones over all runs and checks the issue\'s targets', () => {
  const result = buildBenchResult(benchInput([run(1, 60_000, 50_000), run(2, 32_000, 26_000), run(4, 20_000, 14_500)]));
  expect(result.runs.map((r) => +r.efficiency.toFixed(2))).toEqual([1, 0.94, 0.75]);
  expect(result.profile.clone).toEqual({ count: 4, meanMs: 225, maxMs: 350, meanBytes: 2_400_000, method: 'copy' });
  expect(result.targets.map((t) => [t.what, t.measured, t.met])).toEqual([
    ['efficiency T1/(N·TN) at N=2, whole run', '0.94', true],
    ['efficiency at N=2, PO phase only', '0.96', true],
    ['efficiency T1/(N·TN) at N=4, whole run', '0.75', false],
    ['efficiency at N=4, PO phase only', '0.86', true],
    ['slowest window start-up (clone + launch + verify)', '3.30 s', false],
    ['slowest clone of the padded profile', '0.35 s', true],
    ['4 concurrent windows without instability', 'exit 0, 24/24 as expected', true],
  ]);
});

test('a failed widest run is reported as instability; no efficiency targets without a one-window baseline', () => {
  const failing = buildBenchResult(benchInput([run(1, 60_000, 50_000), run(4, 20_000, 14_500, { exitCode: 1, expectedMatched: 22 })]));
  expect(failing.targets.find((t) => t.what.includes('instability'))).toMatchObject({ measured: 'exit 1, 22/24 as expected', met: false });
  const noBaseline = buildBenchResult(benchInput([run(2, 32_000, 26_000), run(4, 20_000, 14_500)]));
  expect(noBaseline.targets.filter((t) => t.what.includes('efficiency'))).toEqual([]);
});

test('the printed report: scaling table, per-window table, profile comparison, targets', () => {
  const text = renderBenchReport(buildBenchResult(benchInput([run(1, 60_000, 50_000), run(2, 32_000, 26_000, { governor: { changes: 2, lowestTarget: 1 } })])));
  const lines = text.split('\n');
  expect(lines[0]).toBe('Benchmark 2026-01-05T09:00:00.000Z: 24 POs, 48 attachments (8.4 MB), 300 ms per page, 1.0 MB/s per download');
  const scaling = lines.findIndex((l) => l.startsWith('Scaling'));
  expect(lines[scaling + 2]).toMatch(
    /^N +total +POs\/min +speed-up +efficiency +PO phase +eff\. +all ready +steady POs\/min +eff\. +CPU before +CPU mean\/peak +mem peak +load gate +outcome$/,
  );
  expect(lines[scaling + 4]).toMatch(/^1 +60\.0 s +24\.0 +1\.00 +1\.00 +50\.0 s +1\.00 +5\.00 s +31\.7 +1\.00 +3% +61%\/100% +8% +- +24\/24 as expected \(24 COMPLETED\)$/);
  expect(lines[scaling + 5]).toMatch(/^2 +32\.0 s +45\.0 +1\.88 +0\.94 +26\.0 s +0\.96 +5\.00 s +60\.9 +0\.96 +3% +61%\/100% +8% +2 change\(s\), min 1 +24\/24/);
  expect(text).toMatch(/\n1 +A +w0 +base +- +- +0\.80 s +0\.90 s +1\.70 s +950 MB +400 MB +10 +closed\n/);
  expect(text).toMatch(/\n2 +B +w1 +clone +0\.15 s +2\.4 MB +0\.80 s +0\.90 s +2\.50 s +- +- +10 +closed\n/);
  expect(text).toContain('naive full copy:     1.84 s for 203 MB in 1500 files');
  expect(text).toContain('snapshot clone:      0.15 s mean, 0.15 s max over 1 clone(s) of 2.4 MB (copy); 12× faster, 85× smaller');
  expect(text).toMatch(/efficiency T1\/\(N·TN\) at N=2, whole run +≥ 0\.9 +0\.94 +yes/);
  expect(text).not.toContain('Warning');
});

test('runs that shared the machine with other work are called out', () => {
  const text = renderBenchReport(buildBenchResult(benchInput([run(1, 60_000, 50_000), run(2, 32_000, 26_000, { backgroundCpuPercent: 71.6 })])));
  expect(text).toContain('Warning: other processes kept the CPU 72% busy before N=2; those runs shared the machine');
});
