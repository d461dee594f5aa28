import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, expect, test } from '@playwright/test';
import { persistentLaunchOptions, resolveBrowser } from '../../support/profile/browser-launch.js';
import { readCookieStore } from '../../support/profile/cookie-store.js';
import { manifestChecksumsOf } from '../../support/profile/profile-manifest.js';
import { loadSettings } from '../../support/settings.js';
import { runPaths } from '../../support/run-state/run-paths.js';
import { WindowRecordStore } from '../../support/run-state/window-records.js';
import { COUPA_SESSION_COOKIE, generateBatch, inputCsvText, ONLY_COMPLETED } from '../../tooling/simulator/index.js';
import type { WindowRecord } from '../../support/window/window-record.js';
import { peakOverlap } from '../helpers/spans.js';
import {
  attachmentHashes,
  browserProcessOn,
  createJobHarness,
  processesMentioning,
  waitForNoProcessesMentioning,
  windowSummary,
  type JobHarness,
} from './helpers/job-harness.js';
import { ensureDisplay } from './helpers/virtual-display.js';

/**
 * Scenario 6 of the seed: real multi-window runs with the same fixtures as the job.
 * Window A on the base profile, B..N on verified clones, per-window remediation, nothing
 * left behind. Every test runs the job as an operator does and reads what it reports.
 */
const catalogue = generateBatch({ count: 12, seed: 3, attachmentsPerPo: { min: 1, max: 2 }, minBytes: 12_000, maxBytes: 40_000, statusShares: ONLY_COMPLETED });

let harness: JobHarness;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  harness = await createJobHarness({ name: 'windows', inputCsv: inputCsvText(catalogue.pos), sim: { catalogue } });
  // Some realistic weight in the profile (local storage is state, so it is copied), so that
  // copying takes long enough for the clone throttle to show.
  const storage = path.join(harness.userDataDir, 'Default', 'Local Storage', 'leveldb');
  fs.mkdirSync(storage, { recursive: true });
  for (let i = 0; i < 6; i++) fs.writeFileSync(path.join(storage, `padding-${i}.ldb`), crypto.randomBytes(8 * 1024 * 1024));
});

test.afterAll(async () => {
  await harness?.close();
});

let runNumber = 0;
/** Runs the job in a download folder of its own and returns its run folder and the window records. */
async function runJob(
  env: Record<string, string>,
  options: { expectCode?: number; otherBrowserOn?: string; args?: string[]; onOutput?: (text: string) => void } = {},
) {
  harness.sim.resetStats();
  const downloadDir = path.join(harness.root, `downloads-${++runNumber}`);
  const job = harness.start({ env: { DOWNLOAD_DIR: downloadDir, ...env }, ...(options.args ? { args: options.args } : {}) });
  if (options.onOutput) job.child.stdout?.on('data', (chunk: Buffer) => options.onOutput!(chunk.toString('utf8')));
  const ended = await job.done;
  expect(ended.code, ended.output).toBe(options.expectCode ?? 0);
  const runRoot = harness.runRoots(downloadDir)[0];
  if (options.expectCode) expect(runRoot, 'a run that did not start leaves no run folder').toBeUndefined();
  const left = options.otherBrowserOn
    ? processesMentioning(harness.root).filter((p) => !p.command.includes(options.otherBrowserOn!))
    : await waitForNoProcessesMentioning(harness.root);
  expect(left, 'no browser or worker of ours may be left').toEqual([]);
  expect(harness.cloneDirsLeft(job.child.pid!), 'no profile clone may be left').toEqual([]);
  return { runRoot, output: ended.output, pid: job.child.pid!, windows: runRoot ? windowSummary(runRoot) : [], journal: runRoot ? harness.journal(runRoot) : new Map() };
}

function expectAllFilesCorrect(journal: Map<string, import('../../support/po-result.js').PoResult>) {
  for (const po of catalogue.pos) {
    const result = journal.get(po.id);
    expect(result?.status, po.id).toBe('COMPLETED');
    const { onDisk, expected } = attachmentHashes(result!, po);
    expect(onDisk, po.id).toEqual(expected);
  }
}

