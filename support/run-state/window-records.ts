import path from 'node:path';
import { z } from 'zod';
import { jsonText, writeFileAtomicSync } from '../shared/atomic-file.js';
import { readJsonFolder } from '../shared/json-record.js';
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
  timings: z.object({ slotWaitMs: z.number(), cloneMs: z.number(), launchMs: z.number(), verifyMs: z.number() }),
  error: z.string().optional(),
});

const windowRecordSchema: z.ZodType<WindowRecord> = z.object({
  window: z.string().min(1),
  parallelIndex: z.number().int().nonnegative(),
  workerIndex: z.number().int().nonnegative(),
  pid: z.number().int().positive(),
  kind: z.enum(['base', 'clone']),
  userDataDir: z.string(),
  profileDir: z.string(),
  state: z.enum(['starting', 'verified', 'parked', 'failed', 'closed']),
  verification: z.array(methodResultSchema),
  attempts: z.number().int().nonnegative(),
  remediation: z.array(remediationStepSchema),
  diagnosis: z.string().optional(),
  timings: z.object({ slotWaitMs: z.number(), cloneMs: z.number(), launchMs: z.number(), verifyMs: z.number(), totalStartMs: z.number() }),
  clone: z.object({ method: z.string(), bytes: z.number(), files: z.number(), slotLimit: z.number().int().positive() }).optional(),
  cookieGuard: z.object({ rowsBefore: z.number(), cookiesAfterLaunch: z.number(), dropped: z.boolean(), restored: z.boolean() }).optional(),
  cookieBackup: z.string().optional(),
  rounds: z.array(roundSchema).optional(),
  parkings: z.array(z.object({ from: z.string(), until: z.string().optional() })),
  cloneSpans: z.array(z.object({ start: z.number(), end: z.number() })),
  profileCookies: z.object({ persistent: z.number(), hosts: z.array(z.string()) }).optional(),
  browser: z.string(),
  browserVersion: z.string().optional(),
  posDone: z.number().int().nonnegative(),
  posFailed: z.number().int().nonnegative(),
  error: z.string().optional(),
  startedAt: z.string(),
  endedAt: z.string().optional(),
});

export class WindowRecordStore {
  constructor(private readonly dir: string) {}

  save(record: WindowRecord): void {
    writeFileAtomicSync(path.join(this.dir, `${record.window}-worker${record.workerIndex}.json`), jsonText(record, true));
  }

  /** Every window instance's latest record, by window (A, B, …) and then by start. */
  all(): WindowRecord[] {
    return readJsonFolder(this.dir, windowRecordSchema).sort((a, b) => a.parallelIndex - b.parallelIndex || a.workerIndex - b.workerIndex);
  }

  others(window: string): WindowRecord[] {
    return this.all().filter((record) => record.window !== window);
  }
}
