import fs from 'node:fs';
import path from 'node:path';
import { chromium } from '@playwright/test';
import { startJob } from '../../commands/job-process.js';
import { buildJobPlan } from '../../support/input/job-plan.js';
import { readInput } from '../../support/input/read-input.js';
import { QUIET_BROWSER_ARGS, resolveBrowser } from '../../support/profile/browser-launch.js';
import { loadSettings } from '../../support/settings.js';
import { generateBatch, ONLY_COMPLETED, writeInputCsv } from '../simulator/index.js';
import type { BenchOptions } from './bench-options.js';
import { firstFinishedAt } from './bench-math.js';
import { prepareBench } from './bench-setup.js';
import { verifyDownloads } from './download-verification.js';
import { renderLargeReport, roleMemory, summarizeSeries, type LargeResult, type RoleMemory } from './large-report.js';
import { measureCommand } from './process-tree-sampler.js';
import { findRunRoot, readJobOutputs } from './run-outputs.js';

/**
 * `npm run bench -- --large`: a large input planned and listed, a long run over its first
 * POs at low latency with the memory of the runner, every worker and every browser
 * sampled against the POs done, the time the reports take at the end, and the HTML
 * report opened in a headless browser.
 */
export interface LargeBenchContext {
  options: BenchOptions;
  workDir: string;
  createdAt: Date;
  say: (message: string) => void;
  writeResult: (name: string, value: unknown) => string;
}

/** Counts the lines appended to a file since the last call (the journal: one line per finished PO). */
class LineCounter {
  private offset = 0;
  lines = 0;

  constructor(private readonly file: () => string | undefined) {}

  update(): number {
    const file = this.file();
    if (!file) return this.lines;
    let fd: number;
    try {
      fd = fs.openSync(file, 'r');
    } catch {
      return this.lines;
    }
    try {
      const buffer = Buffer.alloc(64 * 1024);
      for (let read = fs.readSync(fd, buffer, 0, buffer.length, this.offset); read > 0; read = fs.readSync(fd, buffer, 0, buffer.length, this.offset)) {
        for (let i = 0; i < read; i++) if (buffer[i] === 0x0a) this.lines++;
        this.offset += read;
      }
    } finally {
      fs.closeSync(fd);
    }
    return this.lines;
  }
}

const REPORT_FILES = [/^CoupaDownloads_Report_.*\.(csv|xlsx)$/, /^run-summary\.json$/, /^window-summary\.json$/];

/** Report files of the run root and the HTML report's index, with when each was last written. */
function reportTimes(runRoot: string, htmlReport: string | undefined): { file: string; mtimeMs: number }[] {
  const files = fs.readdirSync(runRoot).filter((name) => REPORT_FILES.some((p) => p.test(name))).map((name) => path.join(runRoot, name));
  if (htmlReport) files.push(path.join(htmlReport, 'index.html'));
  return files.filter((f) => fs.existsSync(f)).map((f) => ({ file: path.relative(runRoot, f), mtimeMs: fs.statSync(f).mtimeMs }));
}

/** Opens the HTML report from disk as the operator would, and checks it lists the tests. */
async function openHtmlReport(htmlReport: string | undefined, env: Record<string, string>): Promise<LargeResult['htmlReport']> {
  const index = htmlReport && path.join(htmlReport, 'index.html');
  if (!index || !fs.existsSync(index)) return { path: htmlReport, opened: false, renderMs: undefined, testsInReport: undefined, rowsShown: 0, error: 'no index.html' };
  const browser = resolveBrowser(loadSettings({ env: { ...process.env, ...env } }));
  const instance = await chromium.launch({ ...(browser.channel && { channel: browser.channel }), ...(browser.executablePath && { executablePath: browser.executablePath }), args: QUIET_BROWSER_ARGS });
  try {
    const page = await instance.newPage();
    const started = performance.now();
    await page.goto(`file://${index}`);
    const counter = page.locator('.subnav-item', { hasText: 'All' }).locator('.counter').first();
    await counter.waitFor({ timeout: 60_000 });
    const renderMs = performance.now() - started;
    // A report with many tests shows its file collapsed: open it as the operator would.
    const file = page.locator('.chip-header').first();
    await file.waitFor({ timeout: 60_000 });
    if (!/\bexpanded-true\b/.test((await file.getAttribute('class')) ?? '')) await file.click();
    const rows = page.locator('.test-file-test');
    await rows.first().waitFor({ timeout: 60_000 });
    return { path: htmlReport, opened: true, renderMs, testsInReport: Number((await counter.textContent())?.trim()), rowsShown: await rows.count() };
  } catch (error) {
    return { path: htmlReport, opened: false, renderMs: undefined, testsInReport: undefined, rowsShown: 0, error: (error as Error).message.split('\n')[0] };
  } finally {
    await instance.close();
  }
}

