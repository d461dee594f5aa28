import { randomBytes } from 'node:crypto';
import path from 'node:path';
import fse from 'fs-extra';
import { retryTransientFs } from './fs-retry.js';

/**
 * Replaces a file in one step: the content goes to a temporary file beside it, which is
 * then renamed over the old one. A reader in another process sees the old file or the new
 * one, never half of either, and a run killed mid-write leaves the old file intact.
 */
export interface AtomicWriteOptions {
  /** Flushes the content to the disk before the rename, for files that must survive a power cut (reports, run records). */
  durable?: boolean;
  /** File mode of a new file, e.g. 0o600 for copies of what the profile holds. */
  mode?: number;
}

/** A folder that cannot be written has nothing to clean up; the write's own error is the one to report. */
function removeQuietly(remove: () => void): void {
  try {
    remove();
  } catch {
    // See above.
  }
}

/** Unique per process and call: two processes (or two writes of one process) never share a temporary file. */
const temporaryFor = (file: string) => `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;

export function writeFileAtomicSync(file: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): void {
  const temporary = temporaryFor(file);
  try {
    fse.ensureDirSync(path.dirname(file));
    const fd = fse.openSync(temporary, 'w', options.mode);
    try {
      fse.writeFileSync(fd, data);
      if (options.durable) fse.fsyncSync(fd);
    } finally {
      fse.closeSync(fd);
    }
    fse.renameSync(temporary, file);
  } catch (error) {
    removeQuietly(() => fse.removeSync(temporary));
    throw error;
  }
}

/**
 * The same, for a file that other processes read often: on Windows a reader holding the old
 * file at that instant makes the rename fail for a moment, so the rename is tried again.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const temporary = temporaryFor(file);
  try {
    await fse.ensureDir(path.dirname(file));
    await fse.writeFile(temporary, data, options.mode === undefined ? {} : { mode: options.mode });
    await retryTransientFs(() => fse.rename(temporary, file));
  } catch (error) {
    await fse.remove(temporary).catch(() => undefined);
    throw error;
  }
}

export const jsonText = (value: unknown, pretty = false) => `${JSON.stringify(value, null, pretty ? 2 : undefined)}\n`;
