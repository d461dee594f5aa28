import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ResultJournal } from '../../support/run-state/journal.js';
import type { PoResult } from '../../support/po-result.js';

/**
 * What a finished run left on disk, read back by the benchmark: the job's run folder
 * (journal, window-summary.json, run-summary.json) and the peer's output folder. Only the
 * files an operator also gets are read, never the job's internals, and only the fields
 * the benchmark needs: a field a file gains later does not matter here.
 */
export const BASELINE_JOURNAL = 'journal.jsonl';
export const BASELINE_SUMMARY = 'baseline-summary.json';

export interface BaselineSummary {
  pages: number;
  pos: number;
  startedAt: string;
  /** From the program's start: browser up, signed in, all N pages open (ready to take POs). */
  launchedMs: number;
  signedInMs: number;
  readyMs: number;
  endedAt: string;
}

/** One start of one of the job's windows, as window-summary.json records it. */
export interface WindowStart {
  window: string;
  kind: string;
  state: string;
  userDataDir: string;
  startedAt: string;
  /** Epoch ms when it was verified and could take POs; undefined when it never was. */
  readyAt: number | undefined;
  /** Waits in the job's launch queue (0 for the peer). */
  launchWaitMs: number;
  launchMs: number;
  verifyMs: number;
  cloneMs: number;
  totalStartMs: number;
  posDone: number;
  /** Where the window's CPU went, as its record says (job only; none in records of older versions). */
  cpu?: WindowCpuSummary;
}

const phaseCpu = z.object({ browserS: z.number(), workerS: z.number() });
const windowCpu = z.object({
  workerStartS: z.number(),
  phases: z.object({ launch: phaseCpu, introspection: phaseCpu, session: phaseCpu, pos: phaseCpu }).partial(),
  workerTotalS: z.number().optional(),
});
export type WindowCpuSummary = z.infer<typeof windowCpu>;

export interface RunOutputs {
  /** Folder the run's PO folders are in. */
  root: string;
  results: PoResult[];
  /** Every window start (the job), or the one browser (the peer). */
  starts: WindowStart[];
  /** The load governor's changes of the windows taking POs (job only, from run-summary.json). */
  governor: { changes: number; lowestWindows: number | undefined } | undefined;
  /** Where the job's HTML report is (from run-summary.json). */
  htmlReport: string | undefined;
}

const windowRecords = z.object({
  windows: z.array(
    z.object({
      window: z.string(),
      kind: z.string(),
      state: z.string(),
      userDataDir: z.string().default(''),
      startedAt: z.string(),
      verification: z.array(z.object({ ok: z.boolean() })).default([]),
      timings: z.object({ cloneMs: z.number(), launchWaitMs: z.number().default(0), launchMs: z.number(), verifyMs: z.number(), totalStartMs: z.number() }),
      posDone: z.number().default(0),
      cpu: windowCpu.optional().catch(undefined),
    }),
  ),
});

const runSummary = z.object({
  reports: z.object({ htmlReport: z.string() }).partial().optional(),
  load: z.object({ changes: z.array(z.object({ to: z.number() })) }).optional().catch(undefined),
});

const baselineSummary = z.object({
  pages: z.number(),
  pos: z.number(),
  startedAt: z.string(),
  launchedMs: z.number(),
  signedInMs: z.number(),
  readyMs: z.number(),
  endedAt: z.string(),
});

function readJson<T>(file: string, schema: z.ZodType<T>): T | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const parsed = schema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`${file} does not have the shape the benchmark reads: ${parsed.error.message}`);
  return parsed.data;
}

/** The run folder the job created under a fresh download folder (there is exactly one). */
export function findRunRoot(downloadDir: string): string | undefined {
  try {
    const name = fs.readdirSync(downloadDir).find((n) => /_CoupaDownloads(-\d+)?$/.test(n));
    return name ? path.join(downloadDir, name) : undefined;
  } catch {
    return undefined;
  }
}

export function readJobOutputs(runRoot: string): RunOutputs {
  const results = [...ResultJournal.read(path.join(runRoot, '.run-state', 'journal.jsonl')).results.values()];
  const records = readJson(path.join(runRoot, 'window-summary.json'), windowRecords)?.windows ?? [];
  const summary = readJson(path.join(runRoot, 'run-summary.json'), runSummary);
  const changes = summary?.load?.changes;
  return {
    root: runRoot,
    results,
    starts: records.map((r) => {
      const verified = r.state !== 'failed' && r.timings.totalStartMs > 0 && r.verification.length > 0 && r.verification.every((v) => v.ok);
      return {
        window: r.window,
        kind: r.kind,
        state: r.state,
        userDataDir: r.userDataDir,
        startedAt: r.startedAt,
        readyAt: verified ? Date.parse(r.startedAt) + r.timings.totalStartMs : undefined,
        launchWaitMs: r.timings.launchWaitMs,
        launchMs: r.timings.launchMs,
        verifyMs: r.timings.verifyMs,
        cloneMs: r.timings.cloneMs,
        totalStartMs: r.timings.totalStartMs,
        posDone: r.posDone,
        ...(r.cpu ? { cpu: r.cpu } : {}),
      };
    }),
    governor: changes && { changes: changes.length, lowestWindows: changes.length ? Math.min(...changes.map((c) => c.to)) : undefined },
    htmlReport: summary?.reports?.htmlReport,
  };
}

export function readBaselineOutputs(outDir: string): RunOutputs & { summary: BaselineSummary | undefined } {
  const results = [...ResultJournal.read(path.join(outDir, BASELINE_JOURNAL)).results.values()];
  const summary = readJson(path.join(outDir, BASELINE_SUMMARY), baselineSummary);
  const start = summary && Date.parse(summary.startedAt);
  return {
    root: outDir,
    results,
    starts: summary && start !== undefined
      ? [{
          window: 'browser',
          kind: 'chromium.launch',
          state: 'closed',
          userDataDir: '',
          startedAt: summary.startedAt,
          readyAt: start + summary.readyMs,
          launchWaitMs: 0,
          launchMs: summary.launchedMs,
          verifyMs: summary.signedInMs - summary.launchedMs,
          cloneMs: 0,
          totalStartMs: summary.readyMs,
          posDone: results.length,
        }]
      : [],
    governor: undefined,
    htmlReport: undefined,
    summary,
  };
}
