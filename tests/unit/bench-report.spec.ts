import { test, expect } from '@playwright/test';
import { allReadyAt, compareRuns, firstFinishedAt, parallelEfficiency, slope, speedUp, summarizeLoad } from '../../tooling/bench/bench-math.js';
import { DEFAULT_BENCH_OPTIONS } from '../../tooling/bench/bench-options.js';
import { buildBenchResult, formatTable, renderBenchReport, type MeasuredRun } from '../../tooling/bench/bench-report.js';
import type { WindowStart } from '../../tooling/bench/run-outputs.js';

test('speed-up and efficiency T_r·n_r/(N·T_N)', () => {
  expect(speedUp(100, 50)).toBe(2);
  expect(speedUp(100, 0)).toBe(0);
  expect(parallelEfficiency({ windows: 1, ms: 100 }, { windows: 2, ms: 50 })).toBe(1);
  expect(parallelEfficiency({ windows: 1, ms: 100 }, { windows: 4, ms: 40 })).toBeCloseTo(0.625);
  expect(parallelEfficiency({ windows: 2, ms: 60 }, { windows: 4, ms: 30 })).toBe(1);
  expect(parallelEfficiency({ windows: 1, ms: 100 }, { windows: 2, ms: 0 })).toBe(0);
});

test('first finished PO and all windows ready, from what the run wrote', () => {
  expect(firstFinishedAt([])).toBeUndefined();
  expect(firstFinishedAt([{ finishedAt: '2026-01-05T09:00:05.000+01:00' }, { finishedAt: '2026-01-05T08:00:03.500Z' }, { finishedAt: 'garbage' }])).toBe(
    Date.parse('2026-01-05T08:00:03.500Z'),
  );
  const starts = [
    { window: 'A', readyAt: 1000 },
    { window: 'B', readyAt: undefined },
    { window: 'B', readyAt: 4000 },
    // B restarted later: it was ready at its first verified start.
    { window: 'B', readyAt: 9000 },
    { window: 'C', readyAt: 3000 },
  ];
  expect(allReadyAt(starts, 3)).toEqual({ at: 4000, ready: 3 });
  expect(allReadyAt(starts, 4)).toEqual({ at: undefined, ready: 3 });
  expect(allReadyAt([], 1)).toEqual({ at: undefined, ready: 0 });
});

test('least-squares slope', () => {
  expect(slope([{ x: 0, y: 1 }, { x: 1, y: 3 }, { x: 2, y: 5 }])).toBeCloseTo(2);
  expect(slope([{ x: 0, y: 5 }, { x: 10, y: 5 }])).toBe(0);
  expect(slope([{ x: 0, y: 4 }, { x: 1, y: 0 }, { x: 2, y: 4 }, { x: 3, y: 0 }])).toBeCloseTo(-0.8);
  expect(slope([{ x: 1, y: 1 }])).toBeUndefined();
  expect(slope([{ x: 1, y: 1 }, { x: 1, y: 2 }])).toBeUndefined();
});

test('load summary: mean and peak of CPU and memory', () => {
  expect(summarizeLoad([{ cpuPercent: 20, memoryPercent: 40 }, { cpuPercent: 80, memoryPercent: 50 }])).toEqual({
    samples: 2, meanCpuPercent: 50, peakCpuPercent: 80, meanMemoryPercent: 45, peakMemoryPercent: 50,
  });
  expect(summarizeLoad([]).peakCpuPercent).toBe(0);
});