export async function runLargeBench(ctx: LargeBenchContext): Promise<number> {
  const { options, workDir, say } = ctx;
  say(`work folder ${workDir}`);
  const catalogue = generateBatch({
    count: options.largeInputPos,
    seed: options.seed,
    attachmentsPerPo: options.attachmentsPerPo,
    minBytes: 2_000,
    maxBytes: 16_000,
    statusShares: ONLY_COMPLETED,
  });
  const runPos = { pos: catalogue.pos.slice(0, options.largeRunPos) };
  const setup = await prepareBench({ workDir, catalogue: runPos, latencyMs: options.largeLatencyMs, downloadBytesPerSecond: 0, headless: options.headless, say });
  try {
    const largeInput = path.join(workDir, 'input-large.csv');
    await writeInputCsv(catalogue.pos, largeInput);
    const planStarted = performance.now();
    buildJobPlan(await readInput(largeInput));
    const readAndPlanMs = performance.now() - planStarted;
    say(`${options.largeInputPos} POs read and planned in ${(readAndPlanMs / 1000).toFixed(2)} s; listing the tests`);
    const listDir = path.join(workDir, 'downloads-list');
    const list = await measureCommand(() => {
      // The list reporter alone: it prints the count, and the job's own reporter would write run reports for a listing.
      const job = startJob({ env: { ...setup.env, INPUT_CSV: largeInput, DOWNLOAD_DIR: listDir }, args: ['--list', '--reporter=list'] });
      return { pid: job.child.pid, done: job.done };
    }, { everyMs: options.sampleMs });
    const listed = /Total: (\d+) tests?/.exec(list.result.output);

    const downloadDir = path.join(workDir, 'downloads-large');
    fs.rmSync(downloadDir, { recursive: true, force: true });
    const journal = new LineCounter(() => {
      const root = findRunRoot(downloadDir);
      return root && path.join(root, '.run-state', 'journal.jsonl');
    });
    const samples: { posDone: number; memory: RoleMemory }[] = [];
    const marks: { plannedAt?: number; loadedAt?: number } = {};
    say(`long run: ${runPos.pos.length} POs with ${options.largeWindows} window(s), ${options.largeLatencyMs} ms latency`);
    let rootPid = -1;
    const run = await measureCommand(() => {
      const windows = String(options.largeWindows);
      const job = startJob({ env: { ...setup.env, DOWNLOAD_DIR: downloadDir, WORKERS: windows }, args: [`--workers=${windows}`] });
      rootPid = job.child.pid ?? -1;
      job.child.stdout?.on('data', (chunk: Buffer) => {
        const text = chunk.toString('utf8');
        if (marks.plannedAt === undefined && text.includes('[setup] input ')) marks.plannedAt = Date.now();
        if (marks.loadedAt === undefined && text.includes('Coupa downloads:')) marks.loadedAt = Date.now();
      });
      return { pid: job.child.pid, done: job.done };
      // PSS at every sample: a browser's series must not mix PSS and RSS. The trend, not the speed, is measured here.
    }, { everyMs: options.sampleMs, pssEveryMs: 0, onSample: (sample) => samples.push({ posDone: journal.update(), memory: roleMemory(sample.processes, rootPid) }) });
    fs.writeFileSync(path.join(workDir, 'job-large.log'), run.result.output);

    const runRoot = findRunRoot(downloadDir);
    const outputs = runRoot ? readJobOutputs(runRoot) : undefined;
    const results = outputs?.results ?? [];
    const lastPoAt = results.length ? Math.max(...results.map((r) => Date.parse(r.finishedAt))) : undefined;
    const first = firstFinishedAt(results);
    const since = (at: number | undefined) => (at === undefined ? undefined : at - run.startedAt);
    const result: LargeResult = {
      createdAt: ctx.createdAt.toISOString(),
      planning: {
        inputPos: options.largeInputPos,
        inputBytes: fs.statSync(largeInput).size,
        readAndPlanMs,
        listMs: list.wallMs,
        listedTests: listed ? Number(listed[1]) : undefined,
        listExitCode: list.result.code,
      },
      run: {
        pos: runPos.pos.length,
        windows: options.largeWindows,
        latencyMs: options.largeLatencyMs,
        exitCode: run.result.code,
        totalMs: run.wallMs,
        plannedMs: since(marks.plannedAt),
        testsLoadedMs: since(marks.loadedAt),
        firstPoMs: since(first),
        cpuSeconds: run.usage.cpu.seconds,
        verification: verifyDownloads(runPos.pos, results),
        endOfRunMs: lastPoAt === undefined ? undefined : run.startedAt + run.wallMs - lastPoAt,
        reports: runRoot && lastPoAt !== undefined ? reportTimes(runRoot, outputs?.htmlReport).map((f) => ({ file: f.file, afterLastPoMs: f.mtimeMs - lastPoAt })) : [],
        memory: summarizeSeries(samples, Math.ceil(runPos.pos.length / 10), runPos.pos.length),
      },
      htmlReport: await openHtmlReport(outputs?.htmlReport, setup.env),
    };
    const file = ctx.writeResult('bench-large', result);
    process.stdout.write(`\n${renderLargeReport(result)}\n`);
    say(`JSON: ${file}`);
    return run.result.code === 0 && list.result.code === 0 && result.htmlReport.opened ? 0 : 1;
  } finally {
    await setup.close();
    if (!options.keepProfile) fs.rmSync(path.dirname(setup.userDataDir), { recursive: true, force: true });
  }
}
