import fs from 'node:fs/promises';
import fsSync from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { test, expect } from '@playwright/test';
import initSqlJs from 'sql.js';
import { chromiumTimeToUnixSeconds, classifyCookieValue, cookiesSurvivingRestart, CookieStoreError, readCookieStore, restoreCookieRows } from '../../support/profile/cookie-store.js';
import { resolveBaseProfile } from '../../support/profile/profile-locator.js';
import { ProfileInUseError } from '../../support/profile/profile-in-use.js';
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

/** Chromium time of 2030-01-01: cookies that a browser starting now keeps. */
const IN_2030 = 13_537_929_600_000_000;
const plain = (host: string, name: string, value: string, expiresUtc = IN_2030) => ({ host, name, kind: 'plain' as const, value, expiresUtc });

async function valuesIn(file: string): Promise<Record<string, string>> {
  const SQL = await initSqlJs({ locateFile: () => createRequire(import.meta.url).resolve('sql.js/dist/sql-wasm.wasm') });
  const db = new SQL.Database(await fs.readFile(file));
  const rows = db.exec('SELECT host_key, name, value FROM cookies')[0]?.values ?? [];
  db.close();
  return Object.fromEntries(rows.map(([host, name, value]) => [`${String(host)} ${String(name)}`, String(value)]));
}

test('restoreCookieRows puts back only the rows that were lost; rows renewed or added since are kept as they are', async () => {
  const fake = await buildFakeProfile(path.join(root, 'base'), { cookies: [] });
  const base = resolveBaseProfile({ userDataDir: fake.udd, profileName: 'Default' });
  const backup = path.join(root, 'backup-Cookies');
  await fs.writeFile(backup, await cookieDatabase([
    plain('.login.example.test', 'stay', 'before-run'),
    plain('.login.example.test', 'device', 'before-run'),
    plain('coupa.example.test', 'renewed', 'before-run'),
    plain('old.example.test', 'expired', 'before-run', 13_000_000_000_000_000),
  ]));
  // During the run: the sign-in cookies were dropped, one cookie was renewed, one is new.
  await fs.writeFile(base.cookieStorePath, await cookieDatabase([
    plain('coupa.example.test', 'renewed', 'during-run'),
    plain('new.example.test', 'added', 'during-run'),
  ]));

  const report = await restoreCookieRows(backup, base);

  expect(report.restored).toEqual([
    { host: '.login.example.test', name: 'stay', path: '/' },
    { host: '.login.example.test', name: 'device', path: '/' },
  ]);
  expect(await valuesIn(base.cookieStorePath)).toEqual({
    'coupa.example.test renewed': 'during-run',
    'new.example.test added': 'during-run',
    '.login.example.test stay': 'before-run',
    '.login.example.test device': 'before-run',
  });
  expect(fsSync.existsSync(`${base.cookieStorePath}-journal`), 'a journal of the old file is not replayed into the new one').toBe(false);
  expect((await fs.stat(base.cookieStorePath)).mode & 0o777).toBe(0o600);
  expect((await restoreCookieRows(backup, base)).restored, 'nothing is lost any more').toEqual([]);
});

test('restoreCookieRows takes the whole copy when the store is gone, and refuses one with unapplied changes', async () => {
  const fake = await buildFakeProfile(path.join(root, 'base'), { cookies: [] });
  const base = resolveBaseProfile({ userDataDir: fake.udd, profileName: 'Default' });
  const backup = path.join(root, 'backup-Cookies');
  await fs.writeFile(backup, await cookieDatabase([plain('.login.example.test', 'stay', 'before-run')]));
  await fs.rm(base.cookieStorePath);
  expect((await restoreCookieRows(backup, base)).restored.map((c) => c.name)).toEqual(['stay']);
  expect(await valuesIn(base.cookieStorePath)).toEqual({ '.login.example.test stay': 'before-run' });

  await fs.writeFile(`${base.cookieStorePath}-wal`, 'frames the browser did not write back');
  await expect(restoreCookieRows(backup, base)).rejects.toBeInstanceOf(CookieStoreError);
});

test('restoreCookieRows refuses while a browser holds the base profile', async () => {
  const fake = await buildFakeProfile(path.join(root, 'base'));
  const base = resolveBaseProfile({ userDataDir: fake.udd, profileName: 'Default' });
  const backup = path.join(root, 'backup-Cookies');
  await fs.copyFile(base.cookieStorePath, backup);
  const sleeper = spawnSleeper();
  try {
    await pointSingletonLock(fake.udd, os.hostname(), sleeper.pid!);
    await expect(restoreCookieRows(backup, base)).rejects.toBeInstanceOf(ProfileInUseError);
  } finally {
    sleeper.kill();
  }
});
