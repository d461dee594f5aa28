import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../../commands/job-process.js';
import { exitOnOperatorError, OperatorError } from '../../support/shared/operator-error.js';
import { expectedOutcome, generateBatch, ONLY_COMPLETED, type Catalogue } from '../simulator/index.js';
import { BENCH_USAGE, parseBenchArgs, type BenchOptions } from './bench-options.js';
import { buildBenchResult, renderBenchReport, type MeasuredRun } from './bench-report.js';
import { PROFILE_NAME, prepareBench } from './bench-setup.js';
import { runLargeBench } from './large-batch.js';
import { padProfile, timeNaiveCopy, treeSize } from './profile-padding.js';
import { measureJob, measurePeer } from './tool-runs.js';

/**
 * `npm run bench`: the real job (`npx playwright test --workers=N`, default settings)
 * and a single-browser N-page peer written with plain Playwright, one after the other on
 * the same simulator and POs, for several N. Prints the comparison and writes it as JSON
 * in bench-results/ and the work folder. `--large` measures large batches instead. A
 * benchmark, not a test: it reports, it does not pass or fail on speed.
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

/**
 * Writes the result as `<name>.json` in the work folder and, when the work folder is the
 * default one, also in bench-results/ where results are kept across runs. Returns where.
 */
function writeResult(name: string, value: unknown): string {
  const json = JSON.stringify(value, null, 2);
  const inWorkDir = path.join(workDir, `${name}.json`);
  fs.writeFileSync(inWorkDir, json);
  if (options.workDir !== undefined) return inWorkDir;
  const resultsDir = path.join(PROJECT_ROOT, 'bench-results');
  fs.mkdirSync(resultsDir, { recursive: true });
  const kept = path.join(resultsDir, `${name}-${stamp}.json`);
  fs.writeFileSync(kept, json);
  return kept;
}

function diagnosisEnv(opts: BenchOptions): Record<string, string> {
  return {
    ...(opts.cpuLimitPercent !== undefined && { CPU_LIMIT_PERCENT: String(opts.cpuLimitPercent) }),
    ...(opts.memoryLimitPercent !== undefined && { MEMORY_LIMIT_PERCENT: String(opts.memoryLimitPercent) }),
  };
}

async function compareWindows(): Promise<number> {
  const catalogue = batchFor(options);
  const downloads = catalogue.pos.flatMap((po) => expectedOutcome(po).downloaded);
  say(`work folder ${workDir}`);
  const setup = await prepareBench({
    workDir,
    catalogue,
    latencyMs: options.latencyMs,
    downloadBytesPerSecond: options.downloadBytesPerSecond,
    headless: options.headless,
    extraEnv: diagnosisEnv(options),
    say,
  });
  try {
    const padding = await padProfile(setup.userDataDir, PROFILE_NAME, options.padBytes);
    const padded = await treeSize(setup.userDataDir);
    say(`padded the base profile with ${padding.files} cache files: ${(padded.bytes / 1e6).toFixed(1)} MB in ${padded.files} files`);
    const naiveCopy = await timeNaiveCopy(setup.userDataDir, workDir);

    const ctx = { catalogue, env: setup.env, workDir, sampleMs: options.sampleMs, pssMs: options.pssMs, waitIdlePercent: options.waitIdlePercent, say };
    const runs: MeasuredRun[] = [];
    for (const windows of options.windows) {
      // Window A's browser may have pruned the cache it found; every run starts from the same padded profile.
      await padProfile(setup.userDataDir, PROFILE_NAME, options.padBytes);
      runs.push(await measureJob(ctx, windows));
      if (options.baseline) runs.push(await measurePeer(ctx, windows, setup.credentials));
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
        browser: setup.browserDescription,
      },
      options,
      batch: { pos: catalogue.pos.length, attachments: downloads.length, bytes: downloads.reduce((sum, d) => sum + d.attachment.size, 0) },
      profile: { padded, naiveCopy },
      runs,
    });
    const file = writeResult('bench', result);
    process.stdout.write(`\n${renderBenchReport(result)}\n`);
    say(`JSON: ${file}`);
    return runs.every((r) => r.exitCode === 0) ? 0 : 1;
  } finally {
    await setup.close();
    if (!options.keepProfile) fs.rmSync(path.dirname(setup.userDataDir), { recursive: true, force: true });
  }
}

try {
  process.exitCode = options.large ? await runLargeBench({ options, workDir, createdAt: now, say, writeResult }) : await compareWindows();
} catch (error) {
  if (!(error instanceof OperatorError)) throw error;
  process.stderr.write(`${error.name}: ${error.describe()}\n`);
  process.exitCode = 2;
}
