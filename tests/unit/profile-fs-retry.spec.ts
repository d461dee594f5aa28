import { test, expect } from '@playwright/test';
import { isTransientFsError, retryTransientFs } from '../../support/shared/fs-retry.js';

const fsError = (code: string): NodeJS.ErrnoException => Object.assign(new Error(code), { code });

test('transient errors: busy files and exhausted descriptors everywhere, sharing violations on Windows only', () => {
  for (const code of ['EBUSY', 'EMFILE', 'ENFILE', 'EAGAIN']) expect(isTransientFsError(fsError(code), 'linux')).toBe(true);
  for (const code of ['EPERM', 'EACCES', 'ENOTEMPTY']) {
    expect(isTransientFsError(fsError(code), 'win32')).toBe(true);
    expect(isTransientFsError(fsError(code), 'linux')).toBe(false);
  }
  expect(isTransientFsError(fsError('ENOENT'), 'win32')).toBe(false);
  expect(isTransientFsError(new Error('no code'), 'win32')).toBe(false);
});

test('retryTransientFs retries transient errors with doubling delays, then succeeds', async () => {
  const calls: number[] = [];
  const value = await retryTransientFs(async () => {
    calls.push(performance.now());
    if (calls.length < 3) throw fsError('EBUSY');
    return 'done';
  }, { minDelayMs: 40 });
  expect(value).toBe('done');
  expect(calls).toHaveLength(3);
  const [first, second] = [calls[1]! - calls[0]!, calls[2]! - calls[1]!];
  expect(first).toBeGreaterThanOrEqual(35);
  expect(second).toBeGreaterThanOrEqual(75);
});

test('retryTransientFs gives up after its retries, and never retries a real error', async () => {
  let calls = 0;
  await expect(retryTransientFs(async () => {
    calls++;
    throw fsError('EMFILE');
  }, { retries: 2, minDelayMs: 1 })).rejects.toMatchObject({ code: 'EMFILE' });
  expect(calls).toBe(3);
  calls = 0;
  await expect(retryTransientFs(async () => {
    calls++;
    throw fsError('ENOSPC');
  }, { minDelayMs: 1 })).rejects.toMatchObject({ code: 'ENOSPC' });
  expect(calls).toBe(1);
  calls = 0;
  await expect(retryTransientFs(async () => {
    calls++;
    throw fsError('EPERM');
  }, { minDelayMs: 1, platform: 'win32', retries: 1 })).rejects.toMatchObject({ code: 'EPERM' });
  expect(calls, 'a sharing violation on Windows is retried').toBe(2);
});
