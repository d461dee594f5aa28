import { OperatorError } from '../shared/operator-error.js';
import type { ResourceSample } from './resource-monitor.js';

/**
 * Decides how many windows may take new POs from the machine's load (FR-006, PR-004):
 * one window fewer when the load is above a limit, one more when it has stayed well
 * below both limits for a while. Pure: time comes from the samples, so tests replay any
 * load curve in microseconds.
 *
 * Hysteresis comes from three things, each needed:
 * - smoothing (mean of the last few samples), so one spike does not park a window;
 * - a dead band: reduce above the limit, raise only below limit − margin, do nothing between;
 * - time: a reduction waits `cooldownMs` after the previous change (a relaunched window's
 *   own start-up spike must not park it again), a raise needs `holdMs` of continuous calm.
 */
export interface LoadLimits {
  cpuPercent: number;
  memoryPercent: number;
}

export interface ControllerOptions {
  /** Configured windows (the worker count): the target never goes above it. */
  maxWindows: number;
  /** Default 1: window A always keeps working. */
  minWindows?: number;
  /** Default CPU 80 %, memory 90 % (PR-004). */
  limits?: Partial<LoadLimits>;
  /** Samples averaged into the value compared with the limits. Default 3. */
  smoothingSamples?: number;
  /** Raise only when both smoothed values are this many points below their limits. Default 10. */
  marginPoints?: number;
  /** Minimum time after the start and after any change before a reduction. Default 10 s. */
  cooldownMs?: number;
  /** Continuous calm needed for each raise. Default 15 s. */
  holdMs?: number;
}

export type ResolvedControllerOptions = Required<Omit<ControllerOptions, 'limits'>> & { limits: LoadLimits };

export const DEFAULT_LIMITS: LoadLimits = { cpuPercent: 80, memoryPercent: 90 };

export type ChangeReason = 'cpu-above-limit' | 'memory-above-limit' | 'cpu-and-memory-above-limit' | 'load-below-limits';

export interface TargetChange {
  /** ISO time of the sample that triggered the change. */
  at: string;
  /** Smoothed values the decision was made on. */
  cpuPercent: number;
  memoryPercent: number;
  from: number;
  to: number;
  reason: ChangeReason;
  /** The raw samples behind the smoothed values: the decision's inputs, kept for the summary. */
  samples: ResourceSample[];
}

export interface ControllerSummary {
  options: ResolvedControllerOptions;
  target: number;
  samplesSeen: number;
  /** Peak of the raw samples, so a summary shows how close the run came to the limits. */
  peakCpuPercent: number;
  peakMemoryPercent: number;
  lowestTarget: number;
  changes: TargetChange[];
}

export class ControllerOptionsError extends OperatorError {
  constructor(problems: string[]) {
    super(
      `Load-adaptive concurrency settings: ${problems.join('; ')}`,
      'Set CPU_LIMIT_PERCENT / MEMORY_LIMIT_PERCENT between 1 and 100 and WORKERS ≥ 1 (see .env.example).',
    );
  }
}

export function resolveControllerOptions(options: ControllerOptions): ResolvedControllerOptions {
  const resolved: ResolvedControllerOptions = {
    maxWindows: options.maxWindows,
    minWindows: options.minWindows ?? 1,
    limits: { ...DEFAULT_LIMITS, ...options.limits },
    smoothingSamples: options.smoothingSamples ?? 3,
    marginPoints: options.marginPoints ?? 10,
    cooldownMs: options.cooldownMs ?? 10_000,
    holdMs: options.holdMs ?? 15_000,
  };
  const problems: string[] = [];
  const { maxWindows, minWindows, limits, smoothingSamples, marginPoints, cooldownMs, holdMs } = resolved;
  if (!Number.isInteger(minWindows) || minWindows < 1) problems.push(`minWindows must be a whole number ≥ 1, got ${minWindows}`);
  if (!Number.isInteger(maxWindows) || maxWindows < minWindows) problems.push(`maxWindows must be a whole number ≥ minWindows (${minWindows}), got ${maxWindows}`);
  for (const [name, value] of Object.entries(limits)) {
    if (!(value > 0 && value <= 100)) problems.push(`limits.${name} must be in (0, 100], got ${value}`);
  }
  if (!Number.isInteger(smoothingSamples) || smoothingSamples < 1) problems.push(`smoothingSamples must be a whole number ≥ 1, got ${smoothingSamples}`);
  if (!(marginPoints >= 0)) problems.push(`marginPoints must be ≥ 0, got ${marginPoints}`);
  if (!(cooldownMs >= 0)) problems.push(`cooldownMs must be ≥ 0, got ${cooldownMs}`);
  if (!(holdMs >= 0)) problems.push(`holdMs must be ≥ 0, got ${holdMs}`);
  if (problems.length) throw new ControllerOptionsError(problems);
  return resolved;
}

