import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, expect } from '@playwright/test';
import { padProfile, paddingPlan, timeNaiveCopy, treeSize } from '../../tooling/bench/profile-padding.js';
import { startupOf, type StartupFields } from '../../tooling/bench/window-startup.js';
import { shouldCopy } from '../../support/profile/profile-snapshot.js';

let dir: string;
test.beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-profile-'));
});
test.afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

test('the padding plan adds up exactly, spread over the HTTP and script caches, with unique names', () => {
  for (const total of [200_000_000, 12_345_678, 1]) {
    const plan = paddingPlan(total);
    expect(plan.reduce((sum, f) => sum + f.bytes, 0)).toBe(total);
    expect(new Set(plan.map((f) => f.relPath)).size).toBe(plan.length);
    expect(plan.every((f) => f.bytes > 0)).toBe(true);
  }
  const plan = paddingPlan(200_000_000);
  const share = (prefix: string) => plan.filter((f) => f.relPath.startsWith(prefix)).reduce((sum, f) => sum + f.bytes, 0) / 200_000_000;
  expect(share('Cache/Cache_Data/')).toBeCloseTo(0.8);
  expect(share('Code Cache/js/')).toBeCloseTo(0.2);
  // Realistic: well over a thousand files, most of them small.
  expect(plan.length).toBeGreaterThan(1000);
});

test('every padding file is a cache the snapshot leaves out (so clones stay small)', () => {
  for (const file of paddingPlan(5_000_000)) expect(shouldCopy(file.relPath), file.relPath).toBe(false);
});

test('padding writes the plan into the profile once, then only tops up what is missing or changed', async () => {
  const udd = path.join(dir, 'User Data');
  fs.mkdirSync(path.join(udd, 'Default'), { recursive: true });
  fs.writeFileSync(path.join(udd, 'Default', 'Preferences'), '{}');
  const first = await padProfile(udd, 'Default', 3_000_000);
  expect(first).toMatchObject({ bytes: 3_000_000, written: first.files });
  expect(await treeSize(path.join(udd, 'Default'))).toEqual({ files: first.files + 1, bytes: 3_000_002 });
  const again = await padProfile(udd, 'Default', 3_000_000);
  expect(again.written).toBe(0);
  // The browser pruned part of its cache: only that is written back.
  const plan = paddingPlan(3_000_000);
  fs.rmSync(path.join(udd, 'Default', ...plan[0]!.relPath.split('/')));
  fs.truncateSync(path.join(udd, 'Default', ...plan[1]!.relPath.split('/')), 10);
  expect((await padProfile(udd, 'Default', 3_000_000)).written).toBe(2);
  expect((await treeSize(udd)).bytes).toBe(3_000_002);
  // Content is not trivially compressible (random), as real cache entries mostly are.
  const sample = fs.readFileSync(path.join(udd, 'Default', ...plan[0]!.relPath.split('/')));
  expect(new Set(sample.subarray(0, 4096)).size).toBeGreaterThan(200);
});

test('tree size counts regular files only and does not follow symlinks', async () => {
  fs.mkdirSync(path.join(dir, 'a', 'b'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'a', 'x'), 'hello');
  fs.writeFileSync(path.join(dir, 'a', 'b', 'y'), 'hi');
  fs.symlinkSync('host-12345', path.join(dir, 'SingletonLock'));
  fs.symlinkSync(path.join(dir, 'a'), path.join(dir, 'loop'));
  expect(await treeSize(dir)).toEqual({ files: 2, bytes: 7 });
});

test('the naive copy copies the whole user data dir, is timed, and is removed afterwards', async () => {
  const udd = path.join(dir, 'User Data');
  await padProfile(udd, 'Default', 2_000_000);
  fs.writeFileSync(path.join(udd, 'Local State'), '{}');
  fs.symlinkSync('host-1', path.join(udd, 'SingletonLock'));
  const scratch = path.join(dir, 'scratch');
  fs.mkdirSync(scratch);
  const copy = await timeNaiveCopy(udd, scratch);
  expect(copy.bytes).toBe(2_000_002);
  expect(copy.files).toBe((await treeSize(udd)).files);
  expect(copy.ms).toBeGreaterThan(0);
  expect(fs.readdirSync(scratch)).toEqual([]);
});

const record = (window: string, workerIndex: number, extra: Partial<StartupFields> = {}): StartupFields => ({
  window,
  workerIndex,
  kind: window === 'A' ? 'base' : 'clone',
  userDataDir: `/p/${window}`,
  state: 'closed',
  timings: { slotWaitMs: 5, cloneMs: window === 'A' ? 0 : 120, launchMs: 700, verifyMs: 800, totalStartMs: 1625 },
  ...(window !== 'A' && { clone: { method: 'copy', bytes: 2_400_000, files: 128 } }),
  posDone: 7,
  posFailed: 1,
  startedAt: '2026-01-05T09:00:00.000Z',
  ...extra,
});

test('start-up figures are taken as the window recorded them', () => {
  expect(startupOf(record('B', 3))).toEqual({
    window: 'B', workerIndex: 3, kind: 'clone', state: 'closed', slotWaitMs: 5, cloneMs: 120, cloneBytes: 2_400_000, cloneFiles: 128,
    cloneMethod: 'copy', launchMs: 700, verifyMs: 800, totalStartMs: 1625, posDone: 7, posFailed: 1, startedAt: '2026-01-05T09:00:00.000Z',
  });
  expect(startupOf(record('A', 0))).toMatchObject({ kind: 'base', cloneBytes: undefined, cloneMethod: undefined });
});
