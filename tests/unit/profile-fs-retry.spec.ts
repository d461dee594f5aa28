import { test, expect } from '@playwright/test';
import { isTransientFsError, withFsRetry } from '../../support/shared/fs-retry.js';

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

test('withFsRetry retries transient errors with doubling delays, then succeeds', async () => {
  let calls = 0;
  const delays: number[] = [];
  const value = await withFsRetry(async () => {
    calls++;
    if (calls < 3) throw fsError('EBUSY');
    return 'done';
  }, { baseDelayMs: 5, onRetry: (_e, _attempt, delayMs) => delays.push(delayMs) });
  expect(value).toBe('done');
  expect(calls).toBe(3);
  expect(delays).toEqual([5, 10]);
});

test('withFsRetry gives up after its attempts, and never retries a real error', async () => {
  let calls = 0;
  await expect(withFsRetry(async () => {
    calls++;
    throw fsError('EMFILE');
  }, { attempts: 3, baseDelayMs: 1 })).rejects.toMatchObject({ code: 'EMFILE' });
  expect(calls).toBe(3);
  calls = 0;
  await expect(withFsRetry(async () => {
    calls++;
    throw fsError('ENOSPC');
  }, { baseDelayMs: 1 })).rejects.toMatchObject({ code: 'ENOSPC' });
  expect(calls).toBe(1);
});
