/**
 * The benchmark's arithmetic (seed PR-001: each added window should cut the time by
 * 1/N): throughput, speed-up and parallel efficiency against the baseline run.
 * Efficiency T_b·n_b / (N·T_N) is T1/(N·TN) when the baseline is one window.
 */
export function posPerMinute(pos: number, ms: number): number {
  return ms > 0 ? (pos / ms) * 60_000 : 0;
}

export function speedUp(baselineMs: number, ms: number): number {
  return ms > 0 ? baselineMs / ms : 0;
}

export function parallelEfficiency(baseline: { windows: number; ms: number }, run: { windows: number; ms: number }): number {
  return run.ms > 0 && run.windows > 0 ? (baseline.ms * baseline.windows) / (run.windows * run.ms) : 0;
}

/**
 * Time from the first PO's start to the last PO's end, from the journal: the part of a
 * run that parallel windows can shorten (set-up, snapshot, window start-up and the
 * report are not in it).
 */
export function poPhaseMs(results: readonly { finishedAt: string; durationMs: number }[]): number {
  if (results.length === 0) return 0;
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const r of results) {
    const end = Date.parse(r.finishedAt);
    first = Math.min(first, end - r.durationMs);
    last = Math.max(last, end);
  }
  return Math.max(0, last - first);
}

/**
 * Throughput once every window is ready: POs finished from `readyAt` on, over the time
 * from `readyAt` to the last finish. Separates what windows do when they all run from
 * what their start-up costs. Undefined with fewer than two such POs.
 */
export function steadyPosPerMinute(results: readonly { finishedAt: string }[], readyAt: number): number | undefined {
  const ends = results.map((r) => Date.parse(r.finishedAt)).filter((t) => t >= readyAt);
  if (ends.length < 2) return undefined;
  return posPerMinute(ends.length, Math.max(...ends) - readyAt);
}

/** When the last window became ready, from the windows' own records (start + start-up time). */
export function allReadyAt(startups: readonly { startedAt: string; totalStartMs: number; state: string }[]): number | undefined {
  const ready = startups.filter((s) => s.state !== 'failed' && s.totalStartMs > 0).map((s) => Date.parse(s.startedAt) + s.totalStartMs);
  return ready.length ? Math.max(...ready) : undefined;
}

export interface LoadSummary {
  samples: number;
  meanCpuPercent: number;
  peakCpuPercent: number;
  meanMemoryPercent: number;
  peakMemoryPercent: number;
}

export function summarizeLoad(samples: readonly { cpuPercent: number; memoryPercent: number }[]): LoadSummary {
  return {
    samples: samples.length,
    meanCpuPercent: mean(samples.map((s) => s.cpuPercent)),
    peakCpuPercent: Math.max(0, ...samples.map((s) => s.cpuPercent)),
    meanMemoryPercent: mean(samples.map((s) => s.memoryPercent)),
    peakMemoryPercent: Math.max(0, ...samples.map((s) => s.memoryPercent)),
  };
}

export interface RunTimes {
  windows: number;
  pos: number;
  totalMs: number;
  poPhaseMs: number;
  steadyPosPerMinute: number | undefined;
}

export interface ScalingRow extends RunTimes {
  posPerMinute: number;
  speedUp: number;
  efficiency: number;
  poPhaseSpeedUp: number;
  poPhaseEfficiency: number;
  /** Steady throughput per window against the baseline's: 1 when each window is as fast as alone. */
  steadyEfficiency: number | undefined;
}

/** Compares every run with the first one (normally N = 1). */
export function scalingRows(runs: readonly RunTimes[]): ScalingRow[] {
  const base = runs[0];
  if (!base) return [];
  return runs.map((run) => ({
    ...run,
    posPerMinute: posPerMinute(run.pos, run.totalMs),
    speedUp: speedUp(base.totalMs, run.totalMs),
    efficiency: parallelEfficiency({ windows: base.windows, ms: base.totalMs }, { windows: run.windows, ms: run.totalMs }),
    poPhaseSpeedUp: speedUp(base.poPhaseMs, run.poPhaseMs),
    poPhaseEfficiency: parallelEfficiency({ windows: base.windows, ms: base.poPhaseMs }, { windows: run.windows, ms: run.poPhaseMs }),
    steadyEfficiency:
      run.steadyPosPerMinute !== undefined && base.steadyPosPerMinute
        ? (run.steadyPosPerMinute * base.windows) / (run.windows * base.steadyPosPerMinute)
        : undefined,
  }));
}

export function mean(values: readonly number[]): number {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0;
}