const methodsOk = (w: WindowRecord) => Object.fromEntries(w.verification.map((v) => [v.method, v.ok]));

/** The copies of the base profile's cookie store kept after the runs so far. */
const cookieBackups = () => {
  const root = harness.env.COOKIE_BACKUP_DIR;
  return fs.readdirSync(root).flatMap((dir) => fs.readdirSync(path.join(root, dir)).filter((f) => f.startsWith('Cookies-')).map((f) => path.join(root, dir, f)));
};
let firstBackup: string;

test('N=3 (--workers=3): A on the base profile, B and C on clones, each verified three ways and signed in through the SSO bounce', async () => {
  // --workers on the command line wins over WORKERS, and the clone throttle follows it.
  const { windows, journal } = await runJob({ WORKERS: '1' }, { args: ['--workers=3'] });
  expect(windows.map((w) => `${w.window}:${w.kind}`)).toEqual(['A:base', 'B:clone', 'C:clone']);
  const [a, b, c] = windows;
  expect(a.profileDir).toBe(path.join(harness.userDataDir, 'Default'));
  expect(b.profileDir).not.toBe(c.profileDir);
  for (const clone of [b, c]) expect(clone.profileDir.startsWith(harness.tempRoot)).toBe(true);
  for (const w of windows) {
    expect(methodsOk(w), w.window).toEqual({ checksum: true, introspection: true, session: true });
    expect(w.remediation, w.window).toEqual([]);
    expect(w.profileCookies?.hosts, `the base profile's identity-provider cookie must be in window ${w.window}`).toContain('localhost');
    expect(w.posDone, w.window).toBeGreaterThan(0);
  }
  expect(a.cookieGuard).toMatchObject({ dropped: false });
  for (const clone of [b, c]) expect(clone.clone?.slotLimit, `MAX_CONCURRENT_CLONES unset: one slot per window of the run (${clone.window})`).toBe(3);
  expectAllFilesCorrect(journal);

  // The base profile's cookie store as it was before the run is kept after it, for the operator alone.
  expect(cookieBackups()).toEqual([a.cookieBackup]);
  firstBackup = a.cookieBackup!;
  expect(fs.statSync(firstBackup).mode & 0o777).toBe(0o600);
  expect(fs.statSync(path.dirname(firstBackup)).mode & 0o777).toBe(0o700);
  expect((await readCookieStore(firstBackup)).entries.some((e) => e.host === 'localhost' && e.persistent)).toBe(true);

  // The Coupa session cookie is never kept across a browser start: every window got its own through the SSO bounce.
  const stats = harness.sim.stats();
  expect(stats.signIns, 'nobody typed a password').toBe(0);
  expect(stats.sessionsIssued).toBeGreaterThanOrEqual(3);
  const store = await readCookieStore(path.join(harness.userDataDir, 'Default', 'Cookies'));
  expect(store.entries.filter((e) => e.name === COUPA_SESSION_COOKIE && e.persistent)).toEqual([]);
});

// One slot: the plain copy runs the files of a folder in parallel and is quick, so with more
// slots the five clones rarely meet; with one, windows that start together queue visibly.
test('N=6 with MAX_CONCURRENT_CLONES=1: never more than one clone copy at once, all six windows verified', async () => {
  const { windows, output } = await runJob({ WORKERS: '6', MAX_CONCURRENT_CLONES: '1' });
  expect(new Set(windows.map((w) => w.window))).toEqual(new Set(['A', 'B', 'C', 'D', 'E', 'F']));
  // A second good run: its own copy of the cookie store is kept, the earlier run's is gone.
  const a = windows.find((w) => w.window === 'A')!;
  expect(a.cookieBackup).not.toBe(firstBackup);
  expect(cookieBackups()).toEqual([a.cookieBackup]);
  for (const w of windows) expect(methodsOk(w), w.window).toEqual({ checksum: true, introspection: true, session: true });
  const spans = windows.flatMap((w) => w.cloneSpans);
  expect(spans.length).toBe(5);
  expect(peakOverlap(spans)).toBe(1);
  expect(windows.some((w) => w.timings.slotWaitMs > 0), 'some clones had to wait for a slot').toBe(true);
  expect(output).toContain('waiting for a clone slot');
});

