import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test, expect } from '@playwright/test';
import {
  createOwnedDir,
  createSessionDir,
  OWNER_FILE,
  PrivateTempError,
  readOwner,
  sweepStaleDirs,
} from '../../support/profile/private-temp.js';
import { deadPid, spawnSleeper, tempDir } from './helpers-profile/fake-profile.js';

let outer: string;
let root: string;
test.beforeEach(async () => {
  outer = await tempDir('private');
  root = path.join(outer, 'coupa-downloads-test');
});
test.afterEach(async () => {
  await fs.rm(outer, { recursive: true, force: true });
});

const mode = async (p: string): Promise<number> => (await fs.stat(p)).mode & 0o777;

async function fakeRunDir(name: string, owner?: { pid: number; host?: string }): Promise<string> {
  const dir = path.join(root, name);
  await fs.mkdir(dir, { recursive: true });
  if (owner) {
    await fs.writeFile(path.join(dir, OWNER_FILE), JSON.stringify({ pid: owner.pid, host: owner.host ?? os.hostname(), startedAt: new Date().toISOString() }));
  }
  await fs.writeFile(path.join(dir, 'data.bin'), 'profile copy');
  return dir;
}

test('a session dir is private (0700), named run-<pid>-<random>, and records its owner', async () => {
  const session = await createSessionDir({ root });
  expect(path.dirname(session.path)).toBe(root);
  expect(path.basename(session.path)).toMatch(new RegExp(`^run-${process.pid}-[0-9a-f]{8}$`));
  expect(await mode(root)).toBe(0o700);
  expect(await mode(session.path)).toBe(0o700);
  expect(await readOwner(session.path)).toEqual(session.owner);
  expect(session.owner).toMatchObject({ pid: process.pid, host: os.hostname() });
  const other = await createSessionDir({ root });
  expect(other.path).not.toBe(session.path);
});

test('an existing root with loose permissions is tightened to 0700', async () => {
  await fs.mkdir(root, { mode: 0o777 });
  await fs.chmod(root, 0o777);
  await createSessionDir({ root });
  expect(await mode(root)).toBe(0o700);
});

test('a root that is a symlink is refused', async () => {
  const elsewhere = path.join(outer, 'elsewhere');
  await fs.mkdir(elsewhere);
  await fs.symlink(elsewhere, root);
  const error = await createSessionDir({ root }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(PrivateTempError);
  expect((error as PrivateTempError).message).toContain('symbolic link');
  expect(await fs.readdir(elsewhere)).toEqual([]);
});

test('a root owned by another user is refused', async () => {
  test.skip(process.getuid!() !== 0, 'needs root to give the folder to another user');
  await fs.mkdir(root, { mode: 0o700 });
  await fs.chown(root, 65534, 65534);
  const error = await createSessionDir({ root }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(PrivateTempError);
  expect((error as PrivateTempError).message).toContain('belongs to another user (uid 65534)');
});

test('createOwnedDir makes a private folder owned by the calling process', async () => {
  const session = await createSessionDir({ root });
  const dir = await createOwnedDir(session.path, 'B-w1');
  expect(await mode(dir)).toBe(0o700);
  expect((await readOwner(dir))?.pid).toBe(process.pid);
  await expect(createOwnedDir(session.path, 'B-w1')).rejects.toMatchObject({ code: 'EEXIST' });
  await expect(createOwnedDir(session.path, '../escape')).rejects.toBeInstanceOf(PrivateTempError);
});

test('sweep removes dead owners\' run and clone dirs only', async () => {
  const sleeper = spawnSleeper();
  try {
    const dead = await deadPid();
    const deadRun = await fakeRunDir('run-111-aaaaaaaa', { pid: dead });
    const liveRun = await fakeRunDir('run-222-bbbbbbbb', { pid: sleeper.pid! });
    const deadClone = await fakeRunDir('run-222-bbbbbbbb/B-w1', { pid: dead });
    const liveClone = await fakeRunDir('run-222-bbbbbbbb/C-w2', { pid: process.pid });
    const snapshotDir = await fakeRunDir('run-222-bbbbbbbb/snapshot');
    const otherHost = await fakeRunDir('run-333-cccccccc', { pid: dead, host: 'some-other-host' });
    const youngNoOwner = await fakeRunDir('run-444-dddddddd');
    const oldNoOwner = await fakeRunDir('run-555-eeeeeeee');
    const old = new Date(Date.now() - 60 * 60_000);
    await fs.utimes(oldNoOwner, old, old);
    const notOurs = await fakeRunDir('something-else', { pid: dead });
    const mine = await createSessionDir({ root });

    const report = await sweepStaleDirs({ root, graceMs: 10 * 60_000 });

    expect(report.failed).toEqual([]);
    expect(report.removed.map((r) => [r.path, r.reason]).sort()).toEqual([
      [deadRun, 'owner-dead'],
      [deadClone, 'owner-dead'],
      [oldNoOwner, 'no-owner-record'],
    ].sort());
    expect(report.removed.find((r) => r.path === deadRun)?.owner?.pid).toBe(dead);
    for (const gone of [deadRun, deadClone, oldNoOwner]) await expect(fs.stat(gone)).rejects.toMatchObject({ code: 'ENOENT' });
    for (const kept of [liveRun, liveClone, snapshotDir, otherHost, youngNoOwner, notOurs, mine.path]) {
      expect((await fs.stat(kept)).isDirectory()).toBe(true);
    }
  } finally {
    sleeper.kill();
  }
});

test('sweep of a root that does not exist removes nothing', async () => {
  expect(await sweepStaleDirs({ root: path.join(outer, 'none') })).toEqual({ root: path.join(outer, 'none'), removed: [], failed: [] });
});
