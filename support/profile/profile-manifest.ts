import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { cookieStoreIn } from './profile-locator.js';

/**
 * The checksums that prove a profile copy is what it should be (VM-003): SHA-256 of the
 * critical files of a user data folder (`Local State`, cookie store, `Preferences`, …), for
 * a snapshot, a clone, or the base profile before and after a run, and how two sets differ.
 */
export type ArtifactRole = 'local-state' | 'cookie-store' | 'preferences' | 'login-data' | 'secure-preferences' | 'web-data';

export interface ArtifactDigest {
  sha256: string;
  size: number;
}

export interface ArtifactChecksum extends ArtifactDigest {
  role: ArtifactRole;
  /** Relative to the UDD, `/`-separated, e.g. `Default/Network/Cookies`. */
  file: string;
}

/** Artifacts whose absence makes a snapshot useless; the others are hashed when they exist. */
export const REQUIRED_ROLES: ReadonlySet<ArtifactRole> = new Set(['local-state', 'cookie-store', 'preferences']);

export function criticalFiles(udd: string, profileName: string): { role: ArtifactRole; file: string }[] {
  const cookieStore = cookieStoreIn(path.join(udd, profileName));
  return [
    { role: 'local-state', file: 'Local State' },
    ...(cookieStore ? [{ role: 'cookie-store' as const, file: `${profileName}/${cookieStore}` }] : []),
    { role: 'preferences', file: `${profileName}/Preferences` },
    { role: 'login-data', file: `${profileName}/Login Data` },
    { role: 'secure-preferences', file: `${profileName}/Secure Preferences` },
    { role: 'web-data', file: `${profileName}/Web Data` },
  ];
}

export async function digestFile(file: string): Promise<ArtifactDigest> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), size };
}

export function digestBytes(bytes: Buffer): ArtifactDigest {
  return { sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length };
}

export const absolute = (udd: string, rel: string): string => path.join(udd, ...rel.split('/'));

/** Checksums of the critical artifacts that exist in any UDD: a snapshot, a clone, or the base profile before and after a run. */
export async function manifestChecksumsOf(udd: string, profileName: string): Promise<ArtifactChecksum[]> {
  const found: ArtifactChecksum[] = [];
  for (const { role, file } of criticalFiles(udd, profileName)) {
    try {
      found.push({ role, file, ...(await digestFile(absolute(udd, file))) });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return found;
}

export interface ArtifactMismatch {
  file: string;
  /** SHA-256 recorded in the reference. */
  expected: string;
  /** SHA-256 found; absent when the file is missing. */
  actual?: string;
  expectedSize: number;
  actualSize?: number;
}

/** Every expected artifact that is missing or differs in `actual`; artifacts only in `actual` do not count. */
export function diffArtifacts(expected: ArtifactChecksum[], actual: ArtifactChecksum[]): ArtifactMismatch[] {
  const mismatches: ArtifactMismatch[] = [];
  for (const want of expected) {
    const got = actual.find((a) => a.role === want.role);
    if (!got || got.sha256 !== want.sha256 || got.size !== want.size) {
      mismatches.push({
        file: got?.file ?? want.file,
        expected: want.sha256,
        expectedSize: want.size,
        ...(got ? { actual: got.sha256, actualSize: got.size } : {}),
      });
    }
  }
  return mismatches;
}