export class ConcurrencyController {
  readonly options: ResolvedControllerOptions;
  private current: number;
  private lowest: number;
  private readonly recent: ResourceSample[] = [];
  private readonly changes: TargetChange[] = [];
  private lastChangeAt: number | undefined;
  private calmSince: number | undefined;
  private seen = 0;
  private peakCpu = 0;
  private peakMemory = 0;

  constructor(options: ControllerOptions) {
    this.options = resolveControllerOptions(options);
    this.current = this.options.maxWindows;
    this.lowest = this.current;
  }

  get target(): number {
    return this.current;
  }

  get events(): readonly TargetChange[] {
    return this.changes;
  }

  /** Feeds one sample; returns the change it caused, if any. Samples must come in time order. */
  observe(sample: ResourceSample): TargetChange | undefined {
    const { limits, marginPoints, smoothingSamples, cooldownMs, holdMs, minWindows, maxWindows } = this.options;
    this.seen++;
    this.peakCpu = Math.max(this.peakCpu, sample.cpuPercent);
    this.peakMemory = Math.max(this.peakMemory, sample.memoryPercent);
    // The start counts as a change: windows launching together load the machine for a
    // moment, which is no reason to park one of them.
    this.lastChangeAt ??= sample.at;
    this.recent.push(sample);
    if (this.recent.length > smoothingSamples) this.recent.shift();

    const cpu = mean(this.recent.map((s) => s.cpuPercent));
    const memory = mean(this.recent.map((s) => s.memoryPercent));
    const cpuOver = cpu > limits.cpuPercent;
    const memoryOver = memory > limits.memoryPercent;

    if (cpuOver || memoryOver) {
      this.calmSince = undefined;
      const cooled = sample.at - this.lastChangeAt >= cooldownMs;
      if (this.current <= minWindows || !cooled) return undefined;
      const reason: ChangeReason = cpuOver && memoryOver ? 'cpu-and-memory-above-limit' : cpuOver ? 'cpu-above-limit' : 'memory-above-limit';
      return this.change(sample.at, cpu, memory, this.current - 1, reason);
    }

    const calm = cpu < limits.cpuPercent - marginPoints && memory < limits.memoryPercent - marginPoints;
    if (!calm) {
      this.calmSince = undefined;
      return undefined;
    }
    this.calmSince ??= sample.at;
    if (this.current >= maxWindows || sample.at - this.calmSince < holdMs) return undefined;
    const change = this.change(sample.at, cpu, memory, this.current + 1, 'load-below-limits');
    // Each further raise needs its own full period of calm, with the new window running.
    this.calmSince = sample.at;
    return change;
  }

  summary(): ControllerSummary {
    return {
      options: this.options,
      target: this.current,
      samplesSeen: this.seen,
      peakCpuPercent: this.peakCpu,
      peakMemoryPercent: this.peakMemory,
      lowestTarget: this.lowest,
      changes: [...this.changes],
    };
  }

  private change(at: number, cpu: number, memory: number, to: number, reason: ChangeReason): TargetChange {
    const event: TargetChange = {
      at: new Date(at).toISOString(),
      cpuPercent: round1(cpu),
      memoryPercent: round1(memory),
      from: this.current,
      to,
      reason,
      samples: [...this.recent],
    };
    this.current = to;
    this.lowest = Math.min(this.lowest, to);
    this.lastChangeAt = at;
    this.changes.push(event);
    return event;
  }
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
