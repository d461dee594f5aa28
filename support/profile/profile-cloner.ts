import { execFile } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import lockfile from 'proper-lockfile';
import { OperatorError } from '../shared/operator-error.js';
import { withFsRetry, type FsRetryOptions } from '../shared/fs-retry.js';
import { diffArtifacts, manifestChecksumsOf, type ArtifactMismatch } from './profile-manifest.js';
import type { SnapshotManifest } from './profile-snapshot.js';

/**
 * Per-window clones of the run's snapshot: copy-on-write where the file system can, a plain
 * copy otherwise; checked against the snapshot manifest (VM-003); and a throttle shared by
 * all worker processes so that N windows starting together do not thrash the disk (FR-016).
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
  /** Retry policy for transient errors on each file (NFR-002). */
  retry?: FsRetryOptions;
  /** Progress, after each file copied (not called when a whole tree is cloned in one call); throwing stops the copy. */
  onFileCopied?: (files: number) => void;
}

/** errno codes by which a file system says "no copy-on-write here", as opposed to a real failure. */
const NO_REFLINK = new Set(['ENOTSUP', 'EOPNOTSUPP', 'EXDEV', 'EINVAL', 'ENOSYS', 'ENOTTY', 'EPERM']);

interface CopyState {
  onFileCopied?: (files: number) => void;
  reflinkWorks: boolean;
  reflinked: number;
  files: number;
  bytes: number;
}

async function copyOne(src: string, dest: string, state: CopyState, retry: FsRetryOptions): Promise<void> {
  if (state.reflinkWorks) {
    try {
      // FICLONE_FORCE fails instead of silently copying, which is how we learn what the file system did.
      await fs.copyFile(src, dest, fsConstants.COPYFILE_FICLONE_FORCE);
      state.reflinked++;
      return;
    } catch (error) {
      if (!NO_REFLINK.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
      state.reflinkWorks = false;
    }
  }
  await withFsRetry(() => fs.copyFile(src, dest), retry);
}

async function copyTree(src: string, dest: string, state: CopyState, retry: FsRetryOptions): Promise<void> {
  await fs.mkdir(dest, { recursive: true });
  for (const entry of await fs.readdir(src, { withFileTypes: true })) {
    const from = path.join(src, entry.name);
    const to = path.join(dest, entry.name);
    if (entry.isDirectory()) await copyTree(from, to, state, retry);
    else if (entry.isFile()) {
      await copyOne(from, to, state, retry);
      state.files++;
      state.bytes += (await fs.stat(from)).size;
      state.onFileCopied?.(state.files);
    }
  }
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
    await fs.rm(dest, { recursive: true, force: true, maxRetries: 5 });
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
    const state: CopyState = { onFileCopied: options.onFileCopied, reflinkWorks: true, reflinked: 0, files: 0, bytes: 0 };
    await copyTree(src, dest, state, retry);
    return {
      method: state.files > 0 && state.reflinked === state.files ? 'reflink' : 'copy',
      bytes: state.bytes,
      files: state.files,
      durationMs: Date.now() - started,
    };
  } catch (error) {
    await fs.rm(dest, { recursive: true, force: true, maxRetries: 5 }).catch(() => undefined);
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

// ---- Cross-process clone throttle -------------------------------------------------------

export interface SlotEvent {
  slot: number;
  pid: number;
  event: 'start' | 'end';
  /** ms since the epoch */
  t: number;
}

/** Most slot holders at any one time; an `end` and a `start` at the same millisecond do not overlap. */
export function peakConcurrency(events: SlotEvent[]): number {
  const ordered = [...events].sort((a, b) => a.t - b.t || (a.event === b.event ? 0 : a.event === 'end' ? -1 : 1));
  let current = 0;
  let peak = 0;
  for (const e of ordered) {
    current += e.event === 'start' ? 1 : -1;
    peak = Math.max(peak, current);
  }
  return peak;
}

export const SLOT_EVENTS_FILE = 'events.jsonl';

export async function readSlotEvents(slotsDir: string): Promise<SlotEvent[]> {
  let text: string;
  try {
    text = await fs.readFile(path.join(slotsDir, SLOT_EVENTS_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as SlotEvent);
}

export interface AcquireCloneSlotOptions {
  /** How many clones may be copied at once across all processes (MAX_CONCURRENT_CLONES). */
  limit: number;
  /** Default 250 ms. */
  pollMs?: number;
  /**
   * A slot whose holder stopped refreshing it for this long (killed worker) is taken over.
   * Default 10 000 ms; proper-lockfile refreshes it every half of that and accepts at least 2 000 ms.
   */
  staleMs?: number;
  /** Called at every poll while all slots are busy, so the operator sees clone back-pressure (NFR-006). */
  onWait?: (waitingMs: number, busySlots: number) => void;
}

export type ReleaseCloneSlot = () => Promise<void>;

async function appendEvent(slotsDir: string, event: SlotEvent): Promise<void> {
  // One short O_APPEND write per event: lines from different processes do not interleave.
  await fs.appendFile(path.join(slotsDir, SLOT_EVENTS_FILE), `${JSON.stringify(event)}\n`);
}

/**
 * Waits for one of `limit` slots shared by every process that uses the same `slotsDir`, and
 * returns the function that frees it. Start and end are logged to `events.jsonl` for peakConcurrency.
 */
export async function acquireCloneSlot(slotsDir: string, options: AcquireCloneSlotOptions): Promise<ReleaseCloneSlot> {
  const limit = Math.max(1, Math.floor(options.limit));
  const pollMs = options.pollMs ?? 250;
  const stale = Math.max(2_000, options.staleMs ?? 10_000);
  await fs.mkdir(slotsDir, { recursive: true });
  const started = Date.now();
  for (;;) {
    for (let slot = 0; slot < limit; slot++) {
      const slotFile = path.join(slotsDir, `slot-${slot}`);
      let compromised: Error | undefined;
      let unlock: () => Promise<void>;
      try {
        unlock = await lockfile.lock(slotFile, {
          stale,
          realpath: false,
          retries: 0,
          // A holder frozen past `stale` loses its slot to another process; it must not crash the worker for that.
          onCompromised: (error) => {
            compromised = error;
          },
        });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ELOCKED') continue;
        throw error;
      }
      await appendEvent(slotsDir, { slot, pid: process.pid, event: 'start', t: Date.now() });
      let released = false;
      return async () => {
        if (released) return;
        released = true;
        await appendEvent(slotsDir, { slot, pid: process.pid, event: 'end', t: Date.now() });
        if (!compromised) await unlock();
      };
    }
    options.onWait?.(Date.now() - started, limit);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
