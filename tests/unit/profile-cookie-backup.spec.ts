import fs from 'node:fs/promises';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { CookieBackup } from '../../support/profile/cookie-backup.js';
import { readCookieStore } from '../../support/profile/cookie-store.js';
import { resolveBaseProfile } from '../../support/profile/profile-locator.js';
import { buildFakeProfile, cookieDatabase, tempDir } from './helpers-profile/fake-profile.js';

let root: string;
test.beforeEach(async () => {
  root = await tempDir('backup');
});
test.afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

const IN_2030 = 13_537_929_600_000_000;
const stay = { host: '.login.example.test', name: 'stay', kind: 'plain' as const, expiresUtc: IN_2030 };
const mode = async (p: string) => (await fs.stat(p)).mode & 0o777;

test('the backup is a private, timestamped copy taken once per run, which outlives the run', async () => {
  const fake = await buildFakeProfile(path.join(root, 'base'), { cookies: [stay] });
  const base = resolveBaseProfile({ userDataDir: fake.udd, profileName: 'Default' });
  const backups = path.join(root, 'state', 'cookie-backups');
  const backup = new CookieBackup(backups, base, '2026-12-02T10:00:00.000Z');

  await backup.take();
  expect(path.basename(backup.file)).toBe('Cookies-2026-12-02T10-00-00.000Z');
  expect((await fs.readFile(backup.file)).equals(await fs.readFile(base.cookieStorePath))).toBe(true);
  expect(await mode(backup.file)).toBe(0o600);
  expect(await mode(backup.dir)).toBe(0o700);
  expect(await mode(backups)).toBe(0o700);
  expect(await fs.readFile(path.join(backup.dir, 'profile.txt'), 'utf8')).toBe(`${base.profileDir}\n`);

  // A window A restarted later in the run keeps the copy from before the run.
  await fs.writeFile(base.cookieStorePath, await cookieDatabase([]));
  await backup.take();
  expect((await readCookieStore(backup.file)).rows).toBe(1);
  expect((await backup.restoreLostRows()).restored.map((c) => c.name)).toEqual(['stay']);
  expect((await readCookieStore(base.cookieStorePath)).rows).toBe(1);
});

test('a good run removes the copies of earlier runs and keeps its own; other profiles keep theirs', async () => {
  const fake = await buildFakeProfile(path.join(root, 'base'), { cookies: [stay] });
  const other = await buildFakeProfile(path.join(root, 'other'), { cookies: [stay] });
  const base = resolveBaseProfile({ userDataDir: fake.udd, profileName: 'Default' });
  const backups = path.join(root, 'backups');
  const first = new CookieBackup(backups, base, '2026-12-01T10:00:00.000Z');
  const second = new CookieBackup(backups, base, '2026-12-02T10:00:00.000Z');
  const otherProfile = new CookieBackup(backups, resolveBaseProfile({ userDataDir: other.udd, profileName: 'Default' }), '2026-11-01T10:00:00.000Z');
  for (const b of [first, second, otherProfile]) await b.take();
  expect(second.dir).toBe(first.dir);
  expect(otherProfile.dir).not.toBe(first.dir);

  expect(await second.pruneEarlier()).toEqual([first.file]);
  expect((await fs.readdir(second.dir)).sort()).toEqual([path.basename(second.file), 'profile.txt']);
  expect(await fs.stat(otherProfile.file).then(() => true)).toBe(true);
});

test('without a copy (the base profile was never opened in this run) nothing is restored', async () => {
  const fake = await buildFakeProfile(path.join(root, 'base'), { cookies: [stay] });
  const base = resolveBaseProfile({ userDataDir: fake.udd, profileName: 'Default' });
  const backup = new CookieBackup(path.join(root, 'backups'), base, '2026-12-02T10:00:00.000Z');
  expect((await backup.restoreLostRows()).restored).toEqual([]);
});