test('comparison: CPU per PO, speed-up within each tool, the job over the peer at the same N', () => {
  const rows = compareRuns([
    { tool: 'job', windows: 1, pos: 40, totalMs: 60_000, cpuSeconds: 28 },
    { tool: 'peer', windows: 1, pos: 40, totalMs: 64_000, cpuSeconds: 30 },
    { tool: 'job', windows: 4, pos: 40, totalMs: 45_000, cpuSeconds: 46 },
    { tool: 'peer', windows: 4, pos: 40, totalMs: 30_000, cpuSeconds: 23 },
    { tool: 'job', windows: 2, pos: 40, totalMs: 40_000, cpuSeconds: 30 },
  ] as const);
  expect(rows.map((r) => [r.tool, r.windows, +r.cpuPerPo.toFixed(3), +r.speedUp.toFixed(3), +r.efficiency.toFixed(3), r.timeVsPeer && +r.timeVsPeer.toFixed(3), r.cpuVsPeer && +r.cpuVsPeer.toFixed(3)])).toEqual([
    ['job', 1, 0.7, 1, 1, 0.938, 0.933],
    ['peer', 1, 0.75, 1, 1, undefined, undefined],
    ['job', 4, 1.15, 1.333, 0.333, 1.5, 2],
    ['peer', 4, 0.575, 2.133, 0.533, undefined, undefined],
    // No peer ran at N=2.
    ['job', 2, 0.75, 1.5, 0.75, undefined, undefined],
  ]);
});

test('tables: columns padded to the widest cell, numbers right-aligned, wide characters measured', () => {
  expect(formatTable(['N', 'name', 'time'], [['1', 'A', '1.5 s'], ['12', '発注', '10.25 s']], new Set([0, 2]))).toEqual([
    ' N  name     time',
    '--  ----  -------',
    ' 1  A       1.5 s',
    '12  発注  10.25 s',
  ]);
});

const T0 = Date.parse('2026-01-05T09:00:00.000Z');
const start = (window: string, readyAfterMs: number | undefined, extra: Partial<WindowStart> = {}): WindowStart => ({
  window,
  kind: window === 'A' ? 'base' : 'clone',
  state: 'closed',
  userDataDir: `/p/${window}`,
  startedAt: new Date(T0 + 500).toISOString(),
  readyAt: readyAfterMs === undefined ? undefined : T0 + readyAfterMs,
  launchWaitMs: window === 'A' || window === 'browser' ? 0 : 300,
  launchMs: 800,
  verifyMs: 900,
  cloneMs: window === 'A' ? 0 : 150,
  totalStartMs: 1700,
  posDone: 10,
  ...extra,
});

const run = (tool: 'job' | 'peer', windows: number, totalMs: number, cpuSeconds: number, extra: Partial<MeasuredRun> = {}): MeasuredRun => ({
  tool,
  windows,
  pos: 40,
  exitCode: 0,
  startedAt: T0,
  totalMs,
  firstPoMs: 4200,
  allReadyMs: 3000 + 1000 * windows,
  readyWindows: windows,
  cpuSeconds,
  cpu: { seconds: cpuSeconds, orphanSeconds: 0, orphans: 0, orphanNames: [], sampledSeconds: cpuSeconds - 1, processesSeen: 12 },
  cpuByKind: { runner: 2, workers: 2 * windows, browsers: cpuSeconds - 3 - 2 * windows, other: 0.5 },
  memory: { peakRssBytes: 2_000_000_000, peakPssBytes: 900_000_000, processesAtPeak: 12 },
  browsers: tool === 'job' ? [{ window: 'A', userDataDir: '/p/A', peakRssBytes: 950_000_000, peakPssBytes: 400_000_000, processes: 9, samples: 20 }] : [],
  leftRunning: [],
  sampling: { samples: 60, meanMs: 4, maxMs: 9 },
  verification: { pos: 40, verified: 40, files: 80, bytes: 7_000_000, problems: [] },
  statuses: { COMPLETED: 40 },
  starts: tool === 'job' ? Array.from({ length: windows }, (_, i) => start(String.fromCharCode(65 + i), 3000 + 1000 * i)) : [start('browser', 1500, { kind: 'chromium.launch', cloneMs: 0 })],
  governor: tool === 'job' ? { changes: 0, lowestWindows: undefined } : undefined,
  backgroundCpuPercent: 3,
  load: { samples: 10, meanCpuPercent: 61.4, peakCpuPercent: 100, meanMemoryPercent: 5, peakMemoryPercent: 7.6 },
  outputDir: `/runs/${tool}-N${windows}`,
  logFile: `/runs/${tool}-N${windows}.log`,
  ...extra,
});

