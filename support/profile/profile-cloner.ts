import { execFile } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import fse from 'fs-extra';
import { OperatorError } from '../shared/operator-error.js';
import { retryTransientFs, type FsRetryOptions } from '../shared/fs-retry.js';
import { diffArtifacts, manifestChecksumsOf, type ArtifactMismatch } from './profile-manifest.js';
import type { SnapshotManifest } from './profile-snapshot.js';

/**
 * Per-window clones of the run's snapshot: copy-on-write where the file system can, a plain
 * copy otherwise; checked against the snapshot manifest (VM-003). How many are copied at
 * once across the workers (PROFILE-16) is the caller's slot (support/shared/process-slots.ts).
 */

export type CloneMethod = 'reflink' | 'clonefile' | 'copy';

export interface CloneResult {
  /** `reflink` only when every file was cloned copy-on-write; `clonefile` is macOS APFS via `cp -c`. */
  method: CloneMethod;
  bytes: number;
  files: number;
  durationMs: number;
}

export class CloneError extends OperatorError {
  constructor(message: string, advice: string, readonly path: string, options?: { cause?: unknown }) {
    super(message, advice, options);
  }
}

export interface CloneOptions {
  platform?: NodeJS.Platform;
  /** Retry policy for transient errors of a plain copy (PROFILE-NFR-02). */
  retry?: FsRetryOptions;
  /** Progress as the files are copied, with the count so far (not called when a whole tree is cloned in one call); throwing stops the copy. */
  onFileCopied?: (files: number) => void;
}

/** errno codes by which a file system says "no copy-on-write here", as opposed to a real failure. */
const NO_REFLINK = new Set(['ENOTSUP', 'EOPNOTSUPP', 'EXDEV', 'EINVAL', 'ENOSYS', 'ENOTTY', 'EPERM']);

class NoReflink extends Error {}

/**
 * Clones every file copy-on-write (FICLONE_FORCE fails instead of silently copying, which
 * is how we learn what the file system does); throws NoReflink at the first file it cannot.
 */
async function reflinkTree(src: string, dest: string, onFileCopied?: (files: number) => void): Promise<{ files: number; bytes: number }> {
  await fs.mkdir(dest, { recursive: true });
  let files = 0;
  let bytes = 0;
  for (const entry of await fs.readdir(src, { withFileTypes: true })) {
    const from = path.join(src, entry.name);
    const to = path.join(dest, entry.name);
    if (entry.isDirectory()) {
      const sub = await reflinkTree(from, to, onFileCopied && ((n) => onFileCopied(files + n)));
      files += sub.files;
      bytes += sub.bytes;
    } else if (entry.isFile()) {
      try {
        await fs.copyFile(from, to, fsConstants.COPYFILE_FICLONE_FORCE);
      } catch (error) {
        if (NO_REFLINK.has((error as NodeJS.ErrnoException).code ?? '')) throw new NoReflink();
        throw error;
      }
      files++;
      bytes += (await fs.stat(from)).size;
      onFileCopied?.(files);
    }
  }
  return { files, bytes };
}

/** A plain copy of the files and folders (a snapshot holds nothing else), counted as they are copied. */
async function copyTree(src: string, dest: string, retry: FsRetryOptions, onFileCopied?: (files: number) => void): Promise<{ files: number; bytes: number }> {
  let tally = { files: 0, bytes: 0 };
  await retryTransientFs(async () => {
    tally = { files: 0, bytes: 0 };
    await fse.copy(src, dest, {
      filter: async (from) => {
        const stat = await fs.lstat(from);
        if (stat.isFile()) {
          tally.files++;
          tally.bytes += stat.size;
          onFileCopied?.(tally.files);
        }
        return stat.isFile() || stat.isDirectory();
      },
    });
  }, retry);
  return tally;
}

async function measureTree(dir: string): Promise<{ files: number; bytes: number }> {
  let files = 0;
  let bytes = 0;
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      const sub = await measureTree(full);
      files += sub.files;
      bytes += sub.bytes;
    } else if (entry.isFile()) {
      files++;
      bytes += (await fs.stat(full)).size;
    }
  }
  return { files, bytes };
}

/** APFS clones whole trees in one call; returns false when the volume cannot clone. */
async function cloneWithCp(src: string, dest: string): Promise<boolean> {
  try {
    await promisify(execFile)('cp', ['-c', '-R', `${src}/`, dest]);
    return true;
  } catch {
    await fse.remove(dest);
    return false;
  }
}

/** Makes `cloneUdd` (which must not exist yet) a copy of `snapshotUdd`. A failed clone leaves nothing behind. */
export async function cloneSnapshot(snapshotUdd: string, cloneUdd: string, options: CloneOptions = {}): Promise<CloneResult> {
  const started = Date.now();
  const platform = options.platform ?? process.platform;
  const retry = { platform, ...options.retry };
  const src = path.resolve(snapshotUdd);
  const dest = path.resolve(cloneUdd);
  if (await fs.stat(dest).then(() => true, () => false)) {
    throw new CloneError(`Clone folder "${dest}" already exists.`, 'Each clone needs a new folder; remove the old one first.', dest);
  }
  try {
    if (platform === 'darwin' && (await cloneWithCp(src, dest))) {
      return { method: 'clonefile', ...(await measureTree(dest)), durationMs: Date.now() - started };
    }
    try {
      const cloned = await reflinkTree(src, dest, options.onFileCopied);
      if (cloned.files > 0) return { method: 'reflink', ...cloned, durationMs: Date.now() - started };
    } catch (error) {
      if (!(error instanceof NoReflink)) throw error;
      await fse.remove(dest);
    }
    return { method: 'copy', ...(await copyTree(src, dest, retry, options.onFileCopied)), durationMs: Date.now() - started };
  } catch (error) {
    await fse.remove(dest).catch(() => undefined);
    const code = (error as NodeJS.ErrnoException).code;
    throw new CloneError(
      `Copying the profile snapshot "${src}" to "${dest}" failed: ${(error as Error).message}.`,
      code === 'ENOSPC'
        ? 'The disk holding the temporary folder is full: free space or lower WORKERS.'
        : 'Check that the temporary folder is writable and has free space; the window will retry with a new clone.',
      dest,
      { cause: error },
    );
  }
}

export interface CloneVerification {
  ok: boolean;
  mismatches: ArtifactMismatch[];
}

/** VM-003: the clone's critical artifacts are byte-for-byte (SHA-256) those recorded in the snapshot manifest. */
export async function verifyCloneAgainstManifest(cloneUdd: string, profileName: string, manifest: SnapshotManifest): Promise<CloneVerification> {
  const mismatches = diffArtifacts(manifest.artifacts, await manifestChecksumsOf(cloneUdd, profileName));
  return { ok: mismatches.length === 0, mismatches };
}
