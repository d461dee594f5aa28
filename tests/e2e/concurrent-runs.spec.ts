import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { readInputFile } from '../../support/input/input-reader.js';
import { openSignInWindow } from '../../commands/login/sign-in-window.js';
import { signInOnSimulatorForm } from '../../tooling/simulator/simulator-sign-in.js';
import { PROJECT_ROOT } from '../../commands/job-process.js';
import { loadSettings } from '../../support/settings.js';
import { expectedOutcome, generateBatch, inputCsvText, ONLY_COMPLETED } from '../../tooling/simulator/index.js';
import { downloadFolderPaths } from '../../support/run-state/run-paths.js';
import { OWNER_FILE } from '../../support/shared/owned-lock.js';
import { createJobHarness, sha256, waitForNoProcessesMentioning, type JobHarness } from './helpers/job-harness.js';

/**
 * PO-level integrity across runs (PARALLEL-08) and scaling past one machine: two runs
 * of the same input in the same download folder never do a PO twice; a stale lock of a
 * killed run is taken over; two shards run side by side merge into one report with every
 * PO exactly once.
 */
const catalogue = generateBatch({ count: 24, seed: 21, attachmentsPerPo: 1, minBytes: 12_000, maxBytes: 20_000, statusShares: ONLY_COMPLETED });

let harness: JobHarness;
let secondProfile: string;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  harness = await createJobHarness({ name: 'concurrent', inputCsv: inputCsvText(catalogue.pos), sim: { catalogue, pageLatencyMs: 250 } });
  // The base profile serves one run at a time: the second run (or machine) signs in with its own.
  secondProfile = path.join(harness.root, 'second-profile', 'User Data');
  const signIn = await openSignInWindow({
    settings: loadSettings({ env: { ...process.env, ...harness.env, EDGE_PROFILE_DIR: secondProfile } }),
    headless: true,
    timeoutMs: 30_000,
    log: () => undefined,
    signIn: (page) => signInOnSimulatorForm(page, harness.sim.options().credentials),
  });
  expect(signIn.signedIn).toBe(true);
});

test.afterAll(async () => {
  await harness?.close();
});

test('two runs of the same input at the same time share one run folder and never process a PO twice', async () => {
  test.setTimeout(180_000);
  harness.sim.resetStats();
  const downloadDir = path.join(harness.root, 'together');
  const first = harness.start({ env: { DOWNLOAD_DIR: downloadDir, WORKERS: '2' } });
  await expect.poll(() => (harness.runRoots(downloadDir)[0] ? harness.journal(harness.runRoots(downloadDir)[0]).size : 0), { timeout: 60_000 }).toBeGreaterThanOrEqual(2);
  const second = harness.start({ env: { DOWNLOAD_DIR: downloadDir, WORKERS: '2', EDGE_PROFILE_DIR: secondProfile } });
  const [a, b] = await Promise.all([first.done, second.done]);
  // A PO the other run was still finishing when one run ended is LOCKED for it: left to retry (exit code 1).
  for (const ended of [a, b]) expect(ended.code === 0 || (ended.code === 1 && /PO\(s\) remain to retry/.test(ended.output)), ended.output).toBe(true);
  expect(b.output).toContain('resuming an interrupted run');

  expect(harness.runRoots(downloadDir)).toHaveLength(1);
  const journal = harness.journal(harness.runRoots(downloadDir)[0]);
  const stats = harness.sim.stats();
  for (const po of catalogue.pos) {
    expect(journal.get(po.id)?.status, po.id).toBe(expectedOutcome(po).status);
    expect(stats.poPageRequests[po.id], `${po.id} opened by exactly one run`).toBe(1);
    for (const attachment of po.attachments) expect(stats.downloadsCompleted[attachment.id], `${po.id} downloaded once`).toBe(1);
  }
  const folders = fs.readdirSync(harness.runRoots(downloadDir)[0], { recursive: true }).map(String).filter((f) => /_COMPLETED$/.test(f));
  expect(folders).toHaveLength(catalogue.pos.length);
  expect(await waitForNoProcessesMentioning(harness.root)).toEqual([]);
});

