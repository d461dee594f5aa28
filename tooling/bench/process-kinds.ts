/**
 * Which part of a measured run a process is, from its name and command line: the
 * Playwright runner (the job's load governor samples there), a worker (one per window), a
 * browser process, or anything else (npx, a shell). Pure.
 */
export type ProcessKind = 'runner' | 'workers' | 'browsers' | 'other';

export type CpuByKind = Record<ProcessKind, number>;

export function processKind(comm: string, args: string): ProcessKind {
  if (/chrom|msedge|headless_shell/i.test(comm)) return 'browsers';
  if (/workerProcessEntry/.test(args)) return 'workers';
  if (/\bplaywright\b.*\btest\b/.test(args) || /loaderProcessEntry/.test(args)) return 'runner';
  return 'other';
}

/** Own CPU-seconds by kind, rounded to hundredths. */
export function cpuByKind(processes: readonly { comm: string; args: string; seconds: number }[]): CpuByKind {
  const sums: CpuByKind = { runner: 0, workers: 0, browsers: 0, other: 0 };
  for (const p of processes) sums[processKind(p.comm, p.args)] += p.seconds;
  for (const kind of Object.keys(sums) as ProcessKind[]) sums[kind] = Math.round(sums[kind] * 100) / 100;
  return sums;
}
