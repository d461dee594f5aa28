/**
 * The benchmark's arithmetic (PERF-01: each added window should cut the time by 1/N;
 * issue 11: and do at least as well as one browser with N pages). Pure.
 */
export function speedUp(referenceMs: number, ms: number): number {
  return ms > 0 ? referenceMs / ms : 0;
}

/** T_r·n_r / (N·T_N): 1 when N windows are N times as fast as the reference's n_r. */
export function parallelEfficiency(reference: { windows: number; ms: number }, run: { windows: number; ms: number }): number {
  return run.ms > 0 && run.windows > 0 ? (reference.ms * reference.windows) / (run.windows * run.ms) : 0;
}

/** When the first PO finished (epoch ms), from the results' finishedAt. */
export function firstFinishedAt(results: readonly { finishedAt: string }[]): number | undefined {
  const times = results.map((r) => Date.parse(r.finishedAt)).filter(Number.isFinite);
  return times.length ? Math.min(...times) : undefined;
}

/**
 * When the last of `windows` windows became ready (epoch ms): each window counts from its
 * first verified start (a window restarted later was ready before). Undefined, with the
 * count that did get ready, when fewer than `windows` ever did.
 */
export function allReadyAt(starts: readonly { window: string; readyAt: number | undefined }[], windows: number): { at: number | undefined; ready: number } {
  const first = new Map<string, number>();
  for (const s of starts) {
    if (s.readyAt === undefined) continue;
    first.set(s.window, Math.min(s.readyAt, first.get(s.window) ?? Number.POSITIVE_INFINITY));
  }
  const ready = first.size;
  return { at: ready >= windows && ready > 0 ? Math.max(...first.values()) : undefined, ready };
}

/** Least-squares slope of y over x; undefined with fewer than two distinct x. */
export function slope(points: readonly { x: number; y: number }[]): number | undefined {
  const n = points.length;
  if (n < 2) return undefined;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (const p of points) {
    sxx += (p.x - mx) ** 2;
    sxy += (p.x - mx) * (p.y - my);
  }
  return sxx > 0 ? sxy / sxx : undefined;
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

export function mean(values: readonly number[]): number {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0;
}

/** The job or the single-browser N-page peer. */
export type Tool = 'job' | 'peer';

export interface RunFigures {
  tool: Tool;
  windows: number;
  pos: number;
  totalMs: number;
  cpuSeconds: number;
}

export interface Comparison {
  cpuPerPo: number;
  /** Against the same tool's first run (normally N = 1). */
  speedUp: number;
  efficiency: number;
  /** This run's total time over the peer's at the same N (job rows only): below 1 means the job was faster. */
  timeVsPeer: number | undefined;
  cpuVsPeer: number | undefined;
}

/** Speed-up and efficiency within each tool, and the job against the peer at the same N. */
export function compareRuns<R extends RunFigures>(runs: readonly R[]): (R & Comparison)[] {
  return runs.map((run) => {
    const reference = runs.find((r) => r.tool === run.tool)!;
    const peer = run.tool === 'job' ? runs.find((r) => r.tool === 'peer' && r.windows === run.windows) : undefined;
    return {
      ...run,
      cpuPerPo: run.pos > 0 ? run.cpuSeconds / run.pos : 0,
      speedUp: speedUp(reference.totalMs, run.totalMs),
      efficiency: parallelEfficiency({ windows: reference.windows, ms: reference.totalMs }, { windows: run.windows, ms: run.totalMs }),
      timeVsPeer: peer && peer.totalMs > 0 ? run.totalMs / peer.totalMs : undefined,
      cpuVsPeer: peer && peer.cpuSeconds > 0 ? run.cpuSeconds / peer.cpuSeconds : undefined,
    };
  });
}
