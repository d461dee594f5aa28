import fs from 'node:fs';
import os from 'node:os';
import { LOAD_SIGNAL_FILE_ENV } from '../run-state/run-handle.js';
import { OperatorError } from '../shared/operator-error.js';

/**
 * System-wide CPU and memory load, sampled at a steady pace for the concurrency
 * controller (PARALLEL-06, PERF-04). The source of the numbers is injectable so tests and the
 * end-to-end load scenarios can drive the job with a load they choose.
 */
export interface ResourceSample {
  /** Epoch milliseconds from the monitor's clock. */
  at: number;
  cpuPercent: number;
  memoryPercent: number;
}

export interface LoadSignal {
  /** Names the source in logs and the run summary (`system`, or the file a test writes). */
  readonly description: string;
  sample(): Promise<ResourceSample>;
}

export type Clock = () => number;

/** CPU time of the whole machine (all cores), busy and idle, as the operating system counts it. */
export interface CpuTimes {
  busy: number;
  idle: number;
}

export function machineCpuTimes(cpus: readonly Pick<os.CpuInfo, 'times'>[] = os.cpus()): CpuTimes {
  let busy = 0;
  let idle = 0;
  for (const { times } of cpus) {
    busy += times.user + times.nice + times.sys + times.irq;
    idle += times.idle;
  }
  return { busy, idle };
}

/** Pure: the share of the time between two readings the machine's cores were busy; no time passed, the share since boot. */
export function busyPercent(before: CpuTimes, now: CpuTimes): number {
  const busy = now.busy - before.busy;
  const total = busy + now.idle - before.idle;
  return total > 0 ? (busy / total) * 100 : (now.busy / Math.max(1, now.busy + now.idle)) * 100;
}

/**
 * Active memory as a percentage: total − available. On Linux Node's free memory is
 * MemAvailable and on Windows the available physical memory, both what we mean; macOS
 * counts only free pages there (its cache would look used), so systeminformation reads it.
 */
async function activeMemoryPercent(platform: NodeJS.Platform): Promise<number> {
  if (platform === 'linux' || platform === 'win32') return ((os.totalmem() - os.freemem()) / os.totalmem()) * 100;
  const { default: si } = await import('systeminformation');
  const mem = await si.mem();
  return mem.total > 0 ? (mem.active / mem.total) * 100 : 0;
}

/**
 * The machine's real load, read from counters Node has at hand: CPU is the share of busy
 * core time since the previous sample (os.cpus()), memory is `active` (total − available),
 * not `used`: on Linux `used` counts the page cache, which the kernel gives back on demand,
 * so a machine that merely read a lot of files would look full and park windows for nothing.
 * systeminformation did this before at 19–23 ms of CPU a sample with the processes it
 * starts (its currentLoad runs `sh -c "cat /proc/stat | grep cpu"` every time on Linux);
 * this costs 8–10 ms, against 3 ms for a Node process that only waits (2-core machine, busy).
 */
export class SystemLoadSignal implements LoadSignal {
  readonly description = 'system (CPU busy time of all cores, active memory)';
  private last: CpuTimes = machineCpuTimes();

  constructor(
    private readonly clock: Clock = Date.now,
    private readonly platform: NodeJS.Platform = process.platform,
  ) {}

  async sample(): Promise<ResourceSample> {
    const memoryPercent = await activeMemoryPercent(this.platform);
    const now = machineCpuTimes();
    const cpuPercent = busyPercent(this.last, now);
    this.last = now;
    return { at: this.clock(), cpuPercent: clampPercent(cpuPercent), memoryPercent: clampPercent(memoryPercent) };
  }
}

export class LoadSignalFileError extends OperatorError {
  constructor(readonly file: string, problem: string) {
    super(
      `Load signal file ${file} (${LOAD_SIGNAL_FILE_ENV}): ${problem}`,
      `${LOAD_SIGNAL_FILE_ENV} is a test hook: write {"cpuPercent": <0-100>, "memoryPercent": <0-100>} to that file, or unset ${LOAD_SIGNAL_FILE_ENV} to use the real system load.`,
    );
  }
}