test('a damaged clone, a clone copy that fails part-way and a browser that fails to start are each remediated in their own window', async () => {
  const faults = { corruptClone: { B: 'once' }, interruptCloneCopy: { C: 'once' }, failLaunch: { A: 'once' } };
  const { windows, journal, output } = await runJob({ WORKERS: '3', COUPA_TEST_FAULTS: JSON.stringify(faults) });
  expect(windows, 'no window was retired and restarted: each one repaired itself').toHaveLength(3);
  const [a, b, c] = windows;

  expect(output).toContain('[window B] clone failed VM-003');
  expect(b.remediation.map((r) => `${r.step}:${r.ok}`)).toEqual(['re-clone-before-launch:true']);
  expect(b.remediation[0].reason).toMatch(/Cookies.*missing/);

  expect(c.remediation.map((r) => `${r.step}:${r.ok}`)).toEqual(['re-clone-before-launch:true']);
  expect(c.remediation[0].reason).toContain('interrupted part-way');

  expect(a.remediation.map((r) => `${r.step}:${r.ok}`)).toEqual(['restart-browser:true']);
  expect(a.remediation[0].reason).toContain('the browser did not start');
  expect(a.kind).toBe('base');

  for (const w of windows) {
    expect(methodsOk(w), w.window).toEqual({ checksum: true, introspection: true, session: true });
    expect(w.state, w.window).toBe('closed');
  }
  expectAllFilesCorrect(journal);
});

test('a window that starts signed out is remediated step by step until a fresh clone signs it in; the others never stop', async () => {
  const { windows, journal } = await runJob({ WORKERS: '3', COUPA_TEST_FAULTS: JSON.stringify({ signOutAfterLaunch: { C: 'once' } }) });
  const c = windows.find((w) => w.window === 'C')!;
  expect(c.remediation.map((r) => `${r.step}:${r.ok}`)).toEqual(['retry-verification:false', 'reload:false', 're-clone:true']);
  expect(c.remediation[0].reason).toContain('identity provider');
  expect(methodsOk(c)).toEqual({ checksum: true, introspection: true, session: true });
  expect(windows.filter((w) => w.window !== 'C').every((w) => w.remediation.length === 0 && w.attempts === 1)).toBe(true);
  expect(windows).toHaveLength(3);
  expectAllFilesCorrect(journal);
});

/** The window records of a run still going on, as the windows keep them. */
const liveRecords = (downloadDir: string): WindowRecord[] => {
  const root = harness.runRoots(downloadDir)[0];
  return root ? new WindowRecordStore(runPaths(root).windowsDir).all() : [];
};
/** A clone lives in a folder of its own (`…/clones/<window>-w<worker>-<time>/User Data`). */
const cloneFolderOf = (record: WindowRecord) => path.dirname(record.userDataDir);

