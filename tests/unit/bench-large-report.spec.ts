import { test, expect } from '@playwright/test';
import { renderLargeReport, roleMemory, summarizeSeries, type LargeResult } from '../../tooling/bench/large-report.js';
import type { ProcessEntry } from '../../tooling/bench/process-memory.js';

const MB = 1_000_000;
const p = (pid: number, ppid: number, rssMb: number, args: string, pssMb?: number): ProcessEntry => ({
  pid, ppid, rssBytes: rssMb * MB, args, ...(pssMb !== undefined && { pssBytes: pssMb * MB }),
});
const WORKER = 'node /app/node_modules/playwright/lib/worker/workerProcessEntry.js';

test('roles: the runner, each Playwright worker and the browser under it; loaders and strangers left out', () => {
  const table = [
    p(100, 1, 180, 'node /app/node_modules/@playwright/test/cli.js test --workers=2'),
    p(101, 100, 60, 'node /app/node_modules/playwright/lib/loader/loaderProcessEntry.js'),
    p(110, 100, 210, WORKER),
    p(111, 110, 300, 'chromium --user-data-dir=/home/op/User Data --headless', 120),
    p(112, 111, 150, 'chromium --type=renderer', 80),
    p(113, 110, 5, 'chromium_crashpad_handler --database=/x'),
    p(120, 100, 220, WORKER),
    p(121, 120, 290, 'chromium --user-data-dir=/tmp/clones/B/User Data --headless', 110),
    p(122, 121, 140, 'chromium --type=renderer'),
    p(200, 1, 999, 'chromium --user-data-dir=/elsewhere'),
  ];
  expect(roleMemory(table, 100)).toEqual({
    runner: 180 * MB,
    'worker 110': 210 * MB,
    'browser of worker 110': 200 * MB,
    'worker 120': 220 * MB,
    // One process without PSS: the browser's RSS is given instead.
    'browser of worker 120': 430 * MB,
  });
  expect(roleMemory(table, 999)).toEqual({});
});

test('series: warm-up left out, slope per 1,000 POs, flat within 5% of the mean, too few POs to judge', () => {
  const samples = Array.from({ length: 22 }, (_, i) => ({
    posDone: i * 100,
    memory: {
      // Start-up climb in the first 200 POs, then flat with GC wobble.
      runner: (i < 2 ? 100 + 40 * i : 200 + (i % 2 ? 3 : -3)) * MB,
      // Leaks 20 MB per 1,000 POs.
      'worker 7': (300 + 2 * i) * MB,
      ...(i >= 18 && { 'worker 8': 250 * MB }),
    } as Record<string, number>,
  }));
  // After the last PO (2,000 of 2,000) the processes shut down: not part of the trend, but of the peak.
  samples[21] = { posDone: 2000, memory: { runner: 10 * MB, 'worker 7': 900 * MB } };
  const series = summarizeSeries(samples, 200, 2000);
  const byName = new Map(series.map((s) => [s.name, s]));
  expect(byName.get('runner')).toMatchObject({ samples: 18, firstBytes: 197 * MB, lastBytes: 203 * MB, peakBytes: 203 * MB, verdict: 'flat' });
  expect(Math.abs(byName.get('runner')!.slopeBytesPer1000Pos!)).toBeLessThan(1 * MB);
  expect(byName.get('worker 7')!.slopeBytesPer1000Pos).toBeCloseTo(20 * MB, -3);
  expect(byName.get('worker 7')).toMatchObject({ verdict: 'growing', lastBytes: 338 * MB, peakBytes: 900 * MB });
  // A worker that lived for 100 POs (restarted near the end) is not judged.
  expect(byName.get('worker 8')).toMatchObject({ samples: 2, slopeBytesPer1000Pos: undefined, verdict: 'too few samples' });
  const shrinking = summarizeSeries(samples.map((s) => ({ posDone: s.posDone, memory: { x: 500 * MB - s.posDone * 100_000 } })), 0, 2000)[0]!;
  expect(shrinking.verdict).toBe('shrinking');
});

test('the printed large-batch figures', () => {
  const result: LargeResult = {
    createdAt: '2026-01-05T09:00:00.000Z',
    planning: { inputPos: 10_000, inputBytes: 310_000, readAndPlanMs: 180, listMs: 4_300, listedTests: 10_000, listExitCode: 0 },
    run: {
      pos: 2000, windows: 2, latencyMs: 10, exitCode: 0, totalMs: 612_000, plannedMs: 900, testsLoadedMs: 1_400, firstPoMs: 4_100, cpuSeconds: 800,
      verification: { pos: 2000, verified: 2000, files: 4000, bytes: 36_000_000, problems: [] },
      endOfRunMs: 6_200,
      reports: [{ file: 'run-summary.json', afterLastPoMs: 5_900 }],
      memory: [
        { name: 'runner', samples: 550, firstBytes: 190 * MB, lastBytes: 192 * MB, peakBytes: 200 * MB, slopeBytesPer1000Pos: 1.5 * MB, verdict: 'flat' },
        { name: 'worker 7', samples: 550, firstBytes: 300 * MB, lastBytes: 360 * MB, peakBytes: 365 * MB, slopeBytesPer1000Pos: -30 * MB, verdict: 'shrinking' },
      ],
    },
    htmlReport: { path: '/r/playwright-report', opened: true, renderMs: 850, testsInReport: 2000, rowsShown: 2000 },
  };
  const text = renderLargeReport(result);
  expect(text).toContain('Planning an input of 10000 POs (310 kB)');
  expect(text).toContain('npx playwright test --list (tests generated): 4.30 s, 10000 tests listed\n');
  expect(text).toContain('exit 0, 612.0 s, 2000/2000 POs verified byte-exact, 800.0 CPU-s (0.40 per PO)');
  expect(text).toContain('from the start: planned 0.90 s, tests loaded 1.40 s, first PO 4.10 s');
  expect(text).toContain('end of run (last PO → command ended): 6.20 s; reports written after the last PO: run-summary.json 5.90 s');
  expect(text).toMatch(/\nrunner +550 +190 MB +192 MB +200 MB +\+1\.5 MB +flat\n/);
  expect(text).toMatch(/\nworker 7 +550 +300 MB +360 MB +365 MB +−30 MB +shrinking\n/);
  expect(text).toContain('HTML report /r/playwright-report: opened from disk in headless Chromium, rendered in 0.85 s; shows 2000 tests, 2000 rows on screen');
  const failed = renderLargeReport({ ...result, htmlReport: { path: undefined, opened: false, renderMs: undefined, testsInReport: undefined, rowsShown: 0, error: 'no index.html' } });
  expect(failed).toContain('HTML report (not found): did NOT open (no index.html)');
});
