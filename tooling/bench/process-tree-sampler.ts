import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { OperatorError } from '../../support/shared/operator-error.js';
import { parseProcStat, processKey, type ProcStat } from './proc-stat.js';
import { BrowserMemoryPeaks, pssOf, sumPss, type BrowserMemoryPeak, type ProcessEntry } from './process-memory.js';
import { cpuByKind, type CpuByKind } from './process-kinds.js';
import { ProcessTreeAccount, type TreeCpu, type TreeMemory } from './process-tree-account.js';

/**
 * Measures a command the benchmark starts, with everything it starts in turn: wall time,
 * CPU-seconds of the whole process tree (see ProcessTreeAccount), memory peaks of the
 * tree and of each browser in it. Linux only (/proc). Only reads: nothing here signals a
 * process.
 */
export interface SystemUnits {
  ticksPerSecond: number;
  pageBytes: number;
}

let units: SystemUnits | undefined;

/** Clock ticks per second and page size, asked once (a child process: never while a measured command runs). */
export function systemUnits(): SystemUnits {
  if (units) return units;
  const conf = (name: string, fallback: number) => {
    try {
      const n = Number(execFileSync('getconf', [name], { encoding: 'utf8' }).trim());
      return n > 0 ? n : fallback;
    } catch {
      return fallback;
    }
  };
  return (units = { ticksPerSecond: conf('CLK_TCK', 100), pageBytes: conf('PAGESIZE', 4096) });
}

export class ProcUnavailableError extends OperatorError {
  constructor() {
    super('npm run bench measures CPU and memory from /proc, which this system does not have.', 'Run the benchmark on Linux (the reference machine is a 2-core Debian).');
  }
}

export function readProcessTable(): ProcStat[] {
  const table: ProcStat[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = parseProcStat(fs.readFileSync(`/proc/${name}/stat`, 'utf8'));
      if (stat) table.push(stat);
    } catch {
      // Ended between the listing and the read.
    }
  }
  return table;
}

/** This process's cutime + cstime: the CPU of every child it has waited for so far, with their own waited-for children. */
export function reapedChildTicks(): number {
  let text: string;
  try {
    text = fs.readFileSync('/proc/self/stat', 'utf8');
  } catch {
    throw new ProcUnavailableError();
  }
  const self = parseProcStat(text);
  if (!self) throw new ProcUnavailableError();
  return self.cutime + self.cstime;
}

export interface SampledProcess extends ProcessEntry {
  key: string;
  comm: string;
}

export interface LiveSample {
  at: number;
  processes: SampledProcess[];
  rssBytes: number;
  pssBytes: number | undefined;
}

export interface TreeUsage {
  cpu: TreeCpu;
  /** Each process's own CPU at its last sample, by kind: a lower bound (what ended between two samples is missed), against `cpu.seconds` exact. */
  cpuByKind: CpuByKind;
  memory: TreeMemory & { peakPssBytes: number | undefined };
  browsers: BrowserMemoryPeak[];
  /** Names of the tree's processes still running a while after the command ended: left behind. */
  leftRunning: string[];
  /** Samples that failed (the figures then miss those moments). */
  samplerFailures: number;
  /** What the sampling cost the benchmark's own process (which is not part of the measured tree). */
  sampling: { samples: number; meanMs: number; maxMs: number };
}

export interface TreeSamplerOptions {
  everyMs: number;
  /**
   * Read proportional set sizes at most this often (0: at every sample; undefined: never).
   * smaps_rollup costs about a millisecond of CPU per Chromium process, so reading it for
   * forty processes every second would take a share of a 2-core machine from the
   * measured command, and more from the one with more processes.
   */
  pssEveryMs?: number;
  onSample?: (sample: LiveSample) => void;
}

export class ProcessTreeSampler {
  private readonly account: ProcessTreeAccount;
  private readonly browsers = new BrowserMemoryPeaks();
  private readonly commandLines = new Map<string, string>();
  private peakPss: number | undefined;
  private failures = 0;
  private lastPssAt = Number.NEGATIVE_INFINITY;
  private readonly cost = { samples: 0, totalMs: 0, maxMs: 0 };
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private inFlight: Promise<void> | undefined;

  constructor(readonly rootPid: number, private readonly options: TreeSamplerOptions) {
    this.account = new ProcessTreeAccount(rootPid, systemUnits());
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.tick();
  }