const benchInput = (runs: MeasuredRun[]) => ({
  createdAt: '2026-01-05T09:00:00.000Z',
  machine: { cpus: 2, cpuModel: 'Test CPU', totalMemoryBytes: 8e9, platform: 'linux', node: 'v20', browser: 'Chromium' },
  options: DEFAULT_BENCH_OPTIONS,
  batch: { pos: 40, attachments: 80, bytes: 7_000_000 },
  profile: { padded: { files: 1500, bytes: 203_000_000 }, naiveCopy: { files: 1500, bytes: 203_000_000, ms: 1840 } },
  runs,
});

const issueRuns = () => [
  run('job', 1, 62_000, 28.1),
  run('peer', 1, 64_000, 29.6),
  run('job', 2, 55_400, 36, { governor: { changes: 2, lowestWindows: 1 } }),
  run('peer', 2, 40_100, 25),
  run('job', 4, 44_700, 46.3, { firstPoMs: 7100, allReadyMs: 15_000 }),
  run('peer', 4, 28_800, 22.1),
];

test('issue 11\'s targets, checked from the runs', () => {
  const result = buildBenchResult(benchInput(issueRuns()));
  expect(result.targets.map((t) => [t.what, t.target, t.measured, t.met])).toEqual([
    ['N=2: total time, job vs one browser with 2 pages', '≤ peer', '55.4 s vs 40.1 s', false],
    ['N=4: total time, job vs one browser with 4 pages', '≤ peer', '44.7 s vs 28.8 s', false],
    ['N=1: first PO finished after the command started', '≤ 6 s', '4.20 s', true],
    ['N=2: first PO finished after the command started', '≤ 6 s', '4.20 s', true],
    ['N=4: first PO finished after the command started', '≤ 6 s', '7.10 s', false],
    ['N=4: all 4 windows verified and ready after the command started', '≤ 8 s', '15.0 s', false],
    ['CPU-seconds per PO, N=4 against N=1', '≤ 1.2 ×', '1.16 / 0.70 = 1.65 ×', false],
    ['CPU-seconds per PO at N=1', '≤ 0.5', '0.70', false],
    ['N=1: load governor on a quiet machine', 'no change', '0 change(s)', true],
    ['N=2: load governor on a quiet machine', 'no change', '2 change(s), down to 1', false],
    ['N=4: load governor on a quiet machine', 'no change', '0 change(s)', true],
    ['every run: exit 0, every PO as expected with byte-exact files', 'all runs', '6 of 6 runs', true],
  ]);
  expect(result.profile.clone).toEqual({ count: 4, meanMs: 150, maxMs: 150 });
});

test('targets name the runs that did not do the work, and the windows that never got ready', () => {
  const runs = issueRuns();
  runs[5] = run('peer', 4, 20_000, 20, { verification: { pos: 40, verified: 38, files: 76, bytes: 1, problems: ['PO 5000001: FAILED, expected COMPLETED'] } });
  runs[4] = run('job', 4, 44_700, 46.3, { allReadyMs: undefined, readyWindows: 3, exitCode: 1 });
  const targets = buildBenchResult(benchInput(runs)).targets;
  expect(targets.find((t) => t.what.startsWith('N=4: all 4 windows'))).toMatchObject({ measured: '3 of 4 ready', met: false });
  expect(targets.at(-1)).toMatchObject({ measured: 'job N=4: exit 1, 40/40; 1 browser N=4: exit 0, 38/40', met: false });
});

