import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { BaseProfileLockedError, lockBaseProfile } from '../../support/run/base-profile-lock.js';
import { PoLocks } from '../../support/run/po-lock.js';
import { acquireOwnedLock, judgeLock, LockLostError, readLockOwner, reclaimLock, type HeldLock } from '../../support/shared/owned-lock.js';
import { deadPid } from './helpers-profile/fake-profile.js';
import { plantLock, scratchDir } from './helpers-state/state-fixtures.js';

/**
 * PO locks between runs (and the owned lock under them, which the base-profile lock uses
 * too): a live holder keeps its lock however old it looks, a dead one loses it, a takeover
 * never removes a lock another process took meanwhile, and a holder that lost its lock
 * anyway finds out and leaves the new holder's lock alone.
 */
let dir: string;
let held: HeldLock[];
test.beforeEach(() => {
  dir = scratchDir('po-locks');
  held = [];
});
test.afterEach(async () => {
  for (const lock of held) await lock.release();
  fs.rmSync(dir, { recursive: true, force: true });
});

const lockDir = (id: string) => path.join(dir, 'po-locks', `${id}.lock`);
const locks = (window: string, staleMs?: number) => new PoLocks(lockDir, { runRoot: `/runs/${window}`, window }, staleMs);

async function take(id: string, options: { staleMs?: number; onLost?: (error: LockLostError) => void } = {}): Promise<HeldLock> {
  const result = await acquireOwnedLock(lockDir(id), { staleMs: options.staleMs ?? 30_000, details: { runRoot: '/runs/mine', window: 'A' }, ...(options.onLost ? { onLost: options.onLost } : {}) });
  if (!result.acquired) throw new Error(`lock ${id} not acquired`);
  held.push(result.lock);
  return result.lock;
}

test('a free PO is locked; another window is told who holds it; once released it can be locked again', async () => {
  const first = await locks('A').acquire('4100001');
  expect(first.acquired).toBe(true);
  const second = await locks('B').acquire('4100001');
  expect(second).toEqual({ acquired: false, holder: `process ${process.pid} on ${os.hostname()}, window A, run folder /runs/A` });
  if (first.acquired) await first.lock.release();
  const third = await locks('B').acquire('4100001');
  expect(third.acquired).toBe(true);
  if (third.acquired) held.push(third.lock);
});

test('a holder keeps its lock across its refreshes', async () => {
  const lost: LockLostError[] = [];
  const lock = await take('4100002', { staleMs: 3_000, onLost: (e) => lost.push(e) });
  // Refreshed every second; long enough for two refreshes.
  await new Promise((r) => setTimeout(r, 2_500));
  expect(() => lock.assertHeld()).not.toThrow();
  expect(lost).toEqual([]);
  expect((await locks('B', 3_000).acquire('4100002')).acquired).toBe(false);
});

test('a live holder on this computer keeps its lock however old it looks (a computer that slept, a clock that jumped)', async () => {
  const owner = plantLock(lockDir('4100003'), { pid: process.pid }, 40_000);
  const result = await locks('B').acquire('4100003');
  expect(result.acquired).toBe(false);
  expect(readLockOwner(lockDir('4100003'))?.token).toBe(owner.token);
});

test('a lock whose holder on this computer is dead is taken over at once', async () => {
  plantLock(lockDir('4100004'), { pid: await deadPid() });
  const started = Date.now();
  const result = await locks('B').acquire('4100004');
  expect(result.acquired).toBe(true);
  expect(Date.now() - started).toBeLessThan(2_000);
  if (result.acquired) held.push(result.lock);
  expect(readLockOwner(lockDir('4100004'))).toMatchObject({ pid: process.pid, details: { window: 'B' } });
});

