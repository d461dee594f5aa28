import type { BenchOptions } from './bench-options.js';
import { mean, scalingRows, type LoadSummary, type ScalingRow } from './bench-math.js';
import type { WindowMemoryPeak } from './process-memory.js';
import type { NaiveCopyResult, TreeSize } from './profile-padding.js';
import type { WindowStartup } from './window-startup.js';
import { displayWidth, formatBytes } from '../../support/progress/text-format.js';

/**
 * The benchmark's result (written as JSON) and its printed tables. Pure: the runner
 * gathers the measurements, this shapes and checks them against the targets of the
 * issue (PR-001..003, NFR-001).
 */
export interface MeasuredRun {
  windows: number;
  exitCode: number | null;
  totalMs: number;
  poPhaseMs: number;
  /** From the job's start until the last window was verified and ready. */
  allReadyMs: number | undefined;
  steadyPosPerMinute: number | undefined;
  /** System CPU and memory while the job ran. */
  load: LoadSummary;
  /** System CPU in the seconds before the job started: other work on the machine. */
  backgroundCpuPercent: number;
  pos: number;
  /** Journal results by status. */
  statuses: Record<string, number>;
  /** Results whose status is the one the simulator's catalogue expects. */
  expectedMatched: number;
  runRoot: string | undefined;
  startups: WindowStartup[];
  memory: WindowMemoryPeak[];
  /** From the run's load gate, when the load governor ran. */
  governor: { changes: number; lowestTarget: number } | undefined;
}

export interface BenchResult {
  createdAt: string;
  machine: { cpus: number; cpuModel: string; totalMemoryBytes: number; platform: string; node: string; browser: string };
  options: BenchOptions;
  batch: { pos: number; attachments: number; bytes: number };
  profile: {
    padded: TreeSize;
    naiveCopy: NaiveCopyResult;
    /** The job's own clones (from the snapshot), over every clone window of every run. */
    clone: { count: number; meanMs: number; maxMs: number; meanBytes: number; method: string } | undefined;
  };
  runs: (MeasuredRun & ScalingRow)[];
  targets: TargetCheck[];
}

export interface TargetCheck {
  what: string;
  target: string;
  measured: string;
  met: boolean;
}

export function buildBenchResult(input: Omit<BenchResult, 'runs' | 'targets' | 'profile'> & {
  runs: MeasuredRun[];
  profile: Omit<BenchResult['profile'], 'clone'>;
}): BenchResult {
  const rows = scalingRows(input.runs);
  const runs = input.runs.map((run, i) => ({ ...run, ...rows[i]! }));
  const clones = runs.flatMap((r) => r.startups).filter((s) => s.kind === 'clone' && s.cloneMs > 0);
  const clone = clones.length
    ? {
        count: clones.length,
        meanMs: mean(clones.map((c) => c.cloneMs)),
        maxMs: Math.max(...clones.map((c) => c.cloneMs)),
        meanBytes: mean(clones.map((c) => c.cloneBytes ?? 0)),
        method: [...new Set(clones.map((c) => c.cloneMethod ?? '?'))].join('/'),
      }
    : undefined;
  const result: BenchResult = { ...input, profile: { ...input.profile, clone }, runs, targets: [] };
  result.targets = checkTargets(result);
  return result;
}

/** Background CPU from which a run counts as sharing the machine with other work. */
export const BUSY_PERCENT = 25;

const seconds = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
const ratio = (x: number) => x.toFixed(2);

