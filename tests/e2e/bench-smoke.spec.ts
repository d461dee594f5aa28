import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { PROJECT_ROOT } from '../../commands/job-process.js';
import type { BenchResult } from '../../tooling/bench/bench-report.js';
import type { LargeResult } from '../../tooling/bench/large-report.js';
import { waitForNoProcessesMentioning } from './helpers/job-harness.js';

/**
 * `npm run bench` end to end on a tiny batch: the real job and the single-browser peer
 * run, are measured and verified, and the figures come out. Timings are not asserted
 * (speed is for the benchmark itself to report), only that every figure was measured.
 */
async function bench(args: string[]): Promise<{ code: number | null; output: string }> {
  const child = spawn('npm', ['run', 'bench', '--', ...args], { cwd: PROJECT_ROOT, env: { ...process.env, FORCE_COLOR: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c));
  child.stderr.on('data', (c: Buffer) => (output += c));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, output };
}

let workDir: string;
test.beforeEach(() => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'coupa-e2e-bench-'));
});
test.afterEach(() => fs.rmSync(workDir, { recursive: true, force: true }));

test('the window comparison runs the job and the peer at N=1 and 2, each verified byte-exact and measured', async () => {
  test.setTimeout(240_000);
  const { code, output } = await bench(['--pos', '3', '--windows', '1,2', '--latency-ms', '20', '--attachments', '1-2', '--pad', '1MB', '--sample-ms', '250', '--pss-ms', '500', '--work-dir', workDir]);
  expect(code, output).toBe(0);
  const result = JSON.parse(fs.readFileSync(path.join(workDir, 'bench.json'), 'utf8')) as BenchResult;
  expect(result.runs.map((r) => `${r.tool} ${r.windows}`)).toEqual(['job 1', 'peer 1', 'job 2', 'peer 2']);
  for (const run of result.runs) {
    const name = `${run.tool} N=${run.windows}`;
    expect(run.exitCode, name).toBe(0);
    expect(run.verification, name).toMatchObject({ pos: 3, verified: 3, problems: [] });
    expect(run.verification.files, name).toBe(result.batch.attachments);
    expect(run.firstPoMs, name).toBeGreaterThan(0);
    expect(run.firstPoMs!, name).toBeLessThan(run.totalMs);
    // Window A takes its first PO as soon as it is verified, before the others are ready: both lie inside the run.
    expect(run.allReadyMs, name).toBeGreaterThan(0);
    expect(run.allReadyMs!, name).toBeLessThan(run.totalMs);
    // Browsers and Node processes were measured: CPU, processes and memory of the tree.
    expect(run.cpuSeconds, name).toBeGreaterThan(0.5);
    expect(run.cpuSeconds, name).toBeGreaterThanOrEqual(run.cpu.sampledSeconds - 0.05);
    expect(run.cpu.processesSeen, name).toBeGreaterThan(3);
    expect(run.memory.peakPssBytes, name).toBeGreaterThan(50_000_000);
    expect(run.browsers.length, name).toBeGreaterThan(0);
    expect(run.leftRunning, name).toEqual([]);
  }
  const [job1, peer1, job2, peer2] = result.runs;
  expect(job2!.starts.filter((s) => s.readyAt !== undefined).map((s) => s.window).sort()).toEqual(['A', 'B']);
  expect(job2!.browsers.map((b) => b.window).sort()).toEqual(['A', 'B']);
  expect(peer2!.starts.map((s) => s.window)).toEqual(['browser']);
  // The peer's pages shared the POs: both pages processed some.
  const peerResults = fs.readFileSync(path.join(peer2!.outputDir!, 'journal.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { window: string });
  expect(new Set(peerResults.map((r) => r.window))).toEqual(new Set(['P1', 'P2']));
  expect(job1!.timeVsPeer).toBeCloseTo(job1!.totalMs / peer1!.totalMs, 5);
  expect(job2!.cpuVsPeer).toBeCloseTo(job2!.cpuSeconds / peer2!.cpuSeconds, 5);
  expect(job1!.governor).toBeDefined();
  expect(result.targets.at(-1)).toMatchObject({ what: 'every run: exit 0, every PO as expected with byte-exact files', met: true });
  expect(output).toMatch(/\nN +tool +total +first PO +all ready +CPU-s +CPU-s\/PO/);
  expect(await waitForNoProcessesMentioning(workDir)).toEqual([]);
});

test('--large plans and lists a larger input, runs a batch with memory sampled, and opens the HTML report', async () => {
  test.setTimeout(240_000);
  const { code, output } = await bench(['--large', '--large-input', '300', '--large-run', '12', '--large-latency-ms', '0', '--attachments', '1', '--sample-ms', '250', '--work-dir', workDir]);
  expect(code, output).toBe(0);
  const result = JSON.parse(fs.readFileSync(path.join(workDir, 'bench-large.json'), 'utf8')) as LargeResult;
  expect(result.planning).toMatchObject({ inputPos: 300, listedTests: 300, listExitCode: 0 });
  expect(result.planning.readAndPlanMs).toBeGreaterThan(0);
  expect(result.run).toMatchObject({ pos: 12, windows: 2, exitCode: 0 });
  expect(result.run.verification).toMatchObject({ verified: 12, problems: [] });
  expect(result.run.plannedMs!).toBeLessThan(result.run.firstPoMs!);
  expect(result.run.endOfRunMs).toBeGreaterThan(0);
  expect(result.run.reports.map((r) => r.file)).toEqual(expect.arrayContaining(['run-summary.json', path.join('playwright-report', 'index.html')]));
  const names = result.run.memory.map((s) => s.name);
  expect(names).toContain('runner');
  expect(names.filter((n) => /^worker \d+$/.test(n)).length).toBeGreaterThanOrEqual(2);
  expect(names.filter((n) => /^browser of worker \d+$/.test(n)).length).toBeGreaterThanOrEqual(2);
  expect(result.htmlReport).toMatchObject({ opened: true, testsInReport: 12 });
  expect(result.htmlReport.rowsShown).toBeGreaterThan(0);
  expect(output).toContain('Memory while POs were processed');
  expect(await waitForNoProcessesMentioning(workDir)).toEqual([]);
});
