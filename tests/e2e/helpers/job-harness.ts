import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openSignInWindow } from '../../../commands/login/sign-in-window.js';
import { signInOnSimulatorForm } from '../../../tooling/simulator/simulator-sign-in.js';
import { ResultJournal } from '../../../support/run-state/journal.js';
import { privateTempRoot, runPaths } from '../../../support/run-state/run-paths.js';
import { findBrowser, pinnedBrowser } from '../../../support/profile/browser-launch.js';
import { markTestProfile } from '../../../support/window/fault-injection.js';
import type { PoResult } from '../../../support/po-result.js';
import { startJob, type JobProcess } from '../../../commands/job-process.js';
import { loadSettings } from '../../../support/settings.js';
import type { WindowRecord } from '../../../support/window/window-record.js';
import { attachmentContent, expectedOutcome, startSimulator, type RunningSimulator, type SimPo, type SimulatorOptions } from '../../../tooling/simulator/index.js';

/**
 * A complete, isolated job environment for end-to-end tests: the real simulator, a
 * real base profile signed in through the simulator's form, its own input and
 * download folders, and the job started as an operator starts it.
 */
export interface JobHarness {
  sim: RunningSimulator;
  root: string;
  userDataDir: string;
  downloadDir: string;
  inputFile: string;
  /** Settings every job of this harness gets; a test adds or overrides some. */
  env: Record<string, string>;
  /** Where this harness's runs keep snapshots and clones: a TMPDIR of its own, so no other run on the machine sweeps them. */
  tempRoot: string;
  start(options?: { env?: Record<string, string>; args?: string[] }): JobProcess;
  run(options?: { env?: Record<string, string>; args?: string[] }): Promise<{ code: number | null; output: string }>;
  /** The run folders created under the download folder (default: the harness's), oldest first. */
  runRoots(downloadDir?: string): string[];
  journal(runRoot?: string): Map<string, PoResult>;
  /** The private temp folder (snapshot, clones) of the run whose runner had this pid, if it is still there. */
  cloneDirsLeft(runnerPid: number): string[];
  close(): Promise<void>;
}