test('a holder on another computer: fresh or still refreshing, it keeps the lock; silent past the stale period, it loses it', async () => {
  const other = { pid: 4242, host: 'another-computer' };
  plantLock(lockDir('4100005'), other);
  expect((await locks('B', 2_000).acquire('4100005')).acquired, 'fresh').toBe(false);

  // Looks 40 s old (that computer's clock is behind), but it keeps refreshing: watched, then left alone.
  plantLock(lockDir('4100006'), other, 40_000);
  const refresher = setInterval(() => {
    const now = new Date();
    fs.utimesSync(lockDir('4100006'), now, now);
  }, 300);
  try {
    expect((await locks('B', 2_000).acquire('4100006')).acquired, 'refreshing').toBe(false);
  } finally {
    clearInterval(refresher);
  }

  plantLock(lockDir('4100007'), other, 40_000);
  const started = Date.now();
  const silent = await locks('B', 2_000).acquire('4100007');
  expect(silent.acquired, 'silent').toBe(true);
  expect(Date.now() - started, 'watched for the stale period first').toBeGreaterThanOrEqual(1_900);
  if (silent.acquired) held.push(silent.lock);
});

test('a takeover removes only the lock it judged: one another run took meanwhile stays', async () => {
  const dead = await deadPid();
  plantLock(lockDir('4100008'), { pid: dead });
  const judged = judgeLock(lockDir('4100008'))!;
  // Meanwhile another run judged the same dead lock, took it over and now works under it.
  fs.rmSync(lockDir('4100008'), { recursive: true });
  const other = await take('4100008');
  expect(reclaimLock(lockDir('4100008'), judged)).toBe(false);
  expect(() => other.assertHeld()).not.toThrow();
  expect(readLockOwner(lockDir('4100008'))?.token).toBe(other.owner.token);

  plantLock(lockDir('4100009'), { pid: dead });
  expect(reclaimLock(lockDir('4100009'), judgeLock(lockDir('4100009'))!)).toBe(true);
  expect(fs.existsSync(lockDir('4100009'))).toBe(false);
  expect(fs.readdirSync(path.dirname(lockDir('4100009'))).filter((f) => f.includes('reclaim'))).toEqual([]);
});

test('a holder whose lock was taken over finds out, stops, and its release leaves the new holder\'s lock alone', async () => {
  const lost: LockLostError[] = [];
  const lock = await take('4100010', { staleMs: 3_000, onLost: (e) => lost.push(e) });
  // Another run took the lock over (it judged this holder gone) and holds it now.
  fs.rmSync(lockDir('4100010'), { recursive: true });
  const successor = plantLock(lockDir('4100010'), { pid: process.pid, details: { runRoot: '/runs/other', window: 'C' } });
  await expect.poll(() => lost.length, { timeout: 5_000, message: 'the refresh notices' }).toBe(1);
  expect(lost[0]!.owner?.token).toBe(successor.token);
  expect(() => lock.assertHeld()).toThrow(LockLostError);
  await lock.release();
  expect(readLockOwner(lockDir('4100010'))?.token).toBe(successor.token);
});

test('a holder checking between two steps sees at once that its lock was taken', async () => {
  const lock = await take('4100011');
  fs.rmSync(lockDir('4100011'), { recursive: true });
  plantLock(lockDir('4100011'), { pid: process.pid });
  expect(() => lock.assertHeld()).toThrow(/taken over by process/);
  expect(lock.lost).toBe(true);
});

test('the base profile is locked by one run at a time; another run waits, then stops naming the holder', async () => {
  const profile = path.join(dir, 'User Data');
  const baseLock = path.join(dir, 'locks', 'base-profile.lock');
  const release = await lockBaseProfile(profile, { runRoot: '/runs/first', waitMs: 0, lockDir: baseLock });
  const waits: number[] = [];
  const error = await lockBaseProfile(profile, { runRoot: '/runs/second', waitMs: 1_500, lockDir: baseLock, onWait: (_owner, waited) => waits.push(waited) }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(BaseProfileLockedError);
  expect((error as Error).message).toContain(`process ${process.pid}`);
  expect((error as Error).message).toContain('writing to /runs/first');
  expect(waits.length).toBeGreaterThanOrEqual(1);
  await release();
  const second = await lockBaseProfile(profile, { runRoot: '/runs/second', waitMs: 0, lockDir: baseLock });
  await second();
});
