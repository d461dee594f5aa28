import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import type { GateState } from '../../support/run-state/load-files.js';
import type { WindowRecord } from '../../support/window/window-record.js';
import { backgroundCpuPercent } from '../../tooling/bench/tool-runs.js';
import { expectedOutcome, generateBatch, inputCsvText, ONLY_COMPLETED } from '../../tooling/simulator/index.js';
import { BUSY_PERCENT } from '../../tooling/bench/bench-report.js';
import { peakOverlap } from '../helpers/spans.js';
import { createJobHarness, waitForNoProcessesMentioning, windowSummary, type JobHarness } from './helpers/job-harness.js';

/**
 * The start-up pipeline and the load governor with real windows: browsers launch one at a
 * time (LAUNCH_CONCURRENCY=1), window A first, each window verified before its first PO; the
 * job's own start-up never parks a window; a window the governor holds back waits without
 * launching; and a real CPU hog outside the job lowers the windows taking POs, which come
 * back once the hog is gone.
 */
const catalogue = generateBatch({ count: 90, seed: 23, attachmentsPerPo: 1, minBytes: 12_000, maxBytes: 20_000, statusShares: ONLY_COMPLETED });

let harness: JobHarness;

test.beforeAll(async () => {
  harness = await createJobHarness({ name: 'launch', inputCsv: inputCsvText(catalogue.pos), sim: { catalogue, pageLatencyMs: 300 } });
});

test.afterAll(async () => {
  await harness?.close();
});

/** One run of the job in a download folder of its own (the same input would otherwise resume the earlier run). */
function startRun(name: string, env: Record<string, string>) {
  const downloadDir = path.join(harness.root, `downloads-${name}`);
  const job = harness.start({ env: { DOWNLOAD_DIR: downloadDir, ...env } });
  const runRoot = () => harness.runRoots(downloadDir)[0];
  const stateFile = (name: string) => runRoot() && path.join(runRoot()!, '.run-state', name);
  return {
    job,
    runRoot,
    gate: (): GateState | undefined => {
      const file = stateFile('load-gate.json');
      return file && fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as GateState) : undefined;
    },
    records: (): WindowRecord[] => {
      const dir = stateFile('windows');
      return dir && fs.existsSync(dir) ? fs.readdirSync(dir).flatMap((f) => (f.endsWith('.json') ? [JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as WindowRecord] : [])) : [];
    },
    journal: () => harness.journal(runRoot()),
  };
}

function signal(name: string): (cpuPercent: number) => void {
  const file = path.join(harness.root, `${name}-load.json`);
  return (cpuPercent) => {
    fs.writeFileSync(`${file}.tmp`, JSON.stringify({ cpuPercent, memoryPercent: 40 }));
    fs.renameSync(`${file}.tmp`, file);
  };
}

const signalFile = (name: string) => path.join(harness.root, `${name}-load.json`);

function expectEveryPoDone(journal: ReturnType<JobHarness['journal']>): void {
  for (const po of catalogue.pos) expect(journal.get(po.id)?.status, po.id).toBe(expectedOutcome(po).status);
  for (const po of catalogue.pos) expect(harness.sim.stats().poPageRequests[po.id], `${po.id} opened once`).toBe(1);
}