test('a window whose remediation time budget is spent stops taking POs, its clone goes at once; the others do its POs, none lost or twice', async () => {
  harness.sim.setOptions({ pageLatencyMs: 400 });
  try {
    harness.sim.resetStats();
    const downloadDir = path.join(harness.root, `downloads-${++runNumber}`);
    const job = harness.start({
      env: {
        DOWNLOAD_DIR: downloadDir,
        WORKERS: '3',
        // Steps are plenty; time is not: the budget must stop the ladder.
        REMEDIATION_MAX_ATTEMPTS: '20',
        REMEDIATION_BUDGET_MS: '1000',
        COUPA_TEST_FAULTS: JSON.stringify({ signOutAfterLaunch: { C: 'always' } }),
      },
    });
    let ended: WindowRecord | undefined;
    await expect.poll(() => (ended = liveRecords(downloadDir).find((w) => w.window === 'C' && w.endedAt)), { timeout: 90_000 }).toBeTruthy();
    expect(job.child.exitCode, 'the run still goes on').toBeNull();
    expect(fs.existsSync(cloneFolderOf(ended!)), 'window C\'s clone is removed as soon as window C ends').toBe(false);

    const { code, output } = await job.done;
    expect(code, output).toBe(0);
    expect(output).toContain('[window C] stops taking POs');
    const runRoot = harness.runRoots(downloadDir)[0];
    const c = windowSummary(runRoot).filter((w) => w.window === 'C');
    expect(c).toHaveLength(1);
    expect(c[0].state).toBe('failed');
    expect(c[0].error).toContain('the time budget of 1.0 s (REMEDIATION_BUDGET_MS) is spent');
    expect(c[0].diagnosis).toContain('sign');
    expect(c[0].remediation.length).toBeLessThan(20);
    for (const step of c[0].remediation) expect(Date.parse(step.at) - Date.parse(c[0].startedAt), 'no step starts after the budget').toBeLessThanOrEqual(1_500);
    const journal = harness.journal(runRoot);
    expect([...journal.values()].some((r) => r.window === 'C')).toBe(false);
    expectAllFilesCorrect(journal);
    const pageOpens = harness.sim.stats().poPageRequests;
    for (const po of catalogue.pos) expect(pageOpens[po.id], `${po.id} opened exactly once`).toBe(1);
  } finally {
    harness.sim.setOptions({ pageLatencyMs: 0 });
  }
});

test('one window\'s browser killed by PID mid-run: only that window restarts, the batch completes with every file correct', async () => {
  harness.sim.setOptions({ pageLatencyMs: 400 });
  try {
    harness.sim.resetStats();
    const downloadDir = path.join(harness.root, `downloads-${++runNumber}`);
    const job = harness.start({ env: { DOWNLOAD_DIR: downloadDir, WORKERS: '3' } });
    let printed = '';
    job.child.stdout?.on('data', (chunk: Buffer) => (printed += chunk.toString('utf8')));
    let cloneOfB: string | undefined;
    await expect
      .poll(() => {
        const root = harness.runRoots(downloadDir)[0];
        const b = root ? new WindowRecordStore(runPaths(root).windowsDir).all().find((w) => w.window === 'B') : undefined;
        cloneOfB = b?.state === 'verified' ? b.userDataDir : undefined;
        return !!cloneOfB && harness.journal(root).size >= 2;
      }, { timeout: 90_000 })
      .toBe(true);
    const browserPid = browserProcessOn(cloneOfB!);
    expect(browserPid).toBeDefined();
    process.kill(browserPid!, 'SIGKILL');
    // The killed window's clone goes when that window ends, not with the run's folder at the end.
    const restarted = () => liveRecords(downloadDir).some((w) => w.window === 'B' && w.state === 'verified' && w.userDataDir !== cloneOfB);
    await expect.poll(restarted, { timeout: 90_000 }).toBe(true).catch((error: Error) => {
      throw new Error(`${error.message}\nwindow B was not restarted on a fresh clone; the run printed:\n${printed.split('\n').filter((l) => !l.startsWith('progress')).join('\n')}`);
    });
    await expect.poll(() => fs.existsSync(path.dirname(cloneOfB!)), { timeout: 15_000 }).toBe(false);
    expect(job.child.exitCode, 'the run still goes on').toBeNull();
    const ended = await job.done;
    expect(ended.code, ended.output).toBe(0);
    const runRoot = harness.runRoots(downloadDir)[0];
    const windows = windowSummary(runRoot);
    expect(windows.filter((w) => w.window === 'B').length, 'window B restarted with a fresh clone').toBe(2);
    expect(windows.filter((w) => w.window === 'A').length, 'window A never restarted').toBe(1);
    expect(windows.filter((w) => w.window === 'C').length, 'window C never restarted').toBe(1);
    const [firstB, secondB] = windows.filter((w) => w.window === 'B');
    expect(secondB.userDataDir).not.toBe(firstB.userDataDir);
    expectAllFilesCorrect(harness.journal(runRoot));
    expect(await waitForNoProcessesMentioning(harness.root)).toEqual([]);
    expect(harness.cloneDirsLeft(job.child.pid!)).toEqual([]);
  } finally {
    harness.sim.setOptions({ pageLatencyMs: 0 });
  }
});

