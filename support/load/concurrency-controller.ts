import { OperatorError } from '../shared/operator-error.js';
import type { ResourceSample } from './resource-monitor.js';

/**
 * Decides how many windows may take POs from the machine's load (PARALLEL-06, PERF-04): one
 * window fewer when the machine has been overloaded for a good part of the recent past,
 * one more when it has stayed well below both limits for a while. Pure: time comes from
 * the samples, so tests replay any load curve in microseconds.
 *
 * Modelled on Crawlee's SystemStatus: a sample is overloaded when CPU or memory is above
 * its limit, and the machine is overloaded when at least `overloadShare` of the samples of
 * the last `historyMs` are, so a spike never parks a window but sustained load does.
 * Samples taken while a window of the job is starting (browser launch, verification) are
 * left out of the judgement: that load is the job's own start-up, paid once, and parking
 * a window for it would throw that start-up away.
 *
 * Hysteresis: reduce when at least `overloadShare` of the last `historyMs` was over a limit;
 * raise when, over a whole hold period since the last change, at most `calmShare` of it was;
 * a reduction waits `cooldownMs` after the previous change. Calm is judged against the
 * limits themselves, not a margin below them: on a small machine the load with one window
 * fewer can sit just below the limit, and a margin of 10 points kept windows parked for good
 * once the outside load had gone (seen on the 2-core machine after a real CPU hog: 70–78 %
 * for over a minute with two windows and other work). A window that comes back and is
 * parked again at once (the machine cannot carry it) makes the next hold twice as long, up
 * to 8 times, so a load near the limit does not make windows come and go. Because the highest-lettered windows
 * are reduced first and windows launch in letter order, a reduction holds back a window
 * that has not launched yet before it parks one that is working.
 */
export interface LoadLimits {
  cpuPercent: number;
  memoryPercent: number;
}

/** One sample of the machine's load, with what the job itself was doing at that moment. */
export interface LoadObservation extends ResourceSample {
  /** Windows of this job that were starting (clone, launch, verification) when the sample was taken. */
  startingWindows?: number;
}

export interface ControllerOptions {
  /** Configured windows (the worker count): the target never goes above it. */
  maxWindows: number;
  /** Default 1: window A always keeps working. */
  minWindows?: number;
  /** Default CPU 80 %, memory 90 % (PERF-04). */
  limits?: Partial<LoadLimits>;
  /** How far back the judgement looks. Default 10 s. */
  historyMs?: number;
  /** Share of the judged samples above a limit that makes the machine overloaded. Default 0.6. */
  overloadShare?: number;
  /** Judged samples needed before the machine may be called overloaded. Default 5. */
  minSamples?: number;
  /** Largest share of the judged samples of a hold period above a limit that still counts as calm. Default 0.2. */
  calmShare?: number;
  /** Minimum time after the start and after any change before a reduction. Default 10 s. */
  cooldownMs?: number;
  /** Calm needed since the last change for each raise. Default 15 s. */
  holdMs?: number;
}

export type ResolvedControllerOptions = Required<Omit<ControllerOptions, 'limits'>> & { limits: LoadLimits };

export const DEFAULT_LIMITS: LoadLimits = { cpuPercent: 80, memoryPercent: 90 };

export type ChangeReason = 'cpu-above-limit' | 'memory-above-limit' | 'cpu-and-memory-above-limit' | 'load-below-limits';

export interface TargetChange {
  /** ISO time of the sample that triggered the change. */
  at: string;
  /** Mean of the judged samples the decision was made on. */
  cpuPercent: number;
  memoryPercent: number;
  from: number;
  to: number;
  reason: ChangeReason;
  /** Share of the judged samples that were above a limit. */
  overloadedShare: number;
  /** The judged samples behind the decision: its inputs, kept for the summary. */
  samples: ResourceSample[];
}

export interface ControllerSummary {
  options: ResolvedControllerOptions;
  target: number;
  samplesSeen: number;
  /** Samples left out of the judgement because a window was starting. */
  startupSamples: number;
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
    historyMs: options.historyMs ?? 10_000,
    overloadShare: options.overloadShare ?? 0.6,
    minSamples: options.minSamples ?? 5,
    calmShare: options.calmShare ?? 0.2,
    cooldownMs: options.cooldownMs ?? 10_000,
    holdMs: options.holdMs ?? 15_000,
  };
  const problems: string[] = [];
  const { maxWindows, minWindows, limits, historyMs, overloadShare, minSamples, calmShare, cooldownMs, holdMs } = resolved;
  if (!Number.isInteger(minWindows) || minWindows < 1) problems.push(`minWindows must be a whole number ≥ 1, got ${minWindows}`);
  if (!Number.isInteger(maxWindows) || maxWindows < minWindows) problems.push(`maxWindows must be a whole number ≥ minWindows (${minWindows}), got ${maxWindows}`);
  for (const [name, value] of Object.entries(limits)) {
    if (!(value > 0 && value <= 100)) problems.push(`limits.${name} must be in (0, 100], got ${value}`);
  }
  if (!(historyMs > 0)) problems.push(`historyMs must be > 0, got ${historyMs}`);
  if (!(overloadShare > 0 && overloadShare <= 1)) problems.push(`overloadShare must be in (0, 1], got ${overloadShare}`);
  if (!Number.isInteger(minSamples) || minSamples < 1) problems.push(`minSamples must be a whole number ≥ 1, got ${minSamples}`);
  if (!(calmShare >= 0 && calmShare < overloadShare)) problems.push(`calmShare must be ≥ 0 and below overloadShare (${overloadShare}), got ${calmShare}`);
  if (!(cooldownMs >= 0)) problems.push(`cooldownMs must be ≥ 0, got ${cooldownMs}`);
  if (!(holdMs >= 0)) problems.push(`holdMs must be ≥ 0, got ${holdMs}`);
  if (problems.length) throw new ControllerOptionsError(problems);
  return resolved;
}

