import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { isProcessAlive } from '../profile/profile-in-use.js';

/**
 * A PO is processed by one window at a time, also across runs started at the same time
 * over the same input and download folder (FR-008 of 002): a lock per PO number in the
 * download folder, held while the PO is processed. proper-lockfile refreshes it; a lock
 * whose holder died is taken over at once when the holder is on this machine and gone,
 * else after the stale period.
 */
export interface PoLockOwner {
  pid: number;
  host: string;
  runRoot: string;
  window: string;
  at: string;
}

export type PoLockResult = { acquired: true; release: () => Promise<void> } | { acquired: false; owner: PoLockOwner | undefined };

const STALE_MS = 30_000;

export class PoLocks {
  constructor(
    private readonly dir: string,
    private readonly me: { runRoot: string; window: string },
  ) {
    fs.mkdirSync(dir, { recursive: true });
  }

  static forDownloadDir(downloadDir: string, me: { runRoot: string; window: string }): PoLocks {
    return new PoLocks(path.join(downloadDir, '.coupa-downloads', 'po-locks'), me);
  }

  private paths(id: string) {
    return { target: path.join(this.dir, id), lock: path.join(this.dir, `${id}.lock`), owner: path.join(this.dir, `${id}.owner.json`) };
  }

  owner(id: string): PoLockOwner | undefined {
    try {
      return JSON.parse(fs.readFileSync(this.paths(id).owner, 'utf8')) as PoLockOwner;
    } catch {
      return undefined;
    }
  }

  async acquire(id: string): Promise<PoLockResult> {
    const files = this.paths(id);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const unlock = await lockfile.lock(files.target, {
          lockfilePath: files.lock,
          realpath: false,
          stale: STALE_MS,
          retries: 0,
          // Losing the lock to another run after a long freeze must not crash this worker.
          onCompromised: () => undefined,
        });
        const owner: PoLockOwner = { pid: process.pid, host: os.hostname(), ...this.me, at: new Date().toISOString() };
        fs.writeFileSync(files.owner, JSON.stringify(owner));
        return {
          acquired: true,
          release: async () => {
            fs.rmSync(files.owner, { force: true });
            await unlock().catch(() => undefined);
          },
        };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
      }
      const owner = this.owner(id);
      // The holder on this machine is gone (a killed worker): its lock is ours to take.
      if (owner && owner.host === os.hostname() && !isProcessAlive(owner.pid)) {
        fs.rmSync(files.lock, { recursive: true, force: true });
        fs.rmSync(files.owner, { force: true });
        continue;
      }
      return { acquired: false, owner };
    }
    return { acquired: false, owner: this.owner(id) };
  }
}
