import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureBrowser } from '../../commands/demo/ensure-browser.js';
import { ResourceMonitor, SystemLoadSignal, type ResourceSample } from '../../support/load/resource-monitor.js';
import { readGate } from '../../support/run-state/load-files.js';
import { runPaths } from '../../support/run-state/run-paths.js';
import { WindowRecordStore } from '../../support/run-state/window-records.js';
import { openSignInWindow } from '../../commands/login/sign-in-window.js';
import { exitOnOperatorError, OperatorError } from '../../support/shared/operator-error.js';
import { ResultJournal } from '../../support/run-state/journal.js';
import { PROJECT_ROOT, startJob } from '../../commands/job-process.js';
import { loadSettings } from '../../support/settings.js';
import { expectedOutcome, generateBatch, ONLY_COMPLETED, startSimulator, writeInputCsv, type Catalogue } from '../simulator/index.js';
import { BENCH_USAGE, parseBenchArgs, type BenchOptions } from './bench-options.js';
import { allReadyAt, poPhaseMs, steadyPosPerMinute, summarizeLoad } from './bench-math.js';
import { buildBenchResult, renderBenchReport, type MeasuredRun } from './bench-report.js';
import { WindowMemorySampler } from './process-memory.js';
import { padProfile, timeNaiveCopy, treeSize } from './profile-padding.js';
import { startupOf } from './window-startup.js';

/**
 * `npm run bench`: the real job (`npx playwright test --workers=N`) against the simulator
 * with realistic latency, for several window counts, on a signed-in base profile padded
 * with browser caches. Prints the scaling and start-up tables and writes them as JSON in
 * every run root and in bench-results/. A benchmark, not a test: it reports, it does not
 * pass or fail.
 */
const say = (message: string) => process.stdout.write(`[bench] ${message}\n`);
const pad2 = (n: number) => String(n).padStart(2, '0');
const now = new Date();
const stamp = `${now.getFullYear()}${pad2(now.getMonth() + 1)}${pad2(now.getDate())}-${pad2(now.getHours())}${pad2(now.getMinutes())}${pad2(now.getSeconds())}`;

const options = exitOnOperatorError(() => parseBenchArgs(process.argv.slice(2)));
if (options.help) {
  process.stdout.write(BENCH_USAGE);
  process.exit(0);
}

const workDir = path.resolve(options.workDir ?? path.join(PROJECT_ROOT, '.tmp', 'bench', stamp));
const profileRoot = path.join(workDir, 'profile');
const userDataDir = path.join(profileRoot, 'User Data');
const PROFILE_NAME = 'Default';

function batchFor(opts: BenchOptions): Catalogue {
  return generateBatch({
    count: opts.pos,
    seed: opts.seed,
    attachmentsPerPo: opts.attachmentsPerPo,
    minBytes: opts.minFileBytes,
    maxBytes: opts.maxFileBytes,
    ...(opts.statuses === 'completed' && { statusShares: ONLY_COMPLETED }),
  });
}

/** The run root the job created under a fresh download folder (there is exactly one). */
function runRootIn(downloadDir: string): string | undefined {
  try {
    const name = fs.readdirSync(downloadDir).find((n) => n.endsWith('_CoupaDownloads') || /_CoupaDownloads-\d+$/.test(n));
    return name ? path.join(downloadDir, name) : undefined;
  } catch {
    return undefined;
  }
}

