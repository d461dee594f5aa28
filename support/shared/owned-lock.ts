import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fse from 'fs-extra';
import lockfile from 'proper-lockfile';
import { z } from 'zod';
import { readJsonRecord } from './json-record.js';
import { isProcessAlive } from './process-liveness.js';

/**
 * A lock between processes, also of different runs and computers sharing a folder: a
 * folder created with mkdir (proper-lockfile, which keeps refreshing its time stamp) with
 * an owner file inside that names the holder and carries a token only the holder knows.
 *
 * - A holder on this computer is judged by its process alone: while it lives, its lock is
 *   never taken, however old the lock looks (a computer that slept, a clock that jumped).
 * - A holder on another computer is judged by whether it keeps refreshing the lock: a lock
 *   that looks old is watched for a while, by this computer's own clock, before it is taken.
 * - Taking a lock over moves it aside first and deletes it only when it is still the lock
 *   that was judged (same folder, same token): a lock another process took meanwhile is
 *   never removed.
 * - A holder whose lock was taken over notices (at its next refresh, or when it checks
 *   with `assertHeld`) and must stop what the lock protected; its release then leaves the
 *   new holder's lock alone.
 */
const lockOwnerSchema = z.object({
  token: z.string().min(1),
  pid: z.number().int().positive(),
  host: z.string(),
  at: z.string(),
  /** What the holder does, for messages: run folder, window… */
  details: z.record(z.string(), z.string()),
});
export type LockOwner = z.infer<typeof lockOwnerSchema>;

export const OWNER_FILE = 'owner.json';

export class LockLostError extends Error {
  constructor(readonly lockDir: string, readonly owner: LockOwner | undefined) {
    super(
      `The lock ${lockDir} was taken over` +
        (owner ? ` by process ${owner.pid} on ${owner.host} (${Object.values(owner.details).join(', ')})` : '') +
        ': the work it protected was stopped.',
    );
  }
}

export interface OwnedLockOptions {
  /** A holder on another computer that has not refreshed its lock for this long counts as gone. */
  staleMs: number;
  /** Shown to whoever finds the lock held. */
  details: Record<string, string>;
  /** The lock was taken over while held: stop the work it protects. */
  onLost?: (error: LockLostError) => void;
}

export type AcquireResult = { acquired: true; lock: HeldLock } | { acquired: false; owner: LockOwner | undefined };

/** What was judged about a lock before taking it over: the folder (by inode) and its owner's token. */
export interface LockJudgement {
  ino: number;
  mtimeMs: number;
  token: string | undefined;
}

const ownerFile = (lockDir: string) => path.join(lockDir, OWNER_FILE);

export function readLockOwner(lockDir: string): LockOwner | undefined {
  const read = readJsonRecord(ownerFile(lockDir), lockOwnerSchema);
  return read.state === 'ok' ? read.value : undefined;
}

