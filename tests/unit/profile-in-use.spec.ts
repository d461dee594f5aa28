import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test, expect } from '@playwright/test';
import {
  detectProfileInUse,
  inspectProfileLock,
  parseSingletonTarget,
  ProfileInUseError,
  waitForProfileFree,
  type ProfileHolder,
} from '../../support/profile/profile-in-use.js';
import { deadPid, pointSingletonLock, spawnSleeper, tempDir } from './helpers-profile/fake-profile.js';

let udd: string;
test.beforeEach(async () => {
  udd = await tempDir('inuse');
});
test.afterEach(async () => {
  await fs.rm(udd, { recursive: true, force: true });
});

test('parseSingletonTarget splits host and pid at the last dash', () => {
  expect(parseSingletonTarget('vm-6741')).toEqual({ host: 'vm', pid: 6741 });
  expect(parseSingletonTarget('build-agent-07.corp-123')).toEqual({ host: 'build-agent-07.corp', pid: 123 });
  expect(parseSingletonTarget('nohyphen')).toBeNull();
  expect(parseSingletonTarget('host-')).toBeNull();
  expect(parseSingletonTarget('host-0')).toBeNull();
});

test('no SingletonLock: the profile is free', () => {
  expect(inspectProfileLock(udd)).toEqual({ state: 'free' });
  expect(detectProfileInUse(udd)).toBeNull();
});

test('a SingletonLock pointing at a live process on this host: held, and the holder is named', async () => {
  const sleeper = spawnSleeper();
  try {
    await pointSingletonLock(udd, os.hostname(), sleeper.pid!);
    const holder = detectProfileInUse(udd);
    expect(holder).toMatchObject({ pid: sleeper.pid, host: os.hostname() });
    expect(holder?.process).toBe('sleep: sleep 600');
    expect(holder?.evidence).toContain(`SingletonLock -> ${os.hostname()}-${sleeper.pid}`);
  } finally {
    sleeper.kill();
  }
});

test('a SingletonLock of a dead process is stale: not in use, but reported', async () => {
  const pid = await deadPid();
  await pointSingletonLock(udd, os.hostname(), pid);
  expect(detectProfileInUse(udd)).toBeNull();
  const lock = inspectProfileLock(udd);
  expect(lock).toMatchObject({ state: 'stale', pid, host: os.hostname() });
  expect(lock.state === 'stale' && lock.evidence).toContain(`process ${pid} is no longer running`);
});

test('a SingletonLock of another computer is reported as stale, not as in use here', async () => {
  await pointSingletonLock(udd, 'some-other-host', process.pid);
  expect(detectProfileInUse(udd)).toBeNull();
  const lock = inspectProfileLock(udd);
  expect(lock).toMatchObject({ state: 'stale', host: 'some-other-host', pid: process.pid });
  expect(lock.state === 'stale' && lock.evidence).toContain('names another computer');
});

test('Windows lockfile left by an exited browser is stale and stays in place', async () => {
  const lockfile = path.join(udd, 'lockfile');
  await fs.writeFile(lockfile, '');
  const lock = inspectProfileLock(udd, { platform: 'win32' });
  expect(lock.state).toBe('stale');
  expect(await fs.readdir(udd)).toEqual(['lockfile']);
  expect(inspectProfileLock(path.join(udd, 'none'), { platform: 'win32' })).toEqual({ state: 'free' });
});

test('waitForProfileFree returns once the holder lets go, reporting the wait', async () => {
  const sleeper = spawnSleeper();
  try {
    await pointSingletonLock(udd, os.hostname(), sleeper.pid!);
    const waits: { holder: ProfileHolder; waitedMs: number }[] = [];
    setTimeout(() => sleeper.kill(), 300);
    await waitForProfileFree(udd, { timeoutMs: 10_000, pollMs: 50, onWait: (holder, waitedMs) => waits.push({ holder, waitedMs }) });
    expect(waits.length).toBeGreaterThan(1);
    expect(waits[0]!.holder.pid).toBe(sleeper.pid);
    expect(waits.at(-1)!.waitedMs).toBeGreaterThanOrEqual(waits[0]!.waitedMs);
  } finally {
    sleeper.kill();
  }
});

test('waitForProfileFree gives up with ProfileInUseError naming the holder and how to close Edge', async () => {
  const sleeper = spawnSleeper();
  try {
    await pointSingletonLock(udd, os.hostname(), sleeper.pid!);
    const started = Date.now();
    const error = await waitForProfileFree(udd, { timeoutMs: 400, pollMs: 100 }).then(() => undefined, (e: unknown) => e);
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    expect(error).toBeInstanceOf(ProfileInUseError);
    const e = error as ProfileInUseError;
    expect(e.holder.pid).toBe(sleeper.pid);
    expect(e.message).toContain(`sleep: sleep 600 (pid ${sleeper.pid})`);
    expect(e.message).toContain(udd);
    expect(e.advice).toContain('Startup Boost');
    expect(e.advice).toContain('Continue running background extensions');
  } finally {
    sleeper.kill();
  }
});

test('waitForProfileFree with timeout 0 checks once', async () => {
  await waitForProfileFree(udd, { timeoutMs: 0 });
  await pointSingletonLock(udd, os.hostname(), process.pid);
  await expect(waitForProfileFree(udd, { timeoutMs: 0 })).rejects.toBeInstanceOf(ProfileInUseError);
});
