import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, expect, test } from '@playwright/test';
import { openSignInWindow } from '../../commands/login/sign-in-window.js';
import { signInOnSimulatorForm } from '../../tooling/simulator/simulator-sign-in.js';
import { persistentLaunchOptions, resolveBrowser } from '../../support/profile/browser-launch.js';
import { readCookieStore } from '../../support/profile/cookie-store.js';
import { cookieStoreIn } from '../../support/profile/profile-locator.js';
import { PROJECT_ROOT } from '../../commands/job-process.js';
import { loadSettings } from '../../support/settings.js';
import { IDP_STAY_COOKIE } from '../../tooling/simulator/index.js';
import { createJobHarness, processesMentioning, waitForNoProcessesMentioning, type JobHarness } from './helpers/job-harness.js';
import { ensureDisplay, type VirtualDisplay } from './helpers/virtual-display.js';

/** `npm run login`: a visible window on the base profile where the operator signs in once. */
let harness: JobHarness;
let display: VirtualDisplay;
const displayBefore = process.env.DISPLAY;

test.beforeAll(async () => {
  display = await ensureDisplay();
  harness = await createJobHarness({ name: 'login', inputCsv: 'PO_NUMBER\nPO4100001\n' });
});

test.afterAll(async () => {
  await harness?.close();
  await display?.stop();
  // The worker process runs other test files next: they must not inherit a display that is gone.
  if (displayBefore === undefined) delete process.env.DISPLAY;
  else process.env.DISPLAY = displayBefore;
});

function runLoginCli(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'commands', 'login.ts')], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...harness.env, DISPLAY: display.display, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c));
  child.stderr.on('data', (c: Buffer) => (output += c));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, output })));
}

test('a fresh profile is signed in through a visible window, which then closes by itself', async () => {
  const userDataDir = path.join(harness.root, 'fresh-profile', 'User Data');
  const settings = loadSettings({ env: { ...process.env, ...harness.env, EDGE_PROFILE_DIR: userDataDir } });
  process.env.DISPLAY = display.display;
  const outcome = await openSignInWindow({
    settings,
    headless: false,
    timeoutMs: 30_000,
    log: () => undefined,
    signIn: (page) => signInOnSimulatorForm(page, harness.sim.options().credentials),
  });
  expect(outcome.signedIn).toBe(true);
  expect(new URL(outcome.landedOn).pathname).toContain('home');
  expect(await waitForNoProcessesMentioning(userDataDir)).toEqual([]);

  const store = await readCookieStore(path.join(userDataDir, 'Default', cookieStoreIn(path.join(userDataDir, 'Default'))!));
  const stay = store.entries.find((e) => e.name === IDP_STAY_COOKIE);
  expect(stay?.host).toBe('localhost');
  expect(stay?.persistent).toBe(true);
});

test('npm run login on a signed-in profile says so and exits cleanly', async () => {
  const { code, output } = await runLoginCli({});
  expect(code, output).toBe(0);
  expect(output).toContain('Already signed in');
  expect(await waitForNoProcessesMentioning(harness.userDataDir)).toEqual([]);
});

test('npm run login refuses a profile that another browser holds, naming that browser', async () => {
  const context = await chromium.launchPersistentContext(
    harness.userDataDir,
    persistentLaunchOptions({ browser: resolveBrowser(loadSettings({ env: { ...process.env, ...harness.env } })), userDataDir: harness.userDataDir, profileName: 'Default', headless: true }),
  );
  try {
    const { code, output } = await runLoginCli({});
    expect(code, output).toBe(2);
    expect(output).toContain('is in use by');
    expect(output).toContain(harness.userDataDir);
  } finally {
    await context.close();
  }
  expect(processesMentioning(harness.userDataDir)).toEqual([]);
  expect(fs.existsSync(path.join(harness.userDataDir, 'SingletonLock'))).toBe(false);
});
