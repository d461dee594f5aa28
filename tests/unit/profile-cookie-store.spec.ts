import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test, expect } from '@playwright/test';
import { chromiumTimeToUnixSeconds, classifyCookieValue, cookiesSurvivingRestart, CookieStoreError, readCookieStore, restoreCookieStore } from '../../support/profile/cookie-store.js';
import { resolveBaseProfile } from '../../support/profile/profile-locator.js';
import { ProfileInUseError } from '../../support/profile/profile-in-use.js';
import { takeSnapshot } from '../../support/profile/profile-snapshot.js';
import { buildFakeProfile, cookieDatabase, pointSingletonLock, spawnSleeper, tempDir } from './helpers-profile/fake-profile.js';

let root: string;
test.beforeEach(async () => {
  root = await tempDir('cookies');
});
test.afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

test('classifyCookieValue reads the version prefix of encrypted values', () => {
  expect(classifyCookieValue(Buffer.from('v10abc'))).toBe('v10');
  expect(classifyCookieValue(Buffer.from('v11abc'))).toBe('v11');
  expect(classifyCookieValue(Buffer.from('v20abc'))).toBe('v20');
  expect(classifyCookieValue(new Uint8Array())).toBe('plain');
  expect(classifyCookieValue(null)).toBe('plain');
  expect(classifyCookieValue(Buffer.from([1, 0, 0, 0, 0xd0]))).toBe('other');
});

test('readCookieStore counts rows, hosts and encryption kinds without returning values', async () => {
  const file = path.join(root, 'Cookies');
  await fs.writeFile(file, await cookieDatabase([
    { host: '.login.example.test', name: 'stay', kind: 'v10' },
    { host: '.login.example.test', name: 'device', kind: 'v10' },
    { host: 'coupa.example.test', name: 'ab', kind: 'v20' },
    { host: 'coupa.example.test', name: 'kr', kind: 'v11' },
    { host: 'plain.example.test', name: 'p', kind: 'plain' },
    { host: 'old.example.test', name: 'o', kind: 'dpapi' },
  ]));
  const before = await fs.readFile(file);
  const summary = await readCookieStore(file);
  expect(summary).toEqual({
    file,
    rows: 6,
    hosts: { '.login.example.test': 2, 'coupa.example.test': 2, 'plain.example.test': 1, 'old.example.test': 1 },
    encryption: { v10: 2, v11: 1, v20: 1, plain: 1, other: 1 },
    entries: [
      { host: '.login.example.test', name: 'stay', path: '/', encryption: 'v10', persistent: true, expiresAt: 1_755_526_400 },
      { host: '.login.example.test', name: 'device', path: '/', encryption: 'v10', persistent: true, expiresAt: 1_755_526_400 },
      { host: 'coupa.example.test', name: 'ab', path: '/', encryption: 'v20', persistent: true, expiresAt: 1_755_526_400 },
      { host: 'coupa.example.test', name: 'kr', path: '/', encryption: 'v11', persistent: true, expiresAt: 1_755_526_400 },
      { host: 'plain.example.test', name: 'p', path: '/', encryption: 'plain', persistent: true, expiresAt: 1_755_526_400 },
      { host: 'old.example.test', name: 'o', path: '/', encryption: 'other', persistent: true, expiresAt: 1_755_526_400 },
    ],
  });
  expect(JSON.stringify(summary)).not.toContain('plain-value');
  expect((await fs.readFile(file)).equals(before)).toBe(true);
});

test('only persistent, unexpired cookies survive a browser start', () => {
  const entry = (name: string, persistent: boolean, expiresAt: number | null) => ({ host: 'h', name, path: '/', encryption: 'v10' as const, persistent, expiresAt });
  const now = 1_800_000_000;
  const kept = cookiesSurvivingRestart([entry('session', false, null), entry('expired', true, now - 1), entry('stay', true, now + 3600), entry('forever', true, null)], now);
  expect(kept.map((c) => c.name)).toEqual(['stay', 'forever']);
  expect(chromiumTimeToUnixSeconds(13_400_000_000_000_000)).toBe(1_755_526_400);
});

test('an empty cookie store has zero rows', async () => {
  const file = path.join(root, 'Cookies');
  await fs.writeFile(file, await cookieDatabase([]));
  expect((await readCookieStore(file)).rows).toBe(0);
});

test('a missing or damaged cookie store is a CookieStoreError naming the file', async () => {
  const missing = path.join(root, 'none');
  await expect(readCookieStore(missing)).rejects.toMatchObject({ name: 'CookieStoreError', path: missing });
  const junk = path.join(root, 'junk');
  await fs.writeFile(junk, 'this is not sqlite at all, just text that is long enough to be read as a header');
  const error = await readCookieStore(junk).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(CookieStoreError);
  expect((error as CookieStoreError).message).toContain(junk);
});

test('restoreCookieStore puts the snapshot\'s cookie store back and drops the damaged database\'s journal', async () => {
  const fake = await buildFakeProfile(path.join(root, 'base'));
  const base = resolveBaseProfile({ userDataDir: fake.udd, profileName: 'Default' });
  const manifest = await takeSnapshot(base, path.join(root, 'run', 'snapshot'));
  const original = await fs.readFile(base.cookieStorePath);

  // What a launch with the wrong key store does: the cookies are deleted, a journal is left behind.
  await fs.writeFile(base.cookieStorePath, await cookieDatabase([]));
  await fs.rm(`${base.cookieStorePath}-journal`);
  await fs.writeFile(`${base.cookieStorePath}-wal`, 'stale wal');
  expect((await readCookieStore(base.cookieStorePath)).rows).toBe(0);

  const report = await restoreCookieStore(manifest.snapshotUdd, base);

  expect((await fs.readFile(base.cookieStorePath)).equals(original)).toBe(true);
  expect((await readCookieStore(base.cookieStorePath)).rows).toBe(3);
  expect(report.file).toBe(base.cookieStorePath);
  expect(report.copied.sort()).toEqual([base.cookieStorePath, `${base.cookieStorePath}-journal`]);
  expect(report.removed).toEqual([`${base.cookieStorePath}-wal`]);
  expect((await fs.readdir(path.dirname(base.cookieStorePath))).sort()).toEqual(['Cookies', 'Cookies-journal', 'Network Persistent State']);
});

test('restoreCookieStore refuses while a browser holds the base profile', async () => {
  const fake = await buildFakeProfile(path.join(root, 'base'));
  const base = resolveBaseProfile({ userDataDir: fake.udd, profileName: 'Default' });
  const manifest = await takeSnapshot(base, path.join(root, 'run', 'snapshot'));
  const sleeper = spawnSleeper();
  try {
    await pointSingletonLock(fake.udd, os.hostname(), sleeper.pid!);
    await expect(restoreCookieStore(manifest.snapshotUdd, base)).rejects.toBeInstanceOf(ProfileInUseError);
  } finally {
    sleeper.kill();
  }
});
