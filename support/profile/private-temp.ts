import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import fse from 'fs-extra';
import { z } from 'zod';
import { jsonText, writeFileAtomic } from '../shared/atomic-file.js';
import { retryTransientFs } from '../shared/fs-retry.js';
import { readJsonIfValid } from '../shared/json-record.js';
import { OperatorError } from '../shared/operator-error.js';
import { isProcessAlive } from '../shared/process-liveness.js';

/**
 * Where snapshots and clones live: copies of the operator's signed-in profile, so only the
 * operator may read them (mode 0700 in a folder we own, never through a symlink someone
 * else planted). Every directory records the process that owns it, so the next run can
 * remove what a crashed or SIGKILLed run left behind without touching a live run's windows.
 */

export const OWNER_FILE = 'owner.json';
const RUN_DIR = /^run-\d+-[0-9a-f]+$/;
const PRIVATE_MODE = 0o700;

const dirOwnerSchema = z.object({ pid: z.number().int().positive(), host: z.string(), startedAt: z.string() });
export type DirOwner = z.infer<typeof dirOwnerSchema>;

export interface SessionDir {
  /** The run's private directory, `<root>/run-<pid>-<random>`. */
  path: string;
  root: string;
  owner: DirOwner;
}

export class PrivateTempError extends OperatorError {
  constructor(message: string, advice: string, readonly path: string) {
    super(message, advice);
  }
}

const checksModes = (): boolean => process.platform !== 'win32';

/**
 * Creates (or accepts) a directory that only we can use; refuses symlinks and foreign owners.
 * `setting` names what the operator changes to put it elsewhere.
 */
export async function ensurePrivateDir(dir: string, exclusive: boolean, setting = 'TMPDIR'): Promise<void> {
  try {
    await fs.mkdir(dir, { mode: PRIVATE_MODE });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || exclusive) throw error;
  }
  const stat = await fs.lstat(dir);
  if (stat.isSymbolicLink() || !stat.isDirectory()) {
    throw new PrivateTempError(
      `The private folder "${dir}" is a ${stat.isSymbolicLink() ? 'symbolic link' : 'file'}, not a folder: it could expose copies of your browser profile.`,
      `Remove "${dir}" (or set ${setting} to another folder) and run again.`,
      dir,
    );
  }
  if (!checksModes()) return;
  if (typeof process.getuid === 'function' && stat.uid !== process.getuid()) {
    throw new PrivateTempError(
      `The private folder "${dir}" belongs to another user (uid ${stat.uid}); copies of your browser profile must not be stored there.`,
      `Remove "${dir}" as its owner (or set ${setting} to another folder) and run again.`,
      dir,
    );
  }
  // umask may have cleared bits we asked for, and an existing folder may have been created looser.
  if ((stat.mode & 0o777) !== PRIVATE_MODE) await fs.chmod(dir, PRIVATE_MODE);
  const mode = (await fs.stat(dir)).mode & 0o777;
  if (mode !== PRIVATE_MODE) {
    throw new PrivateTempError(
      `The private folder "${dir}" has mode ${mode.toString(8)} instead of 700 after creation.`,
      `Use a local file system that supports Unix permissions (set ${setting}).`,
      dir,
    );
  }
}

function ownerNow(pid = process.pid): DirOwner {
  return { pid, host: os.hostname(), startedAt: new Date().toISOString() };
}

async function writeOwner(dir: string, owner: DirOwner): Promise<void> {
  await writeFileAtomic(path.join(dir, OWNER_FILE), jsonText(owner), { mode: 0o600 });
}

export async function readOwner(dir: string): Promise<DirOwner | undefined> {
  return readJsonIfValid(path.join(dir, OWNER_FILE), dirOwnerSchema);
}

/** The run's private directory inside `root` (our private temp folder), owned by this process. */
export async function createSessionDir(options: { root: string }): Promise<SessionDir> {
  const root = path.resolve(options.root);
  await ensurePrivateDir(root, false);
  const dir = path.join(root, `run-${process.pid}-${randomBytes(4).toString('hex')}`);
  await ensurePrivateDir(dir, true);
  const owner = ownerNow();
  await writeOwner(dir, owner);
  return { path: dir, root, owner };
}