test('a base profile held by another browser: the run waits, then stops with a message naming the process; no window starts', async () => {
  const settings = loadSettings({ env: { ...process.env, ...harness.env } });
  const holder = await chromium.launchPersistentContext(
    harness.userDataDir,
    persistentLaunchOptions({ browser: resolveBrowser(settings), userDataDir: harness.userDataDir, profileName: 'Default', headless: true }),
  );
  const holderPid = browserProcessOn(harness.userDataDir);
  try {
    const { output } = await runJob({ PROFILE_IN_USE_WAIT_MS: '3000' }, { expectCode: 2, otherBrowserOn: harness.userDataDir });
    expect(output).toContain('waiting for it to close');
    expect(output).toContain(`pid ${holderPid}`);
    expect(output).toContain('Close Edge completely');
    expect(output).toContain('no browser window was opened');
    expect(harness.sim.stats().poPageRequests).toEqual({});

    // The same, but the other browser closes while the run waits (once the run says it waits): the run then goes ahead.
    const closeWhenWaiting = (text: string) => {
      if (text.includes('waiting for it to close')) void holder.close();
    };
    const { journal, output: waited } = await runJob({ PROFILE_IN_USE_WAIT_MS: '30000', WORKERS: '2' }, { onOutput: closeWhenWaiting });
    expect(waited).toContain('waiting for it to close');
    expectAllFilesCorrect(journal);
  } finally {
    await holder.close();
  }
  expect(processesMentioning(harness.userDataDir)).toEqual([]);
});

test('the base profile is never opened by a browser nobody chose: without BROWSER_EXECUTABLE the fallback is refused before any browser starts', async () => {
  const { output } = await runJob({ BROWSER_EXECUTABLE: '' }, { expectCode: 2 });
  expect(output).toContain('BrowserFallbackRefusedError: Microsoft Edge (BROWSER_CHANNEL=msedge) is not installed; the only browser found is /usr/bin/chromium');
  expect(output).toContain('set BROWSER_EXECUTABLE=/usr/bin/chromium');
  expect(output).toContain('no browser window was opened');
  expect(harness.sim.stats().sessionsIssued, 'no browser reached the tenant').toBe(0);
});

test('PROFILE_POLICY=all-clones: every window on a clone (the fallback browser is allowed), and the base profile is byte-for-byte unchanged', async () => {
  const before = await manifestChecksumsOf(harness.userDataDir, 'Default');
  const { windows, journal } = await runJob({ WORKERS: '3', PROFILE_POLICY: 'all-clones', BROWSER_EXECUTABLE: '' });
  expect(windows.map((w) => `${w.window}:${w.kind}`)).toEqual(['A:clone', 'B:clone', 'C:clone']);
  expect(windows[0].browser).toContain('using the system Chromium at /usr/bin/chromium instead');
  expect(await manifestChecksumsOf(harness.userDataDir, 'Default')).toEqual(before);
  expectAllFilesCorrect(journal);
});

test('headed windows (under a virtual display) get the same verification as headless ones', async () => {
  const display = await ensureDisplay();
  try {
    const { windows, journal } = await runJob({ WORKERS: '3', HEADLESS: 'false', DISPLAY: display.display });
    for (const w of windows) expect(methodsOk(w), w.window).toEqual({ checksum: true, introspection: true, session: true });
    expectAllFilesCorrect(journal);
  } finally {
    await display.stop();
  }
});