/** The issue's targets: efficiency ≥ 0.9 at N=2 and ≥ 0.8 at N=4, start-up < 3 s (limit 30 s), clone < 0.5 s (limit 5 s), all POs right. */
export function checkTargets(result: BenchResult): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const base = result.runs[0];
  for (const [n, min] of [[2, 0.9], [4, 0.8]] as const) {
    const run = result.runs.find((r) => r.windows === n);
    if (!run || !base || base.windows !== 1) continue;
    checks.push({ what: `efficiency T1/(N·TN) at N=${n}, whole run`, target: `≥ ${min}`, measured: ratio(run.efficiency), met: run.efficiency >= min });
    checks.push({ what: `efficiency at N=${n}, PO phase only`, target: `≥ ${min}`, measured: ratio(run.poPhaseEfficiency), met: run.poPhaseEfficiency >= min });
  }
  const startups = result.runs.flatMap((r) => r.startups).filter((s) => s.state !== 'failed' && s.totalStartMs > 0);
  if (startups.length) {
    const worst = Math.max(...startups.map((s) => s.totalStartMs));
    checks.push({ what: 'slowest window start-up (clone + launch + verify)', target: '< 3 s (limit 30 s)', measured: seconds(worst), met: worst < 3000 });
  }
  if (result.profile.clone) {
    const worst = result.profile.clone.maxMs;
    checks.push({ what: 'slowest clone of the padded profile', target: '< 0.5 s (limit 5 s)', measured: seconds(worst), met: worst < 500 });
  }
  const maxN = Math.max(0, ...result.runs.map((r) => r.windows));
  const widest = result.runs.find((r) => r.windows === maxN);
  if (widest && maxN >= 4) {
    const ok = widest.exitCode === 0 && widest.expectedMatched === widest.pos;
    checks.push({ what: `${maxN} concurrent windows without instability`, target: 'exit 0, every PO as expected', measured: `exit ${widest.exitCode}, ${widest.expectedMatched}/${widest.pos} as expected`, met: ok });
  }
  return checks;
}

/** Columns padded to their widest cell; numbers right-aligned. */
export function formatTable(headers: string[], rows: string[][], rightAligned: ReadonlySet<number> = new Set()): string[] {
  const widths = headers.map((h, c) => Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[c] ?? ''))));
  const cell = (text: string, c: number) => {
    const pad = ' '.repeat(widths[c]! - displayWidth(text));
    return rightAligned.has(c) ? pad + text : text + pad;
  };
  const line = (cells: string[]) => cells.map((t, c) => cell(t, c)).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

function outcome(run: MeasuredRun): string {
  const statuses = Object.entries(run.statuses)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([s, n]) => `${n} ${s}`)
    .join(', ');
  return `${run.expectedMatched}/${run.pos} as expected${statuses ? ` (${statuses})` : ''}${run.exitCode === 0 ? '' : `, exit ${run.exitCode}`}`;
}