export function judgeLock(lockDir: string): LockJudgement | undefined {
  try {
    const stat = fs.statSync(lockDir);
    return { ino: stat.ino, mtimeMs: stat.mtimeMs, token: readLockOwner(lockDir)?.token };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Removes the lock only if it is still the one judged: it is first moved aside in one step,
 * then compared. A lock that changed hands meanwhile is put back (or, when another process
 * already made a new one, left for its holder to find gone: it stops). Returns whether the
 * judged lock was removed.
 */
export function reclaimLock(lockDir: string, judged: LockJudgement): boolean {
  const aside = `${lockDir}.reclaim-${randomUUID()}`;
  try {
    fs.renameSync(lockDir, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  const moved = judgeLock(aside);
  if (moved && moved.ino === judged.ino && moved.token === judged.token) {
    fse.removeSync(aside);
    return true;
  }
  try {
    fs.renameSync(aside, lockDir);
  } catch {
    fse.removeSync(aside);
  }
  return false;
}

/**
 * Places the owner file in one step, and only if none is there: a lock folder is never given
 * two owners. Written beside the folder first, so a folder that is not ours is left untouched.
 */
function placeOwner(lockDir: string, owner: LockOwner): boolean {
  const file = ownerFile(lockDir);
  const temporary = `${lockDir}.owner-${randomUUID()}.tmp`;
  fs.writeFileSync(temporary, JSON.stringify(owner));
  try {
    fs.linkSync(temporary, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    // File systems without hard links (FAT, some shares): exclusive create instead.
    try {
      fs.writeFileSync(file, JSON.stringify(owner), { flag: 'wx' });
      return true;
    } catch (fallbackError) {
      if ((fallbackError as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw fallbackError;
    }
  } finally {
    fs.rmSync(temporary, { force: true });
  }
}

export class HeldLock {
  private lostError: LockLostError | undefined;
  private released = false;

  constructor(
    readonly lockDir: string,
    readonly owner: LockOwner,
    private readonly unlock: () => Promise<void>,
    private readonly onLost: ((error: LockLostError) => void) | undefined,
  ) {}

  /** Called by proper-lockfile when the lock folder vanished or changed under its holder. */
  markLost(): void {
    if (this.lostError || this.released) return;
    this.lostError = new LockLostError(this.lockDir, readLockOwner(this.lockDir));
    this.onLost?.(this.lostError);
  }

  /** Throws LockLostError when the lock is no longer this holder's (checked on disk now, not only at the last refresh). */
  assertHeld(): void {
    if (!this.lostError && readLockOwner(this.lockDir)?.token !== this.owner.token) this.markLost();
    if (this.lostError) throw this.lostError;
  }

  get lost(): boolean {
    return this.lostError !== undefined;
  }

  /** Frees the lock if it is still this holder's; a lock taken over by another is left to its new holder. */
  async release(): Promise<void> {
    if (this.released) return;
    const mine = !this.lostError && readLockOwner(this.lockDir)?.token === this.owner.token;
    this.released = true;
    if (!mine) return;
    fs.rmSync(ownerFile(this.lockDir), { force: true });
    await this.unlock().catch(() => undefined);
  }
}

/** Observes a lock folder of another computer: true when its holder refreshed it within `staleMs`, by this computer's clock. */
async function refreshedWithin(lockDir: string, judged: LockJudgement, staleMs: number): Promise<boolean> {
  const deadline = performance.now() + staleMs;
  while (performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, staleMs / 4)));
    const now = judgeLock(lockDir);
    if (!now || now.ino !== judged.ino || now.mtimeMs !== judged.mtimeMs || now.token !== judged.token) return true;
  }
  return false;
}

/**
 * Takes the lock `lockDir` when it is free or its holder is gone; otherwise reports who holds
 * it. Never waits for a live holder; waits up to `staleMs` only to tell whether a holder on
 * another computer (or one that left no owner file) is still there.
 */
export async function acquireOwnedLock(lockDir: string, options: OwnedLockOptions): Promise<AcquireResult> {
  fse.ensureDirSync(path.dirname(lockDir));
  // Refreshed well within staleMs; proper-lockfile itself must never take a lock by its age.
  const update = Math.max(1_000, Math.floor(options.staleMs / 3));
  for (let attempt = 0; attempt < 5; attempt++) {
    let held: HeldLock | undefined;
    try {
      const unlock = await lockfile.lock(lockDir, {
        lockfilePath: lockDir,
        realpath: false,
        stale: Number.MAX_SAFE_INTEGER,
        update,
        retries: 0,
        onCompromised: () => held?.markLost(),
      });
      const owner: LockOwner = { token: randomUUID(), pid: process.pid, host: os.hostname(), at: new Date().toISOString(), details: options.details };
      // proper-lockfile tells its refreshes from someone else's by the folder's time stamp,
      // which placing the owner file inside changes: it is put back as proper-lockfile left it.
      const { mtime } = fs.statSync(lockDir);
      if (!placeOwner(lockDir, owner)) {
        // Our folder was replaced between its creation and now: whoever owns it keeps it.
        return { acquired: false, owner: readLockOwner(lockDir) };
      }
      fs.utimesSync(lockDir, mtime, mtime);
      held = new HeldLock(lockDir, owner, unlock, options.onLost);
      return { acquired: true, lock: held };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
    }
    const judged = judgeLock(lockDir);
    if (!judged) continue;
    const owner = readLockOwner(lockDir);
    if (owner?.host === os.hostname()) {
      if (isProcessAlive(owner.pid)) return { acquired: false, owner };
    } else {
      // Another computer's holder, or a lock whose owner file is not there (yet): only its refreshes tell.
      const looksOld = Date.now() - judged.mtimeMs > options.staleMs;
      if (!looksOld || (await refreshedWithin(lockDir, judged, options.staleMs))) return { acquired: false, owner: readLockOwner(lockDir) };
    }
    reclaimLock(lockDir, judged);
  }
  return { acquired: false, owner: readLockOwner(lockDir) };
}