/**
 * Test hook (LOAD_SIGNAL_FILE): the load is whatever `{ "cpuPercent", "memoryPercent" }` a
 * test last wrote to the file, so reduction and restoration can be proved with real
 * windows without loading the machine. Tests should replace the file atomically
 * (write a temp file, rename) so a read never sees half a file.
 */
export class FileLoadSignal implements LoadSignal {
  readonly description: string;

  constructor(readonly file: string, private readonly clock: Clock = Date.now) {
    this.description = `file ${file} (${LOAD_SIGNAL_FILE_ENV} test hook)`;
  }

  async sample(): Promise<ResourceSample> {
    let text: string;
    try {
      text = await fs.promises.readFile(this.file, 'utf8');
    } catch (error) {
      throw new LoadSignalFileError(this.file, `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new LoadSignalFileError(this.file, `is not JSON: ${JSON.stringify(text.slice(0, 80))}`);
    }
    const { cpuPercent, memoryPercent } = (parsed ?? {}) as Record<string, unknown>;
    if (!isPercent(cpuPercent) || !isPercent(memoryPercent)) {
      throw new LoadSignalFileError(this.file, `needs numbers 0-100 in cpuPercent and memoryPercent, got ${text.trim().slice(0, 120)}`);
    }
    return { at: this.clock(), cpuPercent, memoryPercent };
  }
}

/** The file signal when the test hook names a file (tests), the real system load otherwise. */
export function loadSignalFor(signalFile: string | undefined, clock: Clock = Date.now): LoadSignal {
  return signalFile ? new FileLoadSignal(signalFile, clock) : new SystemLoadSignal(clock);
}

function isPercent(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 100;
}

function clampPercent(value: number): number {
  return Number.isFinite(value) ? Math.min(100, Math.max(0, value)) : 0;
}

export interface SamplingCost {
  samples: number;
  failures: number;
  /** Wall time of one `sample()` call: what the monitor costs the machine it watches. */
  meanMs: number;
  maxMs: number;
}

export interface ResourceMonitorOptions {
  everyMs: number;
  onSample: (sample: ResourceSample) => void;
  /** A failed sample is skipped, never fatal: a monitoring hiccup must not stop the downloads. */
  onError?: (error: unknown) => void;
}

/**
 * Samples a load signal every `everyMs` until stopped. Samples never overlap: the next
 * one is scheduled when the previous one finished, so a slow sample stretches the pace
 * instead of piling up. The timer does not keep the process alive.
 */
export class ResourceMonitor {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private inFlight: Promise<void> | undefined;
  private readonly costs = { samples: 0, failures: 0, totalMs: 0, maxMs: 0 };

  constructor(readonly signal: LoadSignal, private readonly options: ResourceMonitorOptions) {
    if (!(Number.isFinite(options.everyMs) && options.everyMs > 0)) {
      throw new RangeError(`ResourceMonitor: everyMs must be a positive number, got ${options.everyMs}`);
    }
  }

  /** Takes the first sample at once, then one every `everyMs`. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.tick();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.inFlight;
  }

  cost(): SamplingCost {
    const { samples, failures, totalMs, maxMs } = this.costs;
    const measured = samples + failures;
    return { samples, failures, meanMs: measured ? totalMs / measured : 0, maxMs };
  }

  private tick(): void {
    this.inFlight = this.sampleOnce().finally(() => {
      this.inFlight = undefined;
      if (!this.running) return;
      this.timer = setTimeout(() => this.tick(), this.options.everyMs);
      this.timer.unref();
    });
  }

  private async sampleOnce(): Promise<void> {
    const started = performance.now();
    let sample: ResourceSample | undefined;
    try {
      sample = await this.signal.sample();
    } catch (error) {
      this.costs.failures++;
      this.options.onError?.(error);
    } finally {
      const ms = performance.now() - started;
      this.costs.totalMs += ms;
      this.costs.maxMs = Math.max(this.costs.maxMs, ms);
    }
    if (!sample) return;
    this.costs.samples++;
    if (this.running) this.options.onSample(sample);
  }
}
