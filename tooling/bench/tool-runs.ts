import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startJob, startNodeScript, type JobProcess } from '../../commands/job-process.js';
import { ResourceMonitor, SystemLoadSignal, type ResourceSample } from '../../support/load/resource-monitor.js';
import type { Catalogue } from '../simulator/index.js';
import { allReadyAt, firstFinishedAt, summarizeLoad, type Tool } from './bench-math.js';
import type { MeasuredRun } from './bench-report.js';
import { verifyDownloads } from './download-verification.js';
import { measureCommand } from './process-tree-sampler.js';
import { findRunRoot, readBaselineOutputs, readJobOutputs, type RunOutputs } from './run-outputs.js';

/**
 * One measured run of the job or of its peer: started alone, measured as a process tree,
 * then read back from what it wrote and checked byte for byte against the simulator.
 */
export interface RunContext {
  catalogue: Catalogue;
  /** Settings both tools get (simulator URL, profile, input, headless, …). */
  env: Record<string, string>;
  workDir: string;
  sampleMs: number;
  pssMs: number;
  waitIdlePercent: number | undefined;
  say: (message: string) => void;
}

const CRAWLER = fileURLToPath(new URL('./baseline-crawler.ts', import.meta.url));

/** Mean system CPU over three seconds while nothing of the benchmark runs: other work on the machine. */
export async function backgroundCpuPercent(): Promise<number> {
  const signal = new SystemLoadSignal();
  await signal.sample();
  const values: number[] = [];
  for (let i = 0; i < 3; i++) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    values.push((await signal.sample()).cpuPercent);
  }
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** Waits for other work on the machine to calm down (--wait-idle), at most ten minutes. */
async function quietMachine(ctx: RunContext): Promise<number> {
  let cpu = await backgroundCpuPercent();
  const limit = ctx.waitIdlePercent;
  if (limit === undefined) return cpu;
  const deadline = Date.now() + 600_000;
  while (cpu >= limit && Date.now() < deadline) {
    ctx.say(`other processes use ${Math.round(cpu)}% CPU; waiting for less than ${limit}% (--wait-idle)`);
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    cpu = await backgroundCpuPercent();
  }
  return cpu;
}

async function measure(ctx: RunContext, tool: Tool, windows: number, start: () => JobProcess, outputs: () => RunOutputs | undefined): Promise<MeasuredRun> {
  const name = `${tool}-N${windows}`;
  const logFile = path.join(ctx.workDir, `${name}.log`);
  const background = await quietMachine(ctx);
  const loadSamples: ResourceSample[] = [];
  const load = new ResourceMonitor(new SystemLoadSignal(), { everyMs: 1000, onSample: (s) => loadSamples.push(s) });
  ctx.say(`${name}: started (output in ${logFile})`);
  load.start();
  const measured = await measureCommand(() => {
    const started = start();
    return { pid: started.child.pid, done: started.done };
  }, { everyMs: ctx.sampleMs, pssEveryMs: ctx.pssMs });
  await load.stop();
  fs.writeFileSync(logFile, measured.result.output);

  const read = outputs();
  const results = read?.results ?? [];
  // The peer's one browser is ready with all its pages at once.
  const ready = allReadyAt(read?.starts ?? [], tool === 'peer' ? 1 : windows);
  const first = firstFinishedAt(results);
  const statuses: Record<string, number> = {};
  for (const r of results) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
  const { usage } = measured;
  const run: MeasuredRun = {
    tool,
    windows,
    pos: ctx.catalogue.pos.length,
    exitCode: measured.result.code,
    startedAt: measured.startedAt,
    totalMs: measured.wallMs,
    firstPoMs: first === undefined ? undefined : first - measured.startedAt,
    allReadyMs: ready.at === undefined ? undefined : ready.at - measured.startedAt,
    readyWindows: ready.ready,
    cpuSeconds: usage.cpu.seconds,
    cpu: usage.cpu,
    cpuByKind: usage.cpuByKind,
    memory: { peakRssBytes: usage.memory.peakRssBytes, peakPssBytes: usage.memory.peakPssBytes, processesAtPeak: usage.memory.processesAtPeak },
    browsers: usage.browsers.map((b) => ({
      ...b,
      window: tool === 'peer' ? 'browser' : (read?.starts.find((s) => s.userDataDir && s.userDataDir === b.userDataDir)?.window ?? '?'),
    })),
    leftRunning: usage.leftRunning,
    sampling: usage.sampling,
    verification: verifyDownloads(ctx.catalogue.pos, results),
    statuses,
    starts: read?.starts ?? [],
    governor: read?.governor,
    backgroundCpuPercent: background,
    load: summarizeLoad(loadSamples),
    outputDir: read?.root,
    logFile,
  };
  ctx.say(
    `${name}: exit ${run.exitCode}, ${(run.totalMs / 1000).toFixed(1)} s, ${run.cpuSeconds.toFixed(1)} CPU-s, ` +
      `${run.verification.verified}/${run.pos} POs verified, CPU ${Math.round(background)}% before and ${Math.round(run.load.meanCpuPercent)}% during the run`,
  );
  if (run.exitCode !== 0) ctx.say(`${name}: failed; last lines:\n${measured.result.output.split('\n').slice(-15).join('\n')}`);
  return run;
}

/** The job as an operator starts it (`npx playwright test --workers=N`), with the bench's settings. */
export function measureJob(ctx: RunContext, windows: number): Promise<MeasuredRun> {
  const downloadDir = path.join(ctx.workDir, `downloads-job-N${windows}`);
  fs.rmSync(downloadDir, { recursive: true, force: true });
  const env = { ...ctx.env, DOWNLOAD_DIR: downloadDir, WORKERS: String(windows) };
  return measure(ctx, 'job', windows, () => startJob({ env, args: [`--workers=${windows}`] }), () => {
    const root = findRunRoot(downloadDir);
    return root ? readJobOutputs(root) : undefined;
  });
}

/** The single-browser N-page peer (baseline-crawler.ts) on the same settings, simulator and POs. */
export function measurePeer(ctx: RunContext, windows: number, credentials: { username: string; password: string }): Promise<MeasuredRun> {
  const outDir = path.join(ctx.workDir, `downloads-peer-N${windows}`);
  fs.rmSync(outDir, { recursive: true, force: true });
  const env = { ...ctx.env, BASELINE_USERNAME: credentials.username, BASELINE_PASSWORD: credentials.password };
  return measure(ctx, 'peer', windows, () => startNodeScript(['--import', 'tsx', CRAWLER, '--pages', String(windows), '--out', outDir], { env }), () =>
    fs.existsSync(outDir) ? readBaselineOutputs(outDir) : undefined,
  );
}
