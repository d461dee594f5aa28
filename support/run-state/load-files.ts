import { z } from 'zod';
import type { TargetChange } from '../load/concurrency-controller.js';
import type { ResourceSample } from '../load/resource-monitor.js';
import { jsonText, writeFileAtomic } from '../shared/atomic-file.js';
import { readJsonRecord } from '../shared/json-record.js';
import { OperatorError } from '../shared/operator-error.js';
import { stateFile } from './state-file.js';

/**
 * How the runner's load decisions reach the worker processes (the gate: how many windows
 * may take POs, replaced atomically at every sample, read by every worker between POs), and
 * the load over the whole run (bounded), for a picture of the run drawn afterwards.
 */
export interface GateState {
  /** Windows allowed to take POs: parallel indexes 0 .. target−1. */
  target: number;
  max: number;
  updatedAt: string;
  events: TargetChange[];
  /** The latest sample. */
  lastSample?: ResourceSample;
  /** Where the load comes from (system or the LOAD_SIGNAL_FILE test hook). */
  signal: string;
}

const sampleSchema: z.ZodType<ResourceSample> = z.object({ at: z.number(), cpuPercent: z.number(), memoryPercent: z.number() });

const gateSchema: z.ZodType<GateState> = z
  .object({
    target: z.number().int().min(1),
    max: z.number().int().min(1),
    updatedAt: z.string(),
    events: z.array(
      z.object({
        at: z.string(),
        cpuPercent: z.number(),
        memoryPercent: z.number(),
        from: z.number().int(),
        to: z.number().int(),
        reason: z.enum(['cpu-above-limit', 'memory-above-limit', 'cpu-and-memory-above-limit', 'load-below-limits']),
        overloadedShare: z.number().min(0).max(1),
        samples: z.array(sampleSchema),
      }),
    ),
    lastSample: sampleSchema.optional(),
    signal: z.string(),
  })
  .refine((gate) => gate.target <= gate.max, { message: 'needs whole numbers 1 ≤ target ≤ max' });

export class LoadGateError extends OperatorError {
  constructor(readonly file: string, problem: string) {
    super(
      `Load gate file ${file}: ${problem}`,
      'The file is written only by the job\'s runner process; delete the run\'s .run-state/load-gate.json and start the job again.',
    );
  }
}

/** The gate as last published; undefined when no governor runs (then every window works). */
export function readGate(file: string): GateState | undefined {
  const read = readJsonRecord(file, gateSchema);
  if (read.state === 'ok') return read.value;
  if (read.state === 'missing') return undefined;
  throw new LoadGateError(file, read.problem);
}

export function writeGate(file: string, gate: GateState): Promise<void> {
  return writeFileAtomic(file, jsonText(gate, true));
}

export interface LoadPoint extends ResourceSample {
  /** Windows allowed to take POs after this sample. */
  target: number;
}

export interface LoadSamples {
  sampleEveryMs: number;
  /** Every `stride`-th sample of the run: the series thins out as the run goes on, so it stays small. */
  stride: number;
  points: LoadPoint[];
}

export const loadSamplesFile = stateFile<LoadSamples>(
  z.object({
    sampleEveryMs: z.number().nonnegative(),
    stride: z.number().int().positive(),
    points: z.array(z.object({ at: z.number(), cpuPercent: z.number(), memoryPercent: z.number(), target: z.number().int() })),
  }),
  { what: 'the load over the run', advice: 'It is only used for pictures of the run; delete it if it is damaged.' },
);