test('a lock left by a killed run on this machine is taken over; a lock held by a live run is reported LOCKED', async () => {
  harness.sim.resetStats();
  const downloadDir = path.join(harness.root, 'locks');
  const [dead, live] = catalogue.pos;
  const lockOf = (id: string) => downloadFolderPaths(downloadDir, sha256(fs.readFileSync(harness.inputFile))).poLockDir(id);
  const owner = (pid: number) => JSON.stringify({ token: `token-${pid}`, pid, host: os.hostname(), at: new Date().toISOString(), details: { runRoot: 'elsewhere', window: 'Z' } });
  // A dead process's lock, and one held by this (live) test process, fresh so neither is stale by age.
  const deadPid = spawnSync(process.execPath, ['-e', 'process.exit(0)']).pid!;
  for (const [po, pid] of [[dead, deadPid], [live, process.pid]] as const) {
    fs.mkdirSync(lockOf(po.id), { recursive: true });
    fs.writeFileSync(path.join(lockOf(po.id), OWNER_FILE), owner(pid));
  }
  const { code, output } = await harness.run({ env: { DOWNLOAD_DIR: downloadDir, WORKERS: '2' } });
  // The locked PO remains to retry: exit code 1, although no test failed.
  expect(code, output).toBe(1);
  expect(output).toContain('1 PO(s) remain to retry');
  const journal = harness.journal(harness.runRoots(downloadDir)[0]);
  expect(journal.get(dead.id)?.status).toBe('COMPLETED');
  expect(journal.get(live.id)?.status).toBe('LOCKED');
  expect(journal.get(live.id)?.errorMessage).toContain(`process ${process.pid}`);
  expect(harness.sim.stats().poPageRequests[live.id] ?? 0, 'a locked PO is not opened').toBe(0);
});

test('two shards side by side, each with its own profile and folder, merge into one report with every PO exactly once', async () => {
  test.setTimeout(180_000);
  harness.sim.resetStats();
  const shard = (n: number, profile: string) =>
    harness.start({ env: { DOWNLOAD_DIR: path.join(harness.root, `machine-${n}`), EDGE_PROFILE_DIR: profile, WORKERS: '2' }, args: ['--workers=2', `--shard=${n}/2`] });
  const [one, two] = await Promise.all([shard(1, harness.userDataDir).done, shard(2, secondProfile).done]);
  expect(one.code, one.output).toBe(0);
  expect(two.code, two.output).toBe(0);
  expect(one.output).toContain('This was shard 1/2');

  const folders = [1, 2].map((n) => harness.runRoots(path.join(harness.root, `machine-${n}`))[0]);
  const out = path.join(harness.root, 'merged');
  const merge = spawnSync(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'commands', 'merge-shards.ts'), ...folders, '--out', out], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
  });
  expect(merge.status, merge.stdout + merge.stderr).toBe(0);
  expect(merge.stdout).toContain(`${catalogue.pos.length} of ${catalogue.pos.length} PO(s) have a result`);
  expect(merge.stdout).not.toContain('more than one shard');

  const reportFile = fs.readdirSync(out).find((f) => f.startsWith('CoupaDownloads_Report_merged_'))!;
  const report = readInputFile(path.join(out, reportFile));
  const status = report.headers.indexOf('STATUS');
  expect(report.rows).toHaveLength(catalogue.pos.length);
  expect(report.rows.every((r) => r.values[status] === 'COMPLETED')).toBe(true);
  for (const po of catalogue.pos) expect(harness.sim.stats().poPageRequests[po.id], po.id).toBe(1);
  expect(fs.existsSync(path.join(out, 'playwright-report', 'index.html'))).toBe(true);
  const allure = fs.readdirSync(path.join(out, 'allure-results')).filter((f) => f.endsWith('-result.json'));
  expect(allure.length).toBeGreaterThanOrEqual(catalogue.pos.length);
});