export async function createJobHarness(options: { name: string; sim?: SimulatorOptions; inputCsv?: string; env?: Record<string, string> }): Promise<JobHarness> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `coupa-e2e-${options.name}-`));
  const userDataDir = path.join(root, 'profile', 'User Data');
  const downloadDir = path.join(root, 'downloads');
  const inputFile = path.join(root, 'input.csv');
  const sim = await startSimulator(options.sim);
  if (options.inputCsv !== undefined) fs.writeFileSync(inputFile, options.inputCsv);
  const env: Record<string, string> = {
    ENV_FILE: path.join(root, 'test.env'),
    COUPA_BASE_URL: sim.coupaUrl,
    EDGE_PROFILE_DIR: userDataDir,
    EDGE_PROFILE_NAME: 'Default',
    INPUT_CSV: inputFile,
    DOWNLOAD_DIR: downloadDir,
    HEADLESS: 'true',
    WORKERS: '3',
    PAGE_TIMEOUT_MS: '4000',
    PAGE_RETRIES: '2',
    DOWNLOAD_RETRIES: '3',
    LOAD_SIGNAL_FILE: path.join(root, 'calm-load.json'),
    COOKIE_BACKUP_DIR: path.join(root, 'cookie-backups'),
    TMPDIR: path.join(root, 'tmp'),
    // The harness makes its profile with the browser found here: the job must use that one (no silent fallback on a base profile).
    ...pinnedBrowser(findBrowser({ browserChannel: 'msedge', browserExecutable: undefined })),
    ...options.env,
  };
  fs.writeFileSync(env.ENV_FILE, '# settings come from the environment of each test\n');
  fs.mkdirSync(env.TMPDIR, { recursive: true });
  const tempRoot = path.join(env.TMPDIR, path.basename(privateTempRoot()));
  // A calm, constant load: the governor must not park windows because the test machine is busy
  // (the load test sets its own signal).
  fs.writeFileSync(env.LOAD_SIGNAL_FILE, JSON.stringify({ cpuPercent: 10, memoryPercent: 10 }));
  const settings = loadSettings({ env: { ...process.env, ...env } });
  const signIn = await openSignInWindow({
    settings,
    headless: true,
    timeoutMs: 30_000,
    log: () => undefined,
    signIn: (page) => signInOnSimulatorForm(page, sim.options().credentials),
  });
  if (!signIn.signedIn) throw new Error('the test profile could not be signed in to the simulator');
  // Only a profile the test suite made lets COUPA_TEST_FAULTS act.
  markTestProfile(userDataDir);

  const start = (run: { env?: Record<string, string>; args?: string[] } = {}) =>
    startJob({ env: { ...env, ...run.env }, args: run.args ?? [`--workers=${run.env?.WORKERS ?? env.WORKERS}`] });
  const runRoots = (dir = downloadDir) =>
    fs.existsSync(dir)
      ? fs.readdirSync(dir).filter((d) => /_CoupaDownloads(-\d+)?$/.test(d)).sort().map((d) => path.join(dir, d))
      : [];
  return {
    sim,
    root,
    userDataDir,
    downloadDir,
    inputFile,
    env,
    start,
    run: async (run) => {
      const { code, output } = await start(run).done;
      return { code, output };
    },
    tempRoot,
    runRoots,
    cloneDirsLeft: (runnerPid) =>
      fs.existsSync(tempRoot) ? fs.readdirSync(tempRoot).filter((d) => d.startsWith(`run-${runnerPid}-`)).map((d) => path.join(tempRoot, d)) : [],
    journal: (runRoot = runRoots().at(-1)) => (runRoot ? ResultJournal.read(runPaths(runRoot).journalFile).results : new Map()),
    close: async () => {
      await sim.close();
      if (!process.env.KEEP_E2E_FILES) fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Processes whose command line mentions `marker` (a test's private folder): browsers, workers, runners we started. */
export function processesMentioning(marker: string): { pid: number; command: string }[] {
  const found: { pid: number; command: string }[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const command = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (command.includes(marker)) found.push({ pid: Number(entry), command });
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

/** Waits until no process mentions `marker`; processes end a moment after their parent. */
export async function waitForNoProcessesMentioning(marker: string, timeoutMs = 15_000): Promise<{ pid: number; command: string }[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = processesMentioning(marker);
    if (left.length === 0 || Date.now() > deadline) return left;
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Every file under `dir`, relative paths, skipping the run's own state and report folders. */
export function downloadedFiles(runRoot: string): string[] {
  const skip = new Set(['.run-state', 'playwright-report', 'allure-results']);
  const files: string[] = [];
  const walk = (dir: string, rel: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (rel === '' && skip.has(entry.name)) continue;
      const relPath = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(path.join(dir, entry.name), relPath);
      else files.push(relPath);
    }
  };
  walk(runRoot, '');
  return files.sort();
}

/** The main browser process (not a renderer or helper) started on `userDataDir`, found by its command line. */
export function browserProcessOn(userDataDir: string): number | undefined {
  return processesMentioning(`--user-data-dir=${userDataDir}`).find((p) => !p.command.includes('--type='))?.pid;
}

/** Records of every window instance of a finished run (window-summary.json). */
export function windowSummary(runRoot: string): WindowRecord[] {
  return (JSON.parse(fs.readFileSync(path.join(runRoot, 'window-summary.json'), 'utf8')) as { windows: WindowRecord[] }).windows;
}

export const sha256 = (bytes: Buffer) => crypto.createHash('sha256').update(bytes).digest('hex');

/**
 * The attachments in a PO's folder as SHA-256s (PDFs made from Outlook messages left out),
 * and what the simulator served for the PO: equal lists mean every file is byte-exact.
 */
export function attachmentHashes(result: PoResult, po: SimPo): { onDisk: string[]; expected: string[] } {
  const onDisk = fs
    .readdirSync(result.downloadFolder)
    .filter((f) => !result.convertedPdfs.includes(f))
    .map((f) => sha256(fs.readFileSync(path.join(result.downloadFolder, f))))
    .sort();
  return { onDisk, expected: expectedOutcome(po).downloaded.map((d) => sha256(attachmentContent(d.attachment))).sort() };
}