/**
 * A private directory `<parent>/<name>` owned by the calling process (e.g. a worker's clone), so
 * a sweep removes it when that worker dies even though the run that created `parent` lives on.
 * Put the clone's user data dir inside it, not `owner.json` inside a user data dir.
 */
export async function createOwnedDir(parent: string, name: string): Promise<string> {
  if (name !== path.basename(name) || name === '.' || name === '..') {
    throw new PrivateTempError(`"${name}" is not a plain folder name.`, 'Pass a single folder name to createOwnedDir.', parent);
  }
  const dir = path.join(parent, name);
  await ensurePrivateDir(dir, true);
  await writeOwner(dir, ownerNow());
  return dir;
}

/** Removes a directory tree, retrying while Windows still holds files in it for a moment. */
export async function removeDir(dir: string): Promise<void> {
  await retryTransientFs(() => fse.remove(dir), { retries: 5, minDelayMs: 250 });
}

export type SweepReason = 'owner-dead' | 'no-owner-record';

export interface SweepReport {
  root: string;
  removed: { path: string; reason: SweepReason; owner?: DirOwner }[];
  failed: { path: string; error: string }[];
}

export interface SweepOptions {
  /** Our private temp folder. */
  root: string;
  /** A run directory without `owner.json` is removed only after this long (it may be being created). Default 10 min. */
  graceMs?: number;
}

type Verdict = { remove: false } | { remove: true; reason: SweepReason; owner?: DirOwner };

async function judge(dir: string, graceMs: number, requireOwner: boolean): Promise<Verdict> {
  const owner = await readOwner(dir);
  if (owner) {
    // Another computer's directory on a shared temp folder: we cannot tell whether it is alive.
    if (owner.host !== os.hostname()) return { remove: false };
    return isProcessAlive(owner.pid) ? { remove: false } : { remove: true, reason: 'owner-dead', owner };
  }
  if (requireOwner) return { remove: false };
  const age = Date.now() - (await fs.stat(dir)).mtimeMs;
  return age > graceMs ? { remove: true, reason: 'no-owner-record' } : { remove: false };
}

/**
 * Removes every run directory (and every owned directory inside a live run) whose owner
 * process is dead on this host. Directories of live owners and of other hosts are left alone.
 */
export async function sweepStaleDirs(options: SweepOptions): Promise<SweepReport> {
  const root = path.resolve(options.root);
  const graceMs = options.graceMs ?? 10 * 60_000;
  const report: SweepReport = { root, removed: [], failed: [] };
  const remove = async (dir: string, verdict: Extract<Verdict, { remove: true }>): Promise<void> => {
    try {
      await removeDir(dir);
      report.removed.push({ path: dir, reason: verdict.reason, ...(verdict.owner ? { owner: verdict.owner } : {}) });
    } catch (error) {
      report.failed.push({ path: dir, error: (error as Error).message });
    }
  };
  let runs: string[];
  try {
    runs = (await fs.readdir(root, { withFileTypes: true })).filter((e) => e.isDirectory() && RUN_DIR.test(e.name)).map((e) => e.name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return report;
    throw error;
  }
  for (const name of runs) {
    const runDir = path.join(root, name);
    try {
      const verdict = await judge(runDir, graceMs, false);
      if (verdict.remove) {
        await remove(runDir, verdict);
        continue;
      }
      for (const child of await fs.readdir(runDir, { withFileTypes: true })) {
        if (!child.isDirectory()) continue;
        const childDir = path.join(runDir, child.name);
        const childVerdict = await judge(childDir, graceMs, true);
        if (childVerdict.remove) await remove(childDir, childVerdict);
      }
    } catch (error) {
      // Another run's sweep or the owner's own cleanup removed it meanwhile.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return report;
}
