import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, expect, test } from '@playwright/test';
import { PROJECT_ROOT, startNodeScript } from '../../commands/job-process.js';
import { openSignInWindow } from '../../commands/login/sign-in-window.js';
import { persistentLaunchOptions, resolveBrowser } from '../../support/profile/browser-launch.js';
import { manifestChecksumsOf } from '../../support/profile/profile-manifest.js';
import { loadSettings } from '../../support/settings.js';
import { fixtureCatalogue, inputCsvText } from '../../tooling/simulator/index.js';
import { createJobHarness, waitForNoProcessesMentioning, type JobHarness } from './helpers/job-harness.js';

/**
 * `npm run check` against the simulator, as an operator runs it before a job: with a good
 * signed-in profile everything passes (exit 0); with a profile that never signed in, a
 * profile held by a running browser, or a tenant that does not answer, it says what is wrong
 * and what to do (exit 1). It processes no PO and never changes the base profile.
 */
let harness: JobHarness;

test.beforeAll(async () => {
  harness = await createJobHarness({ name: 'check', inputCsv: inputCsvText(fixtureCatalogue().pos.slice(0, 3)) });
});

test.afterAll(async () => {
  await harness?.close();
});

async function check(env: Record<string, string> = {}): Promise<{ code: number | null; output: string }> {
  const { done } = startNodeScript(['--import', 'tsx', path.join(PROJECT_ROOT, 'commands', 'check.ts')], { env: { ...harness.env, ...env } });
  const { code, output } = await done;
  return { code, output };
}

const line = (output: string, name: string) => output.split('\n').find((l) => new RegExp(`^ {2}\\[\\w+\\] *${name} `).test(l)) ?? '';

test('a good, signed-in profile: every check passes, no PO is opened, the base profile is unchanged and nothing is left behind', async () => {
  harness.sim.resetStats();
  const before = await manifestChecksumsOf(harness.userDataDir, 'Default');
  const { code, output } = await check();
  expect(code, output).toBe(0);
  for (const name of ['Settings', 'Input', 'Browser', 'Base profile', 'Tenant', 'Window']) expect(line(output, name), `${name}\n${output}`).toMatch(/^ {2}\[ok\]/);
  expect(line(output, 'Input')).toContain('3 PO(s), 0 invalid row(s)');
  expect(line(output, 'Window')).toMatch(/passed every proof: .*session ok.*introspection ok.*checksum ok|passed every proof: .*checksum ok.*session ok/);
  expect(output).toContain('Everything is ready: npx playwright test --workers=3');
  expect(harness.sim.stats().poPageRequests, 'no PO was opened').toEqual({});
  expect(await manifestChecksumsOf(harness.userDataDir, 'Default')).toEqual(before);
  expect(fs.existsSync(harness.downloadDir), 'no run folder').toBe(false);
  expect(fs.existsSync(harness.tempRoot) ? fs.readdirSync(harness.tempRoot).filter((d) => d.startsWith('run-')) : [], 'no snapshot or clone left').toEqual([]);
  expect(await waitForNoProcessesMentioning(harness.root)).toEqual([]);
});

test('a profile that never signed in: the window fails its session proof and the check says to sign in (exit 1)', async () => {
  const signedOut = path.join(harness.root, 'signed-out', 'User Data');
  const settings = loadSettings({ env: { ...process.env, ...harness.env, EDGE_PROFILE_DIR: signedOut } });
  // The operator opened the sign-in window and closed it without signing in.
  const opened = await openSignInWindow({ settings, headless: true, timeoutMs: 1_000, log: () => undefined });
  expect(opened.signedIn).toBe(false);
  const { code, output } = await check({ EDGE_PROFILE_DIR: signedOut });
  expect(code, output).toBe(1);
  expect(line(output, 'Base profile')).toMatch(/^ {2}\[ok\]/);
  expect(line(output, 'Window')).toMatch(/^ {2}\[FAIL\] Window +a window on a copy of the profile did not pass: .*session FAILED \(.*not signed in\)/);
  expect(output).toMatch(/→ .*npm run login/);
  expect(output).toContain('1 problem(s) to fix before running the job (exit code 1).');
});

