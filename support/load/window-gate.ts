import fs from 'node:fs';
import path from 'node:path';
import { OperatorError } from '../shared/operator-error.js';
import { withFsRetry } from '../shared/fs-retry.js';
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
 * publishes the target in a small JSON file in the run's state folder, replaced
 * atomically, and every worker reads it between POs. Window i works while i < target:
 * the highest letters park first and window A (index 0) never parks.
 */
export const LOAD_GATE_FILE = 'load-gate.json';

export function gateFileFor(stateDir: string): string {
  return path.join(stateDir, LOAD_GATE_FILE);
}

export interface GateState {
  /** Windows allowed to take POs: parallel indexes 0 .. target−1. */
  target: number;
  max: number;
  updatedAt: string;
  events: TargetChange[];
  /** The sample behind the latest decision. */
  lastSample?: ResourceSample;
  /** Where the load comes from (system or the LOAD_SIGNAL_FILE test hook). */
  signal: string;
}

export class LoadGateError extends OperatorError {
  constructor(readonly file: string, problem: string) {
    super(
      `Load gate file ${file}: ${problem}`,
      'The file is written only by the job\'s runner process; delete the run\'s .run-state/load-gate.json and start the job again.',
    );
  }
}

/** Pure: whether the window with this parallel index may take POs under this gate. */
export function isActive(gate: Pick<GateState, 'target'> | undefined, parallelIndex: number): boolean {
  return gate === undefined || parallelIndex === 0 || parallelIndex < gate.target;
}

/** The gate as last published; undefined when no governor runs (then every window works). */
export function readGate(file: string): GateState | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new LoadGateError(file, `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  let gate: GateState;
  try {
    gate = JSON.parse(text) as GateState;
  } catch {
    throw new LoadGateError(file, 'is not valid JSON');
  }
  if (!Number.isInteger(gate?.target) || !Number.isInteger(gate.max) || gate.target < 1 || gate.target > gate.max) {
    throw new LoadGateError(file, `needs whole numbers 1 ≤ target ≤ max, got target ${gate?.target}, max ${gate?.max}`);
  }
  return gate;
}

export interface WaitUntilActiveOptions {
  /** Default 1000 ms. */
  pollMs?: number;
  /** Called once, when the window is found parked, with the gate that parks it. */
  onParked?: (gate: GateState) => void;
  /** Ends the wait early (worker shutting down): the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * Resolves as soon as the window may take POs: at once when it is active, otherwise
 * after polling the gate until the runner raises the target far enough.
 */
export async function waitUntilActive(file: string, parallelIndex: number, options: WaitUntilActiveOptions = {}): Promise<{ parkedMs: number }> {
  const pollMs = options.pollMs ?? 1000;
  const started = Date.now();
  let parked = false;
  for (;;) {
    options.signal?.throwIfAborted();
    const gate = readGate(file);
    if (isActive(gate, parallelIndex)) return { parkedMs: parked ? Date.now() - started : 0 };
    if (!parked) {
      parked = true;
      options.onParked?.(gate!);
    }
    await sleep(pollMs, options.signal);
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Replaces the file in one step so a worker never reads half a gate. */
export async function writeGateAtomically(file: string, gate: GateState): Promise<void> {
  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  await fs.promises.writeFile(temp, JSON.stringify(gate, null, 2));
  // On Windows a worker reading the old file at that instant makes the rename fail with EPERM for a moment.
  await withFsRetry(() => fs.promises.rename(temp, file));
}

export interface LoadGovernorOptions {
  /** The gate file, normally `gateFileFor(location.stateDir)`. */
  file: string;
  signal: LoadSignal;
  controller: ControllerOptions;
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

  private onSample(sample: ResourceSample): void {
    this.lastSample = sample;
    const change = this.controller.observe(sample);
    this.options.onSample?.(sample, this.controller.target);
    if (!change) return;
    this.options.onChange?.(change);
    void this.publish();
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
      .then(() => writeGateAtomically(this.options.file, gate))
      .catch((error) => this.options.onError?.(error));
    return this.writes;
  }
}