test('browsers launch one at a time, A first, each window verified before its first PO; the start-up\'s own load parks nobody', async () => {
  test.setTimeout(240_000);
  harness.sim.resetStats();
  const setLoad = signal('startup');
  // The job's start-up as a 2-core machine sees it: fully busy until every window is verified.
  setLoad(100);
  const run = startRun('startup', { WORKERS: '4', LAUNCH_CONCURRENCY: '1', LOAD_SIGNAL_FILE: signalFile('startup'), LOAD_SAMPLE_MS: '250', LOAD_COOLDOWN_MS: '0' });
  await expect.poll(() => run.records().filter((r) => r.state === 'verified').length, { timeout: 120_000, intervals: [100] }).toBe(4);
  setLoad(30);
  const ended = await run.job.done;
  expect(ended.code, ended.output).toBe(0);

  const windows = windowSummary(run.runRoot()!);
  expect(windows.map((w) => w.window)).toEqual(['A', 'B', 'C', 'D']);
  const launch = (w: WindowRecord) => w.launchSpans[0]!;
  // The limit: never two browsers launching at once.
  expect(windows.map((w) => w.launchSpans.length)).toEqual([1, 1, 1, 1]);
  expect(peakOverlap(windows.map(launch))).toBe(1);
  // Window A first; the others in letter order among those waiting at the same time.
  for (const w of windows.slice(1)) expect(launch(w).start, `${w.window} after A`).toBeGreaterThanOrEqual(launch(windows[0]!).end);
  const queuedAt = (w: WindowRecord) => launch(w).start - w.timings.launchWaitMs;
  for (const [i, early] of windows.entries()) {
    for (const late of windows.slice(i + 1)) {
      if (launch(late).start < launch(early).start) expect(queuedAt(early), `${late.window} went before ${early.window}, which was not waiting yet`).toBeGreaterThan(launch(late).start);
    }
  }
  // The waits are in the records and the log.
  expect(windows.filter((w) => w.timings.launchWaitMs > 0).length).toBeGreaterThanOrEqual(2);
  expect(ended.output).toMatch(/\[window [BCD]\] launches after \d+\.\d s in the launch queue/);

  // VM-001/002/003 before any PO: each window's first round ended verified before it started a PO.
  const journal = run.journal();
  for (const w of windows) {
    expect(w.rounds?.map((r) => `${r.trigger} ${r.result}`), w.window).toEqual(['start verified']);
    expect(w.verification.map((v) => `${v.method} ${v.ok}`).sort(), w.window).toEqual(['checksum true', 'introspection true', 'session true']);
    const verifiedAt = Date.parse(w.rounds![0]!.endedAt!);
    const started = [...journal.values()].filter((r) => r.window === w.window).map((r) => Date.parse(r.finishedAt) - r.durationMs);
    expect(started.length, `${w.window} took POs`).toBeGreaterThan(0);
    expect(Math.min(...started), `${w.window} verified before its first PO`).toBeGreaterThanOrEqual(verifiedAt);
  }
  // Every sample of the start-up was full load, with no cooldown: none was judged.
  const gate = run.gate()!;
  expect(gate.events).toEqual([]);
  const summary = JSON.parse(fs.readFileSync(path.join(run.runRoot()!, 'run-summary.json'), 'utf8')) as { load: { startupSamples: number; samplesSeen: number } };
  expect(summary.load.startupSamples).toBeGreaterThan(0);
  expectEveryPoDone(journal);
});

test('a window the governor holds back does not launch until the load lets it; then it starts and is verified', async () => {
  test.setTimeout(240_000);
  harness.sim.resetStats();
  const setLoad = signal('hold');
  setLoad(30);
  const run = startRun('hold', { WORKERS: '3', LAUNCH_CONCURRENCY: '1', LOAD_SIGNAL_FILE: signalFile('hold'), LOAD_SAMPLE_MS: '250', LOAD_COOLDOWN_MS: '1000', LOAD_RAISE_AFTER_MS: '3000' });
  await expect.poll(() => run.records().filter((r) => r.state === 'verified').length, { timeout: 120_000 }).toBe(3);

  // High load: C is parked. Its worker then dies (as after a crash): the new window C begins while the gate is closed.
  setLoad(95);
  await expect.poll(() => run.gate()?.target, { timeout: 30_000 }).toBeLessThanOrEqual(2);
  await expect.poll(() => run.records().find((r) => r.window === 'C')?.state, { timeout: 30_000 }).toBe('parked');
  const first = run.records().find((r) => r.window === 'C')!;
  process.kill(first.pid, 'SIGKILL');
  const restarted = () => run.records().find((r) => r.window === 'C' && r.workerIndex !== first.workerIndex);
  await expect.poll(() => restarted()?.heldBeforeLaunch.length, { timeout: 60_000 }).toBe(1);
  expect(restarted()).toMatchObject({ state: 'parked', launchSpans: [], parkings: [] });
  await new Promise((r) => setTimeout(r, 1_500));
  expect(restarted()!.launchSpans, 'no launch while the gate is closed').toEqual([]);

  setLoad(20);
  await expect.poll(() => run.gate()?.target, { timeout: 30_000 }).toBe(3);
  const ended = await run.job.done;
  expect(ended.code, ended.output).toBe(0);
  expect(ended.output).toContain('[window C] held back by the load governor before its browser launched');

  const c = windowSummary(run.runRoot()!).find((w) => w.window === 'C' && w.workerIndex !== first.workerIndex)!;
  expect(c.heldBeforeLaunch[0]!.until, 'let go when the load allowed it').toBeDefined();
  expect(c.launchSpans[0]!.start, 'launched only after it was let go').toBeGreaterThanOrEqual(Date.parse(c.heldBeforeLaunch[0]!.until!));
  expect(c.parkings).toEqual([]);
  expect(c.rounds?.map((r) => `${r.trigger} ${r.result}`)).toEqual(['start verified']);
  expect(c.posDone, 'C worked once it was let go').toBeGreaterThan(0);
  expectEveryPoDone(run.journal());
  expect(await waitForNoProcessesMentioning(harness.root)).toEqual([]);
});