const isOver = (s: ResourceSample, limits: LoadLimits) => ({ cpu: s.cpuPercent > limits.cpuPercent, memory: s.memoryPercent > limits.memoryPercent });
const overAny = (s: ResourceSample, limits: LoadLimits) => {
  const over = isOver(s, limits);
  return over.cpu || over.memory;
};

/** Holds after raises that were undone at once grow up to this many times `holdMs`. */
const MAX_HOLD_FACTOR = 8;

export class ConcurrencyController {
  readonly options: ResolvedControllerOptions;
  private current: number;
  private lowest: number;
  /** Judged samples (start-up samples left out) of the last `historyMs`. */
  private readonly recent: ResourceSample[] = [];
  /** Judged samples since the last change, for the calm of a hold period; none older than the longest hold. */
  private sinceChange: ResourceSample[] = [];
  private readonly changes: TargetChange[] = [];
  private lastChangeAt: number | undefined;
  /** When the last raise happened, until it has lasted long enough to count as good. */
  private lastRaiseAt: number | undefined;
  private holdFactor = 1;
  private seen = 0;
  private startup = 0;
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
  observe(observation: LoadObservation): TargetChange | undefined {
    const { limits, historyMs, overloadShare, minSamples, calmShare, cooldownMs, holdMs, minWindows, maxWindows } = this.options;
    const sample: ResourceSample = { at: observation.at, cpuPercent: observation.cpuPercent, memoryPercent: observation.memoryPercent };
    this.seen++;
    this.peakCpu = Math.max(this.peakCpu, sample.cpuPercent);
    this.peakMemory = Math.max(this.peakMemory, sample.memoryPercent);
    // The start counts as a change: nothing is reduced before the first cooldown has passed.
    this.lastChangeAt ??= sample.at;
    if ((observation.startingWindows ?? 0) > 0) {
      this.startup++;
      return undefined;
    }
    this.recent.push(sample);
    while (this.recent.length && this.recent[0]!.at <= sample.at - historyMs) this.recent.shift();
    this.sinceChange.push(sample);
    // A run without changes for hours would otherwise keep, and filter at every sample, all of them.
    while (this.sinceChange.length && this.sinceChange[0]!.at <= sample.at - holdMs * MAX_HOLD_FACTOR) this.sinceChange.shift();

    const overloaded = this.recent.filter((s) => overAny(s, limits));
    const share = overloaded.length / this.recent.length;
    // A raise that lasted a whole judgement and cooldown without being undone was right: holds go back to normal.
    if (this.lastRaiseAt !== undefined && sample.at - this.lastRaiseAt >= historyMs + cooldownMs) {
      this.lastRaiseAt = undefined;
      this.holdFactor = 1;
    }

    if (this.recent.length >= minSamples && share >= overloadShare) {
      const cooled = sample.at - this.lastChangeAt >= cooldownMs;
      if (this.current <= minWindows || !cooled) return undefined;
      const cpuOver = overloaded.some((s) => isOver(s, limits).cpu);
      const memoryOver = overloaded.some((s) => isOver(s, limits).memory);
      const reason: ChangeReason = cpuOver && memoryOver ? 'cpu-and-memory-above-limit' : cpuOver ? 'cpu-above-limit' : 'memory-above-limit';
      if (this.lastRaiseAt !== undefined) this.holdFactor = Math.min(MAX_HOLD_FACTOR, this.holdFactor * 2);
      this.lastRaiseAt = undefined;
      return this.change(sample.at, share, this.current - 1, reason);
    }

    const holdFor = holdMs * this.holdFactor;
    if (this.current >= maxWindows || sample.at - this.lastChangeAt < holdFor) return undefined;
    const held = this.sinceChange.filter((s) => s.at > sample.at - holdFor);
    // A hold spent mostly starting windows (left out) has not shown calm yet.
    if (holdFor > 0 && (held.length === 0 || held[0]!.at > sample.at - holdFor / 2)) return undefined;
    if (held.filter((s) => overAny(s, limits)).length > calmShare * held.length) return undefined;
    const change = this.change(sample.at, share, this.current + 1, 'load-below-limits');
    this.lastRaiseAt = sample.at;
    return change;
  }

  summary(): ControllerSummary {
    return {
      options: this.options,
      target: this.current,
      samplesSeen: this.seen,
      startupSamples: this.startup,
      peakCpuPercent: this.peakCpu,
      peakMemoryPercent: this.peakMemory,
      lowestTarget: this.lowest,
      changes: [...this.changes],
    };
  }

  private change(at: number, share: number, to: number, reason: ChangeReason): TargetChange {
    const event: TargetChange = {
      at: new Date(at).toISOString(),
      cpuPercent: round1(mean(this.recent.map((s) => s.cpuPercent))),
      memoryPercent: round1(mean(this.recent.map((s) => s.memoryPercent))),
      from: this.current,
      to,
      reason,
      overloadedShare: Math.round(share * 100) / 100,
      samples: [...this.recent],
    };
    this.current = to;
    this.lowest = Math.min(this.lowest, to);
    this.lastChangeAt = at;
    this.sinceChange = [];
    this.changes.push(event);
    return event;
  }
}

function mean(values: number[]): number {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0;
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
