import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, test, expect, type BrowserContext } from '@playwright/test';
import { findBrowser, persistentLaunchOptions } from '../../support/profile/browser-launch.js';
import { classifyLaunchError } from '../../support/profile/launch-failure.js';
import { readCookieStore } from '../../support/profile/cookie-store.js';
import { cloneSnapshot, verifyCloneAgainstManifest } from '../../support/profile/profile-cloner.js';
import { detectProfileInUse } from '../../support/profile/profile-in-use.js';
import { resolveBaseProfile } from '../../support/profile/profile-locator.js';
import { diffArtifacts, manifestChecksumsOf } from '../../support/profile/profile-manifest.js';
import { takeSnapshot } from '../../support/profile/profile-snapshot.js';

/**
 * The whole profile layer against a real Chromium: a profile signed in to a local "identity
 * provider" (a persistent cookie), snapshotted, cloned, and opened again, proving the clone
 * window runs on the clone and carries the cookie; and a second launch on an open profile.
 */

let root: string;
let server: http.Server;
let origin: string;
const open: BrowserContext[] = [];

test.beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'profile-e2e-'));
  server = http.createServer((req, res) => {
    if (req.url === '/sign-in') res.setHeader('Set-Cookie', 'idp_stay_signed_in=yes; Max-Age=86400; Path=/; HttpOnly');
    res.setHeader('Content-Type', 'text/html');
    res.end(`<title>idp</title><p>${req.headers.cookie ?? 'no cookie'}</p>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

test.afterAll(async () => {
  for (const ctx of open) await ctx.close().catch(() => undefined);
  await new Promise((resolve) => server.close(resolve));
  await fs.rm(root, { recursive: true, force: true });
});

const browser = findBrowser({ browserChannel: 'chromium', browserExecutable: '/usr/bin/chromium' });

async function launch(userDataDir: string): Promise<BrowserContext> {
  const ctx = await chromium.launchPersistentContext(userDataDir, persistentLaunchOptions({ browser, userDataDir, profileName: 'Default', headless: true }));
  open.push(ctx);
  return ctx;
}

async function close(ctx: BrowserContext): Promise<void> {
  await ctx.close();
  open.splice(open.indexOf(ctx), 1);
}

async function profilePath(ctx: BrowserContext): Promise<string> {
  const page = await ctx.newPage();
  await page.goto('chrome://version');
  const shown = (await page.locator('#profile_path').textContent())?.trim() ?? '';
  await page.close();
  return shown;
}

test('a signed-in profile is snapshotted and cloned, the clone window runs on the clone with the cookie, and an open profile is detected', async () => {
  const baseUdd = path.join(root, 'base', 'User Data');
  const cookieOf = (cookies: { name: string; domain: string }[]) => cookies.find((c) => c.name === 'idp_stay_signed_in' && c.domain === '127.0.0.1');

  await test.step('sign in on the base profile with our launch options', async () => {
    const ctx = await launch(baseUdd);
    const page = ctx.pages()[0] ?? (await ctx.newPage());
    await page.goto(`${origin}/sign-in`);
    expect(cookieOf(await ctx.cookies())).toBeTruthy();
    expect(await profilePath(ctx)).toBe(path.join(baseUdd, 'Default'));
    await close(ctx);
  });

  const base = resolveBaseProfile({ userDataDir: baseUdd, profileName: 'Default' });
  const baseCookies = await readCookieStore(base.cookieStorePath);
  await test.step('the cookie is on disk, encrypted with the OS key store (not the mock one)', async () => {
    expect(baseCookies.hosts['127.0.0.1']).toBe(1);
    const entry = baseCookies.entries.find((e) => e.name === 'idp_stay_signed_in');
    expect(['v10', 'v11']).toContain(entry?.encryption);
  });

  await test.step('relaunching the base profile still reads the cookie (nothing undecryptable was deleted)', async () => {
    const ctx = await launch(baseUdd);
    expect(cookieOf(await ctx.cookies())).toBeTruthy();
    await close(ctx);
    expect((await readCookieStore(base.cookieStorePath)).rows).toBe(baseCookies.rows);
  });

  const baseChecksums = await manifestChecksumsOf(baseUdd, 'Default');
  const manifest = await takeSnapshot(base, path.join(root, 'run', 'snapshot'));
  const cloneUdd = path.join(root, 'run', 'B', 'User Data');
  const clone = await cloneSnapshot(manifest.snapshotUdd, cloneUdd);

  await test.step('the clone matches the manifest byte for byte', async () => {
    expect(clone.files).toBe(manifest.copiedFiles);
    expect(manifest.excludedBytes).toBeGreaterThan(0);
    expect(await verifyCloneAgainstManifest(cloneUdd, 'Default', manifest)).toEqual({ ok: true, mismatches: [] });
    await expect(fs.stat(path.join(cloneUdd, 'Default', 'Cache'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  await test.step('the clone window runs on the clone profile and is signed in', async () => {
    const ctx = await launch(cloneUdd);
    expect(cookieOf(await ctx.cookies())).toBeTruthy();
    expect(await profilePath(ctx)).toBe(path.join(cloneUdd, 'Default'));
    const page = await ctx.newPage();
    await page.goto(`${origin}/`);
    await expect(page.locator('p')).toHaveText('idp_stay_signed_in=yes');
    await close(ctx);
    const cloneCookies = await readCookieStore(path.join(cloneUdd, 'Default', path.relative(base.profileDir, base.cookieStorePath)));
    expect(cloneCookies.hosts['127.0.0.1']).toBe(1);
  });

  await test.step('the base profile was not written by the snapshot, clone or clone window', async () => {
    expect(diffArtifacts(baseChecksums, await manifestChecksumsOf(baseUdd, 'Default'))).toEqual([]);
  });

  await test.step('a second launch on the open base profile is detected and classified as profile in use', async () => {
    expect(detectProfileInUse(baseUdd)).toBeNull();
    const first = await launch(baseUdd);
    const holder = detectProfileInUse(baseUdd);
    expect(holder?.pid).toBeGreaterThan(0);
    expect(holder?.host).toBe(os.hostname());
    // The holder is the browser Playwright started on this user data dir.
    const cmdline = (await fs.readFile(`/proc/${holder!.pid}/cmdline`, 'utf8')).split('\0');
    expect(cmdline).toContain(`--user-data-dir=${baseUdd}`);
    expect(holder?.process).toContain('chromium');

    const error = await chromium
      .launchPersistentContext(baseUdd, { ...persistentLaunchOptions({ browser, userDataDir: baseUdd, profileName: 'Default', headless: true }), timeout: 30_000 })
      .then(async (ctx) => {
        await ctx.close();
        return undefined;
      }, (e: unknown) => e);
    expect(error).toBeTruthy();
    const failure = classifyLaunchError(error, { userDataDir: baseUdd, window: 'A' });
    expect(failure.kind).toBe('profile-in-use');
    expect(failure.advice).toContain('Startup Boost');

    await close(first);
    expect(detectProfileInUse(baseUdd)).toBeNull();
  });
});
