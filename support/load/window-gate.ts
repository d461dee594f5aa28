import { writeGate, type GateState } from '../run-state/load-files.js';
import {
  ConcurrencyController,
  type ControllerOptions,
  type ControllerSummary,
  type TargetChange,
} from './concurrency-controller.js';
import { ResourceMonitor, type LoadSignal, type ResourceSample, type SamplingCost } from './resource-monitor.js';

/**
 * How the runner's load decisions reach the worker processes. The runner process alone
 * samples the load and decides (one monitor per machine, not one per window); it
 * publishes the target in the run's load gate, and every worker reads it between POs.
 * Window i works while i < target: the highest letters park first and window A (index 0)
 * never parks.
 */

/** Pure: whether the window with this parallel index may take POs under this gate. */
export function isActive(gate: Pick<GateState, 'target'> | undefined, parallelIndex: number): boolean {
  return gate === undefined || parallelIndex === 0 || parallelIndex < gate.target;
}

export interface LoadGovernorOptions {
  /** The run's load gate file. */
  file: string;
  signal: LoadSignal;
  controller: ControllerOptions;
  /** Windows of the job starting now (asked at every sample): samples taken while one starts are the job's own start-up. */
  startingWindows?: () => number;
  /** Every sample with the target after it, e.g. for the live progress display. */
  onSample?: (sample: ResourceSample, target: number) => void;
  /** Every change of the target, for the run's log. */
  onChange?: (change: TargetChange) => void;
  /** A sample or a gate write that failed; the governor goes on with the next sample. */
  onError?: (error: unknown) => void;
}

export interface GovernorSummary extends ControllerSummary {
  signal: string;
  sampleEveryMs: number;
  sampling: SamplingCost;
}

/**
 * Runner side: samples the load, lets the controller decide and publishes each decision
 * in the gate file. Starts at the full worker count, the count the operator asked for.
 */
export class LoadGovernor {
  private readonly controller: ConcurrencyController;
  private monitor: ResourceMonitor | undefined;
  private lastSample: ResourceSample | undefined;
  private writes: Promise<void> = Promise.resolve();
  private everyMs = 0;

  constructor(private readonly options: LoadGovernorOptions) {
    this.controller = new ConcurrencyController(options.controller);
  }

  get target(): number {
    return this.controller.target;
  }

  get events(): readonly TargetChange[] {
    return this.controller.events;
  }

  /** Publishes the full target, then samples every `sampleEveryMs`. */
  async start(sampleEveryMs = 1000): Promise<void> {
    if (this.monitor) return;
    this.everyMs = sampleEveryMs;
    await this.publish();
    this.monitor = new ResourceMonitor(this.options.signal, {
      everyMs: sampleEveryMs,
      onSample: (sample) => this.onSample(sample),
      ...(this.options.onError && { onError: this.options.onError }),
    });
    this.monitor.start();
  }

  /** Stops sampling and leaves the gate file with the final state for the summary. */
  async stop(): Promise<GovernorSummary> {
    await this.monitor?.stop();
    await this.writes;
    return this.summary();
  }

  summary(): GovernorSummary {
    return {
      ...this.controller.summary(),
      signal: this.options.signal.description,
      sampleEveryMs: this.everyMs,
      sampling: this.monitor?.cost() ?? { samples: 0, failures: 0, meanMs: 0, maxMs: 0 },
    };
  }

  /** Every sample is published (the live display shows the load), a change at once with it. */
  private onSample(sample: ResourceSample): void {
    this.lastSample = sample;
    const change = this.controller.observe({ ...sample, startingWindows: this.startingWindows() });
    this.options.onSample?.(sample, this.controller.target);
    if (change) this.options.onChange?.(change);
    void this.publish();
  }

  /** A count that cannot be read counts as none: the sample is judged. */
  private startingWindows(): number {
    try {
      return this.options.startingWindows?.() ?? 0;
    } catch (error) {
      this.options.onError?.(error);
      return 0;
    }
  }

  /** Writes are chained so an older state can never overwrite a newer one. */
  private publish(): Promise<void> {
    const gate: GateState = {
      target: this.controller.target,
      max: this.controller.options.maxWindows,
      updatedAt: new Date().toISOString(),
      events: [...this.controller.events],
      ...(this.lastSample && { lastSample: this.lastSample }),
      signal: this.options.signal.description,
    };
    this.writes = this.writes
      .then(() => writeGate(this.options.file, gate))
      .catch((error) => this.options.onError?.(error));
    return this.writes;
  }
}