test('the printed report: comparison table, start-up table, profile, targets, notes', () => {
  const runs = issueRuns();
  runs[3] = run('peer', 2, 40_100, 25, { backgroundCpuPercent: 71.6, cpu: { seconds: 25, orphanSeconds: 0.6, orphans: 2, orphanNames: ['chromium', 'esbuild'], sampledSeconds: 23, processesSeen: 11 } });
  const text = renderBenchReport(buildBenchResult(benchInput(runs)));
  const lines = text.split('\n');
  expect(lines[0]).toBe('Benchmark 2026-01-05T09:00:00.000Z: 40 POs, 80 attachments (7.0 MB), 300 ms server time per request, 1.0 MB/s per download');
  expect(text).toContain('Job settings: defaults (the headline).');
  const header = lines.findIndex((l) => /^N +tool +total/.test(l));
  expect(lines[header]).toMatch(/^N +tool +total +first PO +all ready +CPU-s +CPU-s\/PO +mem peak +speed-up +efficiency +time ÷ peer +CPU ÷ peer +verified +governor$/);
  expect(lines[header + 2]).toMatch(/^1 +job +62\.0 s +4\.20 s +4\.00 s +28\.1 +0\.70 +900 MB +1\.00 +1\.00 +0\.97 +0\.95 +40\/40 +0 change\(s\)$/);
  expect(lines[header + 3]).toMatch(/^1 +1 browser +64\.0 s +4\.20 s +4\.00 s +29\.6 +0\.74 +900 MB +1\.00 +1\.00 +- +- +40\/40 +-$/);
  expect(lines[header + 6]).toMatch(/^4 +job +44\.7 s +7\.10 s +15\.0 s +46\.3 +1\.16 +900 MB +1\.39 +0\.35 +1\.55 +2\.10 +40\/40 +0 change\(s\)$/);
  expect(text).toContain('Warning: other processes kept the CPU 72% busy before 1 browser N=2');
  expect(text).toContain('Note: 1 browser N=2: 2 process(es) outlived their parent (chromium, esbuild; 0.60 CPU-s, counted from their last sample)');
  expect(text).toMatch(/\n1 +job +A +base +- +0\.00 s +0\.80 s +0\.90 s +3\.00 s +400 MB +10 +closed\n/);
  expect(text).toMatch(/\n4 +job +D +clone +0\.15 s +0\.30 s +0\.80 s +0\.90 s +6\.00 s +- +10 +closed\n/);
  expect(text).toMatch(/\n1 +1 browser +browser +chromium\.launch +- +0\.00 s +0\.80 s +0\.90 s +1\.50 s +- +10 +closed\n/);
  // CPU by part: what sampling saw of each part, and what it missed.
  expect(text).toMatch(/\n4 +job +46\.3 +2\.00 +8\.00 +35\.3 +0\.50 +0\.50\n/);
  expect(text).toContain('snapshot clone:      0.15 s mean, 0.15 s max over 4 clone(s)');
  expect(text).toMatch(/N=4: total time, job vs one browser with 4 pages +≤ peer +44\.7 s vs 28\.8 s +NO/);
});

test('CPU by window and phase, from the windows\' records', () => {
  const runs = [
    run('job', 1, 62_000, 28.1, {
      starts: [
        start('A', 3000, {
          posDone: 40,
          cpu: {
            workerStartS: 0.9,
            phases: { launch: { browserS: 0.35, workerS: 0.05 }, introspection: { browserS: 0.001, workerS: 0.002 }, session: { browserS: 0.5, workerS: 0.04 }, pos: { browserS: 4.4, workerS: 3.6 } },
            workerTotalS: 5.1,
          },
        }),
      ],
    }),
    run('peer', 1, 64_000, 29.6),
  ];
  const text = renderBenchReport(buildBenchResult(benchInput(runs)));
  expect(text).toMatch(/\n1 +A +0\.35 \/ 0\.05 +0\.00 \/ 0\.00 +0\.50 \/ 0\.04 +4\.40 \/ 3\.60 +0\.20 +0\.90 +5\.10\n/);
  // No window of the peer has a record: no row.
  expect(text).not.toMatch(/\n1 +browser +/);
});

test('a diagnosis run says the job did not run at its defaults', () => {
  const text = renderBenchReport(buildBenchResult({ ...benchInput(issueRuns()), options: { ...DEFAULT_BENCH_OPTIONS, cpuLimitPercent: 100 } }));
  expect(text).toContain('Job settings: defaults except CPU_LIMIT_PERCENT=100 (diagnosis, not the headline).');
});