test('a real CPU hog outside the job lowers the windows taking POs, and they come back when it is gone', async () => {
  test.setTimeout(300_000);
  const background = await backgroundCpuPercent();
  // The governor reads the whole machine: on a machine already busy with other work there is nothing to tell apart.
  test.skip(background >= BUSY_PERCENT, `other processes keep the CPU ${Math.round(background)}% busy: the machine is not quiet enough for this test`);
  harness.sim.resetStats();
  // Slower answers keep the run going while the load comes and goes (a quiet machine does 90 POs in 20 s otherwise).
  harness.sim.setOptions({ requestLatencyMs: 400 });
  // The real signal at its default pace (the judgement needs 5 samples: 5 s); changes follow each other faster than by default.
  const run = startRun('hog', { WORKERS: '3', LOAD_SIGNAL_FILE: '', LOAD_COOLDOWN_MS: '1000', LOAD_RAISE_AFTER_MS: '3000' });
  const hogs: ChildProcess[] = [];
  try {
    await expect.poll(() => run.records().filter((r) => r.state === 'verified').length, { timeout: 120_000 }).toBe(3);
    // Quiet but for the job itself: its start-up and its work change nothing.
    await new Promise((r) => setTimeout(r, 8_000));
    expect(run.gate()?.events, 'no change on a quiet machine').toEqual([]);

    for (let i = 0; i < os.availableParallelism(); i++) hogs.push(spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
    await expect.poll(() => run.gate()?.target, { timeout: 60_000 }).toBeLessThan(3);
    const reduced = run.gate()!.events[0]!;
    expect(reduced).toMatchObject({ from: 3, to: 2, reason: 'cpu-above-limit' });
    for (const hog of hogs) hog.kill('SIGKILL');

    await expect.poll(() => run.gate()?.target, { timeout: 90_000 }).toBe(3);
    expect(run.gate()!.events.at(-1)).toMatchObject({ to: 3, reason: 'load-below-limits' });
  } catch (error) {
    const gate = run.gate();
    console.log(`load governor when the check failed: target ${gate?.target}, last sample ${JSON.stringify(gate?.lastSample)}, changes ${gate?.events.map((e) => `${e.from}→${e.to} at ${e.at} (CPU ${e.cpuPercent}%)`).join(', ')}`);
    // A failed check leaves no job behind writing into the harness's folder.
    run.job.child.kill('SIGTERM');
    await run.job.done;
    throw error;
  } finally {
    for (const hog of hogs) if (hog.exitCode === null && hog.signalCode === null) hog.kill('SIGKILL');
  }
  const ended = await run.job.done;
  harness.sim.setOptions({ requestLatencyMs: 0 });
  expect(ended.code, ended.output).toBe(0);
  expectEveryPoDone(run.journal());
});
