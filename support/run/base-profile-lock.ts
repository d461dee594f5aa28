import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { OperatorError } from '../shared/operator-error.js';

export class BaseProfileLockedError extends OperatorError {}

interface LockOwner {
  pid: number;
  startedAt: string;
  runRoot: string;
}

/**
 * Only window A may ever open the base profile (FR-006), also when two runs start at
 * the same time: each run holds this lock from its global setup to its teardown. The lock
 * lives in our private temp folder, never inside the browser's own folders.
 */
export async function lockBaseProfile(
  userDataDir: string,
  options: { lockRoot: string; runRoot: string; waitMs: number; onWait?: (owner: LockOwner | undefined, waitedMs: number) => void },
): Promise<() => Promise<void>> {
  const key = crypto.createHash('sha256').update(path.resolve(userDataDir)).digest('hex').slice(0, 24);
  fs.mkdirSync(options.lockRoot, { recursive: true, mode: 0o700 });
  const lockfilePath = path.join(options.lockRoot, `base-profile-${key}.lock`);
  const ownerFile = path.join(options.lockRoot, `base-profile-${key}.owner.json`);
  const started = Date.now();
  for (;;) {
    try {
      const release = await lockfile.lock(userDataDir, { lockfilePath, realpath: false, stale: 30_000, update: 10_000, retries: 0 });
      const owner: LockOwner = { pid: process.pid, startedAt: new Date().toISOString(), runRoot: options.runRoot };
      fs.writeFileSync(ownerFile, JSON.stringify(owner));
      return async () => {
        fs.rmSync(ownerFile, { force: true });
        await release().catch(() => undefined);
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
    }
    let owner: LockOwner | undefined;
    try {
      owner = JSON.parse(fs.readFileSync(ownerFile, 'utf8')) as LockOwner;
    } catch {
      owner = undefined;
    }
    const waited = Date.now() - started;
    if (waited >= options.waitMs) {
      throw new BaseProfileLockedError(
        `The base profile ${userDataDir} is in use by another run of this tool` +
          (owner ? ` (process ${owner.pid}, started ${owner.startedAt}, writing to ${owner.runRoot})` : '') +
          `; waited ${Math.round(waited / 1000)} s.`,
        'Wait for that run to finish, or give this run its own signed-in profile (EDGE_PROFILE_DIR, see README › Several runs at once).',
      );
    }
    options.onWait?.(owner, waited);
    await new Promise((r) => setTimeout(r, 1_000));
  }
}
