import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, expect, test } from '@playwright/test';
import { persistentLaunchOptions, resolveBrowser } from '../../support/profile/browser-launch.js';
import { readCookieStore } from '../../support/profile/cookie-store.js';
import { manifestChecksumsOf } from '../../support/profile/profile-snapshot.js';
import { privateTempRoot } from '../../support/run-state/run-paths.js';
import { loadSettings } from '../../support/settings.js';
import { COUPA_SESSION_COOKIE, generateBatch, inputCsvText, ONLY_COMPLETED } from '../../tooling/simulator/index.js';
import type { WindowRecord } from '../../support/window/browser-window.js';
import {
  attachmentHashes,
  browserProcessOn,
  cloneDirsLeft,
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
async function runJob(env: Record<string, string>, options: { expectCode?: number; otherBrowserOn?: string } = {}) {
  harness.sim.resetStats();
  const downloadDir = path.join(harness.root, `downloads-${++runNumber}`);
  const job = harness.start({ env: { DOWNLOAD_DIR: downloadDir, ...env } });
  const ended = await job.done;
  expect(ended.code, ended.output).toBe(options.expectCode ?? 0);
  const runRoot = harness.runRoots(downloadDir)[0];
  if (options.expectCode) expect(runRoot, 'a run that did not start leaves no run folder').toBeUndefined();
  const left = options.otherBrowserOn
    ? processesMentioning(harness.root).filter((p) => !p.command.includes(options.otherBrowserOn!))
    : await waitForNoProcessesMentioning(harness.root);
  expect(left, 'no browser or worker of ours may be left').toEqual([]);
  expect(cloneDirsLeft(job.child.pid!), 'no profile clone may be left').toEqual([]);
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

test('N=3: A on the base profile, B and C on clones, each verified three ways and signed in through the SSO bounce', async () => {
  const { windows, journal } = await runJob({ WORKERS: '3' });
  expect(windows.map((w) => `${w.window}:${w.kind}`)).toEqual(['A:base', 'B:clone', 'C:clone']);
  const [a, b, c] = windows;
  expect(a.profileDir).toBe(path.join(harness.userDataDir, 'Default'));
  expect(b.profileDir).not.toBe(c.profileDir);
  for (const clone of [b, c]) expect(clone.profileDir.startsWith(privateTempRoot())).toBe(true);
  for (const w of windows) {
    expect(methodsOk(w), w.window).toEqual({ checksum: true, introspection: true, session: true });
    expect(w.remediation, w.window).toEqual([]);
    expect(w.profileCookies?.hosts, `the base profile's identity-provider cookie must be in window ${w.window}`).toContain('localhost');
    expect(w.posDone, w.window).toBeGreaterThan(0);
  }
  expect(a.cookieGuard).toMatchObject({ dropped: false });
  expectAllFilesCorrect(journal);

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
  for (const w of windows) expect(methodsOk(w), w.window).toEqual({ checksum: true, introspection: true, session: true });
  const events = windows.flatMap((w) => w.cloneSpans.flatMap((s) => [{ t: s.start, d: 1 }, { t: s.end, d: -1 }]));
  events.sort((x, y) => x.t - y.t || x.d - y.d);
  let now = 0;
  let peak = 0;
  for (const e of events) peak = Math.max(peak, (now += e.d));
  expect(events.length / 2).toBe(5);
  expect(peak).toBe(1);
  expect(windows.some((w) => w.timings.slotWaitMs > 0), 'some clones had to wait for a slot').toBe(true);
  expect(output).toContain('waiting for a clone slot');
});

test('a clone whose cookie store is deleted after cloning is caught by VM-003 and re-made, for that window only', async () => {
  const { windows, journal, output } = await runJob({ WORKERS: '3', COUPA_TEST_FAULTS: JSON.stringify({ corruptClone: { B: 'once' } }) });
  expect(output).toContain('[window B] clone failed VM-003');
  const b = windows.find((w) => w.window === 'B')!;
  expect(b.remediation.map((r) => r.step)).toEqual(['re-clone-before-launch']);
  expect(b.remediation[0].reason).toMatch(/Cookies.*missing/);
  expect(methodsOk(b)).toEqual({ checksum: true, introspection: true, session: true });
  for (const other of windows.filter((w) => w.window !== 'B')) expect(other.remediation, other.window).toEqual([]);
  expect(windows).toHaveLength(3);
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

test('a window that exhausts its remediation budget stops taking POs; the working windows do its POs, none lost or done twice', async () => {
  const { windows, journal, output } = await runJob({
    WORKERS: '3',
    REMEDIATION_MAX_ATTEMPTS: '2',
    COUPA_TEST_FAULTS: JSON.stringify({ signOutAfterLaunch: { C: 'always' } }),
  });
  expect(output).toContain('[window C] stops taking POs');
  const c = windows.filter((w) => w.window === 'C');
  expect(c[0].state).toBe('failed');
  expect(c[0].diagnosis).toContain('sign');
  expect([...journal.values()].some((r) => r.window === 'C')).toBe(false);
  expectAllFilesCorrect(journal);
  const pageOpens = harness.sim.stats().poPageRequests;
  for (const po of catalogue.pos) expect(pageOpens[po.id], `${po.id} opened exactly once`).toBe(1);
});

test('one window\'s browser killed by PID mid-run: only that window restarts, the batch completes with every file correct', async () => {
  harness.sim.setOptions({ pageLatencyMs: 400 });
  try {
    harness.sim.resetStats();
    const downloadDir = path.join(harness.root, `downloads-${++runNumber}`);
    const job = harness.start({ env: { DOWNLOAD_DIR: downloadDir, WORKERS: '3' } });
    let cloneOfB: string | undefined;
    await expect
      .poll(() => {
        const root = harness.runRoots(downloadDir)[0];
        const records = root ? fs.readdirSync(path.join(root, '.run-state', 'windows')).filter((f) => f.startsWith('B-')) : [];
        const b = records.length ? (JSON.parse(fs.readFileSync(path.join(root, '.run-state', 'windows', records[0]), 'utf8')) as WindowRecord) : undefined;
        cloneOfB = b?.state === 'verified' ? b.userDataDir : undefined;
        return !!cloneOfB && harness.journal(root).size >= 2;
      }, { timeout: 90_000 })
      .toBe(true);
    const browserPid = browserProcessOn(cloneOfB!);
    expect(browserPid).toBeDefined();
    process.kill(browserPid!, 'SIGKILL');
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
    expect(cloneDirsLeft(job.child.pid!)).toEqual([]);
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

    // The same, but the other browser closes while the run waits: the run then goes ahead.
    setTimeout(() => void holder.close(), 2_500);
    const { journal, output: waited } = await runJob({ PROFILE_IN_USE_WAIT_MS: '30000', WORKERS: '2' });
    expect(waited).toContain('waiting for it to close');
    expectAllFilesCorrect(journal);
  } finally {
    await holder.close();
  }
  expect(processesMentioning(harness.userDataDir)).toEqual([]);
});

test('PROFILE_POLICY=all-clones: every window on a clone, and the base profile is byte-for-byte unchanged', async () => {
  const before = await manifestChecksumsOf(harness.userDataDir, 'Default');
  const { windows, journal } = await runJob({ WORKERS: '3', PROFILE_POLICY: 'all-clones' });
  expect(windows.map((w) => `${w.window}:${w.kind}`)).toEqual(['A:clone', 'B:clone', 'C:clone']);
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
