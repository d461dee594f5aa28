import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { resolveInside, uniqueFileName } from './file-names.js';

/**
 * Every file the job writes into a PO folder (downloads, PDFs made from messages) reaches
 * its name here, so no writer can ever replace another's file, whatever the timing.
 */

/** A hidden name in `folder` for a file still being written; `placeWithoutClobber` gives it its final name. */
export function temporaryFileIn(folder: string): string {
  return path.join(folder, `.${crypto.randomBytes(6).toString('hex')}.part`);
}

/** Lower-cased names in `folder`, for `taken` when the caller has not been keeping count. */
export function namesIn(folder: string): Set<string> {
  return new Set(fs.readdirSync(folder).map((name) => name.toLowerCase()));
}

/**
 * Moves the complete file at `tempPath` to `wanted` in `folder`, or to the next free
 * `name (n).ext`, and returns its path. A hard link fails when the name exists, so two
 * writers can never end up on the same path; `taken` (lower-cased names) gets the name.
 */
export function placeWithoutClobber(tempPath: string, folder: string, wanted: string, taken: Set<string>): string {
  for (;;) {
    const name = uniqueFileName(wanted, taken);
    taken.add(name.toLowerCase());
    const target = resolveInside(folder, name);
    try {
      fs.linkSync(tempPath, target);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') continue;
      // File systems without hard links (FAT/exFAT drives, some shares): check, then rename.
      if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS'].includes(code ?? '')) throw error;
      if (fs.existsSync(target)) continue;
      fs.renameSync(tempPath, target);
      return target;
    }
    fs.unlinkSync(tempPath);
    return target;
  }
}