/** Mean system CPU over the next three seconds, while nothing of the benchmark runs. */
async function backgroundCpuPercent(): Promise<number> {
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
async function quietMachine(): Promise<number> {
  let cpu = await backgroundCpuPercent();
  const limit = options.waitIdlePercent;
  if (limit === undefined) return cpu;
  const deadline = Date.now() + 600_000;
  while (cpu >= limit && Date.now() < deadline) {
    say(`other processes use ${Math.round(cpu)}% CPU; waiting for less than ${limit}% (--wait-idle)`);
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    cpu = await backgroundCpuPercent();
  }
  return cpu;
}

async function measureRun(windows: number, baseEnv: Record<string, string>, catalogue: Catalogue): Promise<MeasuredRun> {
  const downloadDir = path.join(workDir, `downloads-N${windows}`);
  fs.rmSync(downloadDir, { recursive: true, force: true });
  const windowRecords = () => {
    const root = runRootIn(downloadDir);
    return root ? new WindowRecordStore(runPaths(root).windowsDir).all() : [];
  };
  const sampler = new WindowMemorySampler({
    everyMs: options.memorySampleMs,
    windows: () => windowRecords().map((r) => ({ window: r.window, userDataDir: r.userDataDir })),
  });
  const logFile = path.join(workDir, `job-N${windows}.log`);
  say(`N=${windows}: npx playwright test --workers=${windows} (output in ${path.relative(PROJECT_ROOT, logFile)})`);
  const background = await quietMachine();
  const loadSamples: ResourceSample[] = [];
  const load = new ResourceMonitor(new SystemLoadSignal(), { everyMs: options.memorySampleMs, onSample: (sample) => loadSamples.push(sample) });
  const startedAt = Date.now();
  const started = performance.now();
  const job = startJob({ env: { ...baseEnv, DOWNLOAD_DIR: downloadDir, WORKERS: String(windows) }, args: [`--workers=${windows}`] });
  sampler.start();
  load.start();
  const ended = await job.done;
  const totalMs = performance.now() - started;
  const memory = await sampler.stop();
  await load.stop();
  fs.writeFileSync(logFile, ended.output);

  const runRoot = runRootIn(downloadDir);
  const paths = runRoot ? runPaths(runRoot) : undefined;
  const results = paths ? [...ResultJournal.read(paths.journalFile).results.values()] : [];
  const expected = new Map(catalogue.pos.map((po) => [po.id, expectedOutcome(po).status]));
  const statuses: Record<string, number> = {};
  for (const r of results) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
  const gate = paths ? readGate(paths.loadGateFile) : undefined;
  const startups = windowRecords().map(startupOf);
  const readyAt = allReadyAt(startups);
  const run: MeasuredRun = {
    windows,
    exitCode: ended.code,
    totalMs,
    poPhaseMs: poPhaseMs(results),
    allReadyMs: readyAt === undefined ? undefined : readyAt - startedAt,
    steadyPosPerMinute: readyAt === undefined ? undefined : steadyPosPerMinute(results, readyAt),
    load: summarizeLoad(loadSamples),
    backgroundCpuPercent: background,
    pos: catalogue.pos.length,
    statuses,
    expectedMatched: results.filter((r) => expected.get(r.id) === r.status).length,
    runRoot,
    startups,
    memory,
    governor: gate && { changes: gate.events.length, lowestTarget: Math.min(gate.max, ...gate.events.map((e) => e.to)) },
  };
  say(
    `N=${windows}: exit ${ended.code}, ${(totalMs / 1000).toFixed(1)} s, ${run.expectedMatched}/${run.pos} POs as expected, ` +
      `CPU ${Math.round(background)}% before and ${Math.round(run.load.meanCpuPercent)}% during the run` +
      (sampler.failures ? ` (${sampler.failures} memory sample(s) failed)` : ''),
  );
  if (ended.code !== 0) say(`N=${windows}: the job failed; last lines:\n${ended.output.split('\n').slice(-15).join('\n')}`);
  return run;
}

async function main(): Promise<number> {
  const catalogue = batchFor(options);
  const downloads = catalogue.pos.flatMap((po) => expectedOutcome(po).downloaded);
  fs.mkdirSync(workDir, { recursive: true });
  say(`work folder ${workDir}`);
  const sim = await startSimulator({ catalogue, pageLatencyMs: options.pageLatencyMs, downloadBytesPerSecond: options.downloadBytesPerSecond });
  try {
    const input = path.join(workDir, 'input.csv');
    await writeInputCsv(catalogue.pos, input);
    const envFile = path.join(workDir, 'bench.env');
    const baseEnv: Record<string, string> = {
      ENV_FILE: envFile,
      COUPA_BASE_URL: sim.coupaUrl,
      EDGE_PROFILE_DIR: userDataDir,
      EDGE_PROFILE_NAME: PROFILE_NAME,
      INPUT_CSV: input,
      HEADLESS: String(options.headless),
      ...(options.cpuLimitPercent !== undefined && { CPU_LIMIT_PERCENT: String(options.cpuLimitPercent) }),
      ...(options.memoryLimitPercent !== undefined && { MEMORY_LIMIT_PERCENT: String(options.memoryLimitPercent) }),
    };
    // The job reads this instead of the project's .env, so an operator's settings cannot skew the benchmark.
    fs.writeFileSync(envFile, Object.entries(baseEnv).filter(([k]) => k !== 'ENV_FILE').map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
    const settings = loadSettings({ env: { ...process.env, ...baseEnv, DOWNLOAD_DIR: workDir } });
    const browser = ensureBrowser(settings, say);
    say(`simulator at ${sim.coupaUrl}: ${catalogue.pos.length} POs, ${downloads.length} attachments, ${options.pageLatencyMs} ms per page`);

    fs.rmSync(profileRoot, { recursive: true, force: true });
    const { username, password } = sim.options().credentials;
    const signIn = await openSignInWindow({
      settings,
      headless: settings.headless,
      timeoutMs: 60_000,
      log: say,
      signIn: async (page) => {
        await page.fill('#idp_username', username);
        await page.fill('#idp_password', password);
        await page.check('#stay_signed_in');
        await page.click('#idp_submit');
      },
    });
    if (!signIn.signedIn) throw new OperatorError('The bench profile could not be signed in to the simulator.', 'Run `npm run bench` again; report the output if it repeats.');

    const padding = await padProfile(userDataDir, PROFILE_NAME, options.padBytes);
    const padded = await treeSize(userDataDir);
    say(`padded the base profile with ${padding.files} cache files in ${(padding.ms / 1000).toFixed(1)} s: ${(padded.bytes / 1e6).toFixed(1)} MB in ${padded.files} files`);
    const naiveCopy = await timeNaiveCopy(userDataDir, workDir);
    say(`naive full copy of the profile: ${(naiveCopy.ms / 1000).toFixed(2)} s`);

    const runs: MeasuredRun[] = [];
    for (const windows of options.windows) {
      // Window A's browser may have pruned the cache it found; every run starts from the same padded profile.
      await padProfile(userDataDir, PROFILE_NAME, options.padBytes);
      runs.push(await measureRun(windows, baseEnv, catalogue));
    }

    const cpus = os.cpus();
    const result = buildBenchResult({
      createdAt: now.toISOString(),
      machine: {
        cpus: cpus.length,
        cpuModel: cpus[0]?.model.trim() ?? 'unknown',
        totalMemoryBytes: os.totalmem(),
        platform: `${os.platform()} ${os.release()}`,
        node: process.version,
        browser: browser.description,
      },
      options,
      batch: { pos: catalogue.pos.length, attachments: downloads.length, bytes: downloads.reduce((sum, d) => sum + d.attachment.size, 0) },
      profile: { padded, naiveCopy },
      runs,
    });
    const json = JSON.stringify(result, null, 2);
    const resultsDir = path.join(PROJECT_ROOT, 'bench-results');
    fs.mkdirSync(resultsDir, { recursive: true });
    const resultFile = path.join(resultsDir, `bench-${stamp}.json`);
    fs.writeFileSync(resultFile, json);
    for (const run of runs) if (run.runRoot) fs.writeFileSync(path.join(run.runRoot, 'bench-table.json'), json);

    process.stdout.write(`\n${renderBenchReport(result)}\n`);
    say(`table written to ${path.relative(PROJECT_ROOT, resultFile)} and to bench-table.json in each run root under ${workDir}`);
    return runs.every((r) => r.exitCode === 0) ? 0 : 1;
  } finally {
    await sim.close();
    if (!options.keepProfile) fs.rmSync(profileRoot, { recursive: true, force: true });
  }
}

try {
  process.exitCode = await main();
} catch (error) {
  if (!(error instanceof OperatorError)) throw error;
  process.stderr.write(`${error.name}: ${error.describe()}\n`);
  process.exitCode = 2;
}