  /**
   * Stops sampling once the root has ended, then follows what it left behind (a runner may
   * exit before its workers have) until they end too, for at most `lingerMs`, so orphans
   * are counted as close to their end as possible. Then accounts for the tree.
   */
  async finish(reapedTicks: number, lingerMs = 5_000): Promise<TreeUsage> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    await this.inFlight;
    const deadline = Date.now() + lingerMs;
    let last = await this.sampleOnce().catch(() => undefined);
    while (last && last.processes.length > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      last = await this.sampleOnce().catch(() => undefined);
    }
    return {
      cpu: this.account.cpu(reapedTicks),
      cpuByKind: cpuByKind(this.account.ownSeconds().map((p) => ({ ...p, args: this.commandLines.get(p.key) ?? '' }))),
      memory: { ...this.account.memory(), peakPssBytes: this.peakPss },
      browsers: this.browsers.result(),
      leftRunning: last?.processes.map((p) => p.comm) ?? [],
      samplerFailures: this.failures,
      sampling: { samples: this.cost.samples, meanMs: this.cost.samples ? this.cost.totalMs / this.cost.samples : 0, maxMs: this.cost.maxMs },
    };
  }

  private commandLine(stat: ProcStat, key: string): string {
    let args = this.commandLines.get(key);
    if (args === undefined) {
      try {
        args = fs.readFileSync(`/proc/${stat.pid}/cmdline`, 'utf8').replace(/\0+$/, '').replace(/\0/g, ' ');
      } catch {
        args = '';
      }
      args ||= stat.comm;
      this.commandLines.set(key, args);
    }
    return args;
  }

  private async sampleOnce(): Promise<LiveSample> {
    const started = performance.now();
    const tree = this.account.observe(readProcessTable(), Date.now());
    const { pageBytes } = systemUnits();
    // A process that is exiting (memory already released, or a zombie) has no memory to show and no work left.
    const live = tree.members.filter((m) => m.rssPages > 0 && m.state !== 'Z' && m.state !== 'X');
    // A sample taken before the command's first process shows up does not use up the PSS reading.
    const withPss = this.options.pssEveryMs !== undefined && live.length > 0 && tree.at - this.lastPssAt >= this.options.pssEveryMs;
    if (withPss) this.lastPssAt = tree.at;
    const processes: SampledProcess[] = [];
    for (const stat of live) {
      const key = processKey(stat);
      const pssBytes = withPss ? await pssOf(stat.pid) : undefined;
      processes.push({ key, comm: stat.comm, pid: stat.pid, ppid: stat.ppid, rssBytes: stat.rssPages * pageBytes, args: this.commandLine(stat, key), ...(pssBytes !== undefined && { pssBytes }) });
    }
    this.browsers.observe(processes);
    const pssBytes = processes.length ? sumPss(processes) : undefined;
    if (pssBytes !== undefined && pssBytes > (this.peakPss ?? 0)) this.peakPss = pssBytes;
    const sample: LiveSample = { at: tree.at, processes, rssBytes: tree.rssBytes, pssBytes };
    const ms = performance.now() - started;
    this.cost.samples++;
    this.cost.totalMs += ms;
    this.cost.maxMs = Math.max(this.cost.maxMs, ms);
    this.options.onSample?.(sample);
    return sample;
  }

  private tick(): void {
    this.inFlight = this.sampleOnce()
      .then(() => undefined, () => void this.failures++)
      .finally(() => {
        this.inFlight = undefined;
        if (!this.running) return;
        this.timer = setTimeout(() => this.tick(), this.options.everyMs);
        this.timer.unref();
      });
  }
}

export interface MeasuredCommand<T> {
  result: T;
  /** Epoch ms just before the command was started. */
  startedAt: number;
  wallMs: number;
  usage: TreeUsage;
}

/**
 * Starts a command and measures it until it has ended and been waited for. Nothing else
 * of this process may start a child meanwhile: its CPU would be counted as the command's.
 */
export async function measureCommand<T>(
  start: () => { pid: number | undefined; done: Promise<T> },
  options: TreeSamplerOptions,
): Promise<MeasuredCommand<T>> {
  systemUnits();
  const reapedBefore = reapedChildTicks();
  const startedAt = Date.now();
  const started = performance.now();
  const { pid, done } = start();
  if (pid === undefined) {
    await done;
    throw new Error('the command to measure could not be started (no process id)');
  }
  const sampler = new ProcessTreeSampler(pid, options);
  sampler.start();
  const result = await done;
  const wallMs = performance.now() - started;
  const usage = await sampler.finish(reapedChildTicks() - reapedBefore);
  return { result, startedAt, wallMs, usage };
}