export function renderBenchReport(result: BenchResult): string {
  const o = result.options;
  const out: string[] = [];
  out.push(
    `Benchmark ${result.createdAt}: ${result.batch.pos} POs, ${result.batch.attachments} attachments (${formatBytes(result.batch.bytes)}), ` +
      `${o.pageLatencyMs} ms per page, ${o.downloadBytesPerSecond ? `${formatBytes(o.downloadBytesPerSecond)}/s` : 'unlimited'} per download`,
    `Machine: ${result.machine.cpus} CPU(s) ${result.machine.cpuModel}, ${formatBytes(result.machine.totalMemoryBytes)} RAM, ` +
      `${result.machine.platform}, Node ${result.machine.node}, ${result.machine.browser}`,
    '',
    'Scaling: speed-up and efficiency T1/(N·TN) against the first row, for the whole job and for the PO phase (first PO start to',
    'last PO end); all ready = job start to last window verified; steady = POs/min once every window is ready, per window vs. the first row',
  );
  out.push(
    ...formatTable(
      ['N', 'total', 'POs/min', 'speed-up', 'efficiency', 'PO phase', 'eff.', 'all ready', 'steady POs/min', 'eff.', 'CPU before', 'CPU mean/peak', 'mem peak', 'load gate', 'outcome'],
      result.runs.map((r) => [
        String(r.windows),
        seconds(r.totalMs),
        r.posPerMinute.toFixed(1),
        ratio(r.speedUp),
        ratio(r.efficiency),
        seconds(r.poPhaseMs),
        ratio(r.poPhaseEfficiency),
        r.allReadyMs !== undefined ? seconds(r.allReadyMs) : '-',
        r.steadyPosPerMinute !== undefined ? r.steadyPosPerMinute.toFixed(1) : '-',
        r.steadyEfficiency !== undefined ? ratio(r.steadyEfficiency) : '-',
        `${Math.round(r.backgroundCpuPercent)}%`,
        `${Math.round(r.load.meanCpuPercent)}%/${Math.round(r.load.peakCpuPercent)}%`,
        `${Math.round(r.load.peakMemoryPercent)}%`,
        r.governor ? `${r.governor.changes} change(s), min ${r.governor.lowestTarget}` : '-',
        outcome(r),
      ]),
      new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]),
    ),
  );
  const busy = result.runs.filter((r) => r.backgroundCpuPercent >= BUSY_PERCENT);
  if (busy.length) {
    out.push(
      `Warning: other processes kept the CPU ${busy.map((r) => `${Math.round(r.backgroundCpuPercent)}% busy before N=${r.windows}`).join(', ')}; ` +
        'those runs shared the machine and understate what the job does on an idle one (see --wait-idle).',
    );
  }
  out.push(
    '',
    'Windows (start-up = clone-slot wait + clone + launch + verify; memory of the browser process tree: RSS summed, an upper bound, and PSS)',
  );
  const windowRows: string[][] = [];
  for (const run of result.runs) {
    for (const s of run.startups) {
      const memory = run.memory.filter((m) => m.window === s.window);
      const rss = Math.max(0, ...memory.map((m) => m.peakRssBytes));
      const pss = Math.max(0, ...memory.map((m) => m.peakPssBytes ?? 0));
      windowRows.push([
        String(run.windows),
        s.window,
        `w${s.workerIndex}`,
        s.kind,
        s.kind === 'clone' ? seconds(s.cloneMs) : '-',
        s.cloneBytes !== undefined ? formatBytes(s.cloneBytes) : '-',
        seconds(s.launchMs),
        seconds(s.verifyMs),
        seconds(s.totalStartMs),
        rss ? formatBytes(rss) : '-',
        pss ? formatBytes(pss) : '-',
        String(s.posDone),
        s.state,
      ]);
    }
  }
  out.push(
    ...formatTable(
      ['N', 'window', 'worker', 'profile', 'clone', 'clone size', 'launch', 'verify', 'start-up', 'peak RSS', 'peak PSS', 'POs', 'state'],
      windowRows,
      new Set([0, 4, 5, 6, 7, 8, 9, 10, 11]),
    ),
  );
  const p = result.profile;
  out.push(
    '',
    'Profile',
    `  padded base profile: ${formatBytes(p.padded.bytes)} in ${p.padded.files} files`,
    `  naive full copy:     ${seconds(p.naiveCopy.ms)} for ${formatBytes(p.naiveCopy.bytes)} in ${p.naiveCopy.files} files`,
    p.clone
      ? `  snapshot clone:      ${seconds(p.clone.meanMs)} mean, ${seconds(p.clone.maxMs)} max over ${p.clone.count} clone(s) of ${formatBytes(p.clone.meanBytes)} (${p.clone.method}); ` +
        `${(p.naiveCopy.ms / Math.max(1, p.clone.meanMs)).toFixed(0)}× faster, ${(p.naiveCopy.bytes / Math.max(1, p.clone.meanBytes)).toFixed(0)}× smaller`
      : '  snapshot clone:      none (no clone window ran)',
  );
  if (result.targets.length) {
    out.push('', 'Targets');
    out.push(...formatTable(['check', 'target', 'measured', 'met'], result.targets.map((t) => [t.what, t.target, t.measured, t.met ? 'yes' : 'NO'])));
  }
  return `${out.join('\n')}\n`;
}
