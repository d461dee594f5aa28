import path from 'node:path';
import { z } from 'zod';
import { jsonText, writeFileAtomicSync } from '../shared/atomic-file.js';
import { readJsonFolder } from '../shared/json-record.js';
import { isProcessAlive } from '../shared/process-liveness.js';
import type { WindowRecord } from '../window/window-record.js';

/**
 * Each window instance's record (profile, verification, remediation, timings), kept up to
 * date by its worker in the run's state folder: read by the other windows (to diagnose a
 * failure), by the end of the run (window summary, run summary, Allure) and by the
 * benchmark. One file per window instance, so a restarted window appears once per start.
 */
const methodResultSchema = z.object({
  method: z.enum(['introspection', 'checksum', 'session']),
  ok: z.boolean(),
  detail: z.string(),
  durationMs: z.number(),
  browserVersion: z.string().optional(),
});

const remediationStepSchema = z.object({
  step: z.enum(['retry-verification', 'reload', 're-clone', 'restart-browser', 're-clone-before-launch', 'restore-cookies-before-launch']),
  at: z.string(),
  reason: z.string(),
  ok: z.boolean(),
});

const roundSchema = z.object({
  trigger: z.enum(['start', 'unpark']),
  startedAt: z.string(),
  verifyingAt: z.string().optional(),
  endedAt: z.string().optional(),
  result: z.enum(['starting', 'verified', 'failed']),
  verification: z.array(methodResultSchema),
  attempts: z.number().int().nonnegative(),
  remediation: z.array(remediationStepSchema),
  timings: z.object({ slotWaitMs: z.number(), cloneMs: z.number(), launchWaitMs: z.number().default(0), launchMs: z.number(), verifyMs: z.number() }),
  error: z.string().optional(),
});

const spansSchema = z.array(z.object({ start: z.number(), end: z.number() }));
const phaseCpuSchema = z.object({ browserS: z.number(), workerS: z.number() });

const windowRecordSchema: z.ZodType<WindowRecord> = z.object({
  window: z.string().min(1),
  parallelIndex: z.number().int().nonnegative(),
  workerIndex: z.number().int().nonnegative(),
  pid: z.number().int().positive(),
  kind: z.enum(['base', 'clone']),
  userDataDir: z.string(),
  profileDir: z.string(),
  state: z.enum(['starting', 'verified', 'parked', 'failed', 'closed']),
  phase: z.enum(['prepare', 'launch-queue', 'launch', 'verify']).optional(),
  verification: z.array(methodResultSchema),
  attempts: z.number().int().nonnegative(),
  remediation: z.array(remediationStepSchema),
  diagnosis: z.string().optional(),
  timings: z.object({ slotWaitMs: z.number(), cloneMs: z.number(), launchWaitMs: z.number().default(0), launchMs: z.number(), verifyMs: z.number(), totalStartMs: z.number() }),
  clone: z.object({ method: z.string(), bytes: z.number(), files: z.number(), slotLimit: z.number().int().positive() }).optional(),
  cookieGuard: z.object({ rowsBefore: z.number(), cookiesAfterLaunch: z.number(), dropped: z.boolean(), restored: z.boolean() }).optional(),
  cookieBackup: z.string().optional(),
  rounds: z.array(roundSchema).optional(),
  parkings: z.array(z.object({ from: z.string(), until: z.string().optional() })),
  // Records of older versions (a resumed run folder) have none of these.
  heldBeforeLaunch: z.array(z.object({ from: z.string(), until: z.string().optional() })).default([]),
  cloneSpans: spansSchema,
  launchSpans: spansSchema.default([]),
  cpu: z
    .object({
      workerStartS: z.number(),
      phases: z.object({ launch: phaseCpuSchema, introspection: phaseCpuSchema, session: phaseCpuSchema, pos: phaseCpuSchema }).partial(),
      workerTotalS: z.number().optional(),
    })
    .optional(),
  profileCookies: z.object({ persistent: z.number(), hosts: z.array(z.string()) }).optional(),
  browser: z.string(),
  browserVersion: z.string().optional(),
  posDone: z.number().int().nonnegative(),
  posFailed: z.number().int().nonnegative(),
  error: z.string().optional(),
  startedAt: z.string(),
  endedAt: z.string().optional(),
});

/** What the load governor knows of the run's windows when it counts those starting. */
export interface StartingCount {
  /** When the run began: records begun earlier belong to an earlier run in this folder. */
  since: number;
  /** Windows the run will have (its workers, at most one per PO). */
  expected: number;
  /** Until then a window with no record yet counts as starting (its worker is loading); after it, a window that never came is not waited for. */
  absentUntil: number;
  now: number;
  alive?: (pid: number) => boolean;
}

/**
 * Pure: the windows paying for their start-up now, which the load governor leaves out of
 * its judgement: a window whose worker is still loading (no record yet, early in the run),
 * preparing its profile, launching or verifying. A window waiting for its turn in the launch
 * queue costs nothing and is not counted; nor is a record of an earlier run in this folder
 * or of a worker that is gone.
 */
export function countStarting(records: readonly WindowRecord[], count: StartingCount): number {
  const alive = count.alive ?? isProcessAlive;
  const mine = records.filter((r) => Date.parse(r.startedAt) >= count.since);
  const starting = mine.filter((r) => r.state === 'starting' && r.phase !== 'launch-queue' && alive(r.pid)).length;
  const absent = count.now < count.absentUntil ? Math.max(0, count.expected - new Set(mine.map((r) => r.window)).size) : 0;
  return starting + absent;
}

export class WindowRecordStore {
  constructor(private readonly dir: string) {}

  save(record: WindowRecord): void {
    writeFileAtomicSync(path.join(this.dir, `${record.window}-worker${record.workerIndex}.json`), jsonText(record, true));
  }

  /** Every window instance's latest record, by window (A, B, …) and then by start. */
  all(): WindowRecord[] {
    return readJsonFolder(this.dir, windowRecordSchema).sort((a, b) => a.parallelIndex - b.parallelIndex || a.workerIndex - b.workerIndex);
  }

  /** See countStarting. */
  startingNow(count: Omit<StartingCount, 'now'>): number {
    return countStarting(this.all(), { ...count, now: Date.now() });
  }

  others(window: string): WindowRecord[] {
    return this.all().filter((record) => record.window !== window);
  }
}