test('a profile held by a running browser, and a tenant that does not answer: each named, no window started (exit 1)', async () => {
  const settings = loadSettings({ env: { ...process.env, ...harness.env } });
  const browser = resolveBrowser(settings);
  const held = await chromium.launchPersistentContext(
    harness.userDataDir,
    persistentLaunchOptions({ browser, userDataDir: harness.userDataDir, profileName: 'Default', headless: true }),
  );
  try {
    const closedPort = await new Promise<number>((resolve) => {
      const server = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as net.AddressInfo;
        server.close(() => resolve(port));
      });
    });
    const { code, output } = await check({ COUPA_BASE_URL: `http://127.0.0.1:${closedPort}` });
    expect(code, output).toBe(1);
    expect(line(output, 'Base profile')).toMatch(/^ {2}\[FAIL\] Base profile +.* is in use by /);
    expect(line(output, 'Tenant')).toMatch(new RegExp(`^ {2}\\[FAIL\\] Tenant +http://127\\.0\\.0\\.1:${closedPort}/ could not be reached: ECONNREFUSED`));
    expect(line(output, 'Window')).toMatch(/^ {2}\[skip\]/);
    expect(output).toContain('Close Edge completely');
    expect(output).toContain('2 problem(s) to fix before running the job (exit code 1).');
  } finally {
    await held.close();
  }
});

test('settings that cannot be read: the check says which (exit 1)', async () => {
  const { code, output } = await check({ WORKERS: 'many' });
  expect(code, output).toBe(1);
  expect(line(output, 'Settings')).toMatch(/^ {2}\[FAIL\] Settings +Configuration problem/);
  expect(output).toContain('WORKERS');
});

test('an install without development dependencies (npm ci --omit=dev) runs check against the tenant, and login, report and merge-shards start', async () => {
  test.setTimeout(120_000);
  // The project's files and a node_modules linked or copied from this one (nothing downloaded), pruned as --omit=dev
  // leaves it; outside the project, where neither Node nor npm finds this project's node_modules above it.
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'coupa-omit-dev-'));
  try {
    const skip = new Set(['node_modules', '.git', 'test-results', '.demo', 'downloads', 'bench-results']);
    for (const entry of fs.readdirSync(PROJECT_ROOT)) {
      if (!skip.has(entry)) fs.cpSync(path.join(PROJECT_ROOT, entry), path.join(copy, entry), { recursive: true });
    }
    const modules = [path.join(PROJECT_ROOT, 'node_modules'), path.join(copy, 'node_modules')];
    const linked = spawnSync('cp', ['-al', ...modules]).status === 0 || spawnSync('cp', ['-a', ...modules]).status === 0;
    expect(linked, 'node_modules copied').toBe(true);
    const pruned = spawnSync('npm', ['prune', '--omit=dev', '--offline', '--no-audit', '--no-fund'], { cwd: copy, encoding: 'utf8' });
    expect(pruned.status, pruned.stderr).toBe(0);
    expect(fs.existsSync(path.join(copy, 'node_modules', 'typescript')), 'the development dependencies are gone').toBe(false);

    // This test runs under npx, which put this project's node_modules/.bin on the PATH: the copy must not see it.
    const ownBin = path.join(PROJECT_ROOT, 'node_modules');
    const PATH = (process.env.PATH ?? '').split(path.delimiter).filter((dir) => !dir.startsWith(ownBin)).join(path.delimiter);
    // Not spawnSync: the simulator answers from this process's event loop.
    const run = (args: string[]) =>
      new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
        execFile('npm', ['run', '-s', ...args], { cwd: copy, env: { ...process.env, ...harness.env, PATH }, timeout: 90_000 }, (error, stdout, stderr) =>
          resolve({ status: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
        );
      });
    const checked = await run(['check']);
    expect(checked.status, checked.stdout + checked.stderr).toBe(0);
    expect(line(checked.stdout, 'Window')).toMatch(/^ {2}\[ok\]/);
    for (const command of ['login', 'report', 'merge-shards']) {
      const help = await run([command, '--', '--help']);
      expect(help.status, `${command}: ${help.stderr}`).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`^Usage: npm run ${command}`));
    }
  } finally {
    fs.rmSync(copy, { recursive: true, force: true });
  }
});
