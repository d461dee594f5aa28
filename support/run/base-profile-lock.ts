import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { baseProfileLockDir } from '../run-state/run-paths.js';
import { acquireOwnedLock, readLockOwner, type LockOwner } from '../shared/owned-lock.js';
import { isProcessAlive } from '../shared/process-liveness.js';
import { OperatorError } from '../shared/operator-error.js';

export class BaseProfileLockedError extends OperatorError {}

const lockDirOf = (userDataDir: string) => baseProfileLockDir(crypto.createHash('sha256').update(path.resolve(userDataDir)).digest('hex').slice(0, 24));

/** The run of this tool that holds the base profile now (a live process here, or a run on another computer), if any. */
export function baseProfileRunHolder(userDataDir: string): LockOwner | undefined {
  const owner = readLockOwner(lockDirOf(userDataDir));
  return owner && (owner.host !== os.hostname() || isProcessAlive(owner.pid)) ? owner : undefined;
}

/**
 * Only window A may ever open the base profile (PROFILE-06), also when two runs start at the
 * same time: each run holds this lock from its global setup to its teardown.
 */
export async function lockBaseProfile(
  userDataDir: string,
  options: {
    runRoot: string;
    waitMs: number;
    onWait?: (owner: LockOwner | undefined, waitedMs: number) => void;
    /** The lock was taken over by another run while held (this computer slept for long): the operator is told. */
    onLost?: (message: string) => void;
    lockDir?: string;
  },
): Promise<() => Promise<void>> {
  const lockDir = options.lockDir ?? lockDirOf(userDataDir);
  const started = Date.now();
  for (;;) {
    const result = await acquireOwnedLock(lockDir, {
      staleMs: 30_000,
      details: { runRoot: options.runRoot },
      onLost: (error) => options.onLost?.(error.message),
    });
    if (result.acquired) return () => result.lock.release();
    const { owner } = result;
    const waited = Date.now() - started;
    if (waited >= options.waitMs) {
      throw new BaseProfileLockedError(
        `The base profile ${userDataDir} is in use by another run of this tool` +
          (owner ? ` (process ${owner.pid}, started ${owner.at}, writing to ${owner.details.runRoot ?? '?'})` : '') +
          `; waited ${Math.round(waited / 1000)} s.`,
        'Wait for that run to finish, or give this run its own signed-in profile (EDGE_PROFILE_DIR, see docs/how-it-works.md › Several runs at once).',
      );
    }
    options.onWait?.(owner, waited);
    await new Promise((r) => setTimeout(r, 1_000));
  }
}
