import fs from 'node:fs/promises';
import path from 'node:path';
import { OperatorError } from '../shared/operator-error.js';
import { z } from 'zod';
import { jsonText, writeFileAtomic } from '../shared/atomic-file.js';
import { retryTransientFs } from '../shared/fs-retry.js';
import { readJsonRecord } from '../shared/json-record.js';
import type { BaseProfile } from './profile-locator.js';
import { detectProfileInUse, ProfileInUseError } from './profile-in-use.js';
import { absolute, criticalFiles, diffArtifacts, digestBytes, manifestChecksumsOf, REQUIRED_ROLES, type ArtifactChecksum } from './profile-manifest.js';

/**
 * One consistent copy of the closed base profile, taken before any window starts. Every
 * clone is made from it (never from the live base profile), and its manifest of checksums
 * is what VM-003 compares clones against and what proves the base profile unchanged.
 */

/** Folder names that are regenerated caches, crash dumps or lock files, wherever they appear. */
const EXCLUDED_NAMES = new Set([
  'Cache',
  'Code Cache',
  'GPUCache',
  'GrShaderCache',
  'ShaderCache',
  'DawnCache',
  'GraphiteDawnCache',
  'DawnWebGPUCache',
  'DawnGraphiteCache',
  'Media Cache',
  'Crashpad',
  // A copied singleton can hand the new launch to the operator's open browser.
  'SingletonLock',
  'SingletonSocket',
  'SingletonCookie',
  'lockfile',
  'DevToolsActivePort',
]);

/** Session restore state at the top of the profile: copying it reopens the operator's tabs in every window. */
const SESSION_STATE = /^(Sessions(_.*)?|Current Session|Current Tabs|Last Session|Last Tabs)$/;

const EXCLUDED_SUBTREES = ['Service Worker/CacheStorage', 'Service Worker/ScriptCache'];

const SQLITE_SIDECAR = /-(journal|wal|shm)$/;

/** Chromium renames a cache it cannot read (`old_GPUCache_000`) instead of deleting it. */
const RENAMED_CACHE = /^old_\w*Cache_\d+$/;

/**
 * Whether a path inside the profile folder (relative to it, `/` or `\` separated) belongs in a
 * snapshot. At the UDD root only `Local State` and the profile folder are taken, so component
 * folders, `Crashpad`, `BrowserMetrics*`, other profiles and the singletons there stay out by construction.
 * SQLite `-journal`/`-wal`/`-shm` files follow their database, so a database is never copied without them.
 */
export function shouldCopy(relPath: string): boolean {
  const segments = relPath.split(/[\\/]+/).filter((s) => s !== '' && s !== '.');
  if (segments.length === 0) return true;
  const last = segments.length - 1;
  segments[last] = segments[last]!.replace(SQLITE_SIDECAR, '');
  if (segments.some((s) => EXCLUDED_NAMES.has(s) || s.startsWith('BrowserMetrics') || RENAMED_CACHE.test(s))) return false;
  if (SESSION_STATE.test(segments[0]!)) return false;
  const joined = segments.join('/');
  return !EXCLUDED_SUBTREES.some((sub) => joined === sub || joined.startsWith(`${sub}/`));
}

export interface SnapshotManifest {
  formatVersion: 1;
  createdAt: string;
  profileName: string;
  snapshotUdd: string;
  manifestPath: string;
  source: Pick<BaseProfile, 'userDataDir' | 'profileDir' | 'localStatePath' | 'cookieStorePath'>;
  /** As written in the snapshot (`Local State` with `profile.last_used` set). */
  artifacts: ArtifactChecksum[];
  copiedFiles: number;
  copiedBytes: number;
  excludedFiles: number;
  excludedBytes: number;
  timings: { copyMs: number; verifyMs: number; totalMs: number };
}

export class SnapshotError extends OperatorError {
  constructor(message: string, advice: string, readonly path: string, options?: { cause?: unknown }) {
    super(message, advice, options);
  }
}

/** The profile changed while it was copied: something still writes to it (a browser still shutting down). Worth another try. */
export class SnapshotInconsistentError extends SnapshotError {}

export interface TakeSnapshotOptions {
  /** Where to write the manifest; default `manifest.json` in the folder that holds `destUdd` (never inside the UDD). */
  manifestPath?: string;
}

/** `Local State` with `profile.last_used` set, so a launch without `--profile-directory` still opens this profile. */
export function localStateForSnapshot(localStateText: string, profileName: string): string {
  const state = JSON.parse(localStateText) as Record<string, unknown>;
  const profile = typeof state.profile === 'object' && state.profile !== null ? (state.profile as Record<string, unknown>) : {};
  state.profile = { ...profile, last_used: profileName };
  return JSON.stringify(state);
}

interface Tally {
  copiedFiles: number;
  copiedBytes: number;
  excludedFiles: number;
  excludedBytes: number;
}

async function countTree(dir: string, tally: Tally): Promise<void> {
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) await countTree(full, tally);
    else {
      tally.excludedFiles++;
      tally.excludedBytes += (await fs.lstat(full)).size;
    }
  }
}

/** `srcProfile`/`destProfile` are profile folders; `rel` is relative to them, as shouldCopy expects. */
async function copyProfileTree(srcProfile: string, destProfile: string, rel: string, tally: Tally): Promise<void> {
  const src = path.join(srcProfile, rel);
  await fs.mkdir(path.join(destProfile, rel), { recursive: true });
  for (const entry of await fs.readdir(src, { withFileTypes: true })) {
    const childRel = path.join(rel, entry.name);
    const childSrc = path.join(srcProfile, childRel);
    if (!shouldCopy(childRel) || entry.isSymbolicLink()) {
      if (entry.isDirectory()) await countTree(childSrc, tally);
      else {
        tally.excludedFiles++;
        tally.excludedBytes += (await fs.lstat(childSrc)).size;
      }
    } else if (entry.isDirectory()) {
      await copyProfileTree(srcProfile, destProfile, childRel, tally);
    } else if (entry.isFile()) {
      await retryTransientFs(() => fs.copyFile(childSrc, path.join(destProfile, childRel)));
      tally.copiedFiles++;
      tally.copiedBytes += (await fs.stat(childSrc)).size;
    }
  }
}

async function assertEmptyOrMissing(dir: string): Promise<void> {
  try {
    const entries = await fs.readdir(dir);
    if (entries.length) {
      throw new SnapshotError(
        `Snapshot folder "${dir}" already has content (${entries.slice(0, 3).join(', ')}…).`,
        'Give takeSnapshot a new folder: a snapshot is never merged into an older one.',
        dir,
      );
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

/**
 * Copies the closed base profile's state into `destUdd`. Refuses a profile that a browser has
 * open (its SQLite files would be torn) and fails if a critical file changed while copying.
 */
export async function takeSnapshot(base: BaseProfile, destUdd: string, options: TakeSnapshotOptions = {}): Promise<SnapshotManifest> {
  const started = Date.now();
  const dest = path.resolve(destUdd);
  const manifestPath = path.resolve(options.manifestPath ?? path.join(path.dirname(dest), 'manifest.json'));
  if (manifestPath.startsWith(dest + path.sep)) {
    throw new SnapshotError(`The snapshot manifest "${manifestPath}" would be inside the snapshot's user data folder.`, 'Put the manifest beside the snapshot folder.', manifestPath);
  }
  const holder = detectProfileInUse(base.userDataDir);
  if (holder) throw new ProfileInUseError(base.userDataDir, holder, 0);
  await assertEmptyOrMissing(dest);
  await fs.mkdir(dest, { recursive: true });

  const before = await manifestChecksumsOf(base.userDataDir, base.profileName);
  for (const role of REQUIRED_ROLES) {
    if (!before.some((a) => a.role === role)) {
      const missing = criticalFiles(base.userDataDir, base.profileName).find((f) => f.role === role)?.file ?? role;
      const missingPath = absolute(base.userDataDir, missing);
      throw new SnapshotError(
        `The base profile has no ${role === 'cookie-store' ? 'cookie store' : `"${missing}"`} (${missingPath}); a copy of it could not be signed in.`,
        'Start and close the browser once with this profile (npm run login signs it in), then run again.',
        missingPath,
      );
    }
  }

  const localStateText = await fs.readFile(base.localStatePath, 'utf8');
  const localStateOut = localStateForSnapshot(localStateText, base.profileName);
  await fs.writeFile(path.join(dest, 'Local State'), localStateOut);
  const tally: Tally = { copiedFiles: 1, copiedBytes: Buffer.byteLength(localStateOut), excludedFiles: 0, excludedBytes: 0 };
  try {
    await copyProfileTree(base.profileDir, path.join(dest, base.profileName), '', tally);
  } catch (error) {
    // A partial snapshot must never be cloned from.
    await fs.rm(dest, { recursive: true, force: true, maxRetries: 5 });
    const code = (error as NodeJS.ErrnoException).code;
    throw new SnapshotError(
      `Copying the base profile "${base.profileDir}" to the snapshot "${dest}" failed: ${(error as Error).message}.`,
      code === 'ENOSPC'
        ? 'The disk holding the temporary folder is full: free space (caches are not copied, so the snapshot is small) and run again.'
        : 'Close every browser using the profile, check that the temporary folder is writable, and run again.',
      dest,
      { cause: error },
    );
  }
  const copied = Date.now();

  const after = await manifestChecksumsOf(base.userDataDir, base.profileName);
  const written = await manifestChecksumsOf(dest, base.profileName);
  const sourceChanged = diffArtifacts(before, after);
  const copyDiffers = diffArtifacts(before.filter((a) => a.role !== 'local-state'), written);
  const localStateWritten = written.find((a) => a.role === 'local-state');
  const expectedLocalState = digestBytes(Buffer.from(localStateOut));
  if (sourceChanged.length || copyDiffers.length || localStateWritten?.sha256 !== expectedLocalState.sha256) {
    const files = [...sourceChanged, ...copyDiffers].map((m) => m.file);
    await fs.rm(dest, { recursive: true, force: true, maxRetries: 5 });
    throw new SnapshotInconsistentError(
      `The snapshot of "${base.profileDir}" is not a consistent copy: ${files.length ? files.join(', ') : 'Local State'} `
        + `${sourceChanged.length ? 'changed in the base profile while it was being copied' : 'differs from the base profile after copying'}.`,
      'Make sure no browser uses the profile (close Edge completely, including Startup Boost) and run again.',
      base.profileDir,
    );
  }

  const manifest: SnapshotManifest = {
    formatVersion: 1,
    createdAt: new Date(started).toISOString(),
    profileName: base.profileName,
    snapshotUdd: dest,
    manifestPath,
    source: {
      userDataDir: base.userDataDir,
      profileDir: base.profileDir,
      localStatePath: base.localStatePath,
      cookieStorePath: base.cookieStorePath,
    },
    artifacts: written,
    ...tally,
    timings: { copyMs: copied - started, verifyMs: Date.now() - copied, totalMs: Date.now() - started },
  };
  await writeFileAtomic(manifestPath, jsonText(manifest, true));
  return manifest;
}

const artifactSchema = z.object({
  role: z.enum(['local-state', 'cookie-store', 'preferences', 'login-data', 'secure-preferences', 'web-data']),
  file: z.string(),
  sha256: z.string(),
  size: z.number().int().nonnegative(),
});

const manifestSchema: z.ZodType<SnapshotManifest> = z.object({
  formatVersion: z.literal(1),
  createdAt: z.string(),
  profileName: z.string(),
  snapshotUdd: z.string(),
  manifestPath: z.string(),
  source: z.object({ userDataDir: z.string(), profileDir: z.string(), localStatePath: z.string(), cookieStorePath: z.string() }),
  artifacts: z.array(artifactSchema),
  copiedFiles: z.number(),
  copiedBytes: z.number(),
  excludedFiles: z.number(),
  excludedBytes: z.number(),
  timings: z.object({ copyMs: z.number(), verifyMs: z.number(), totalMs: z.number() }),
});

/** Reads a manifest written by takeSnapshot (workers read the one the run took before they started). */
export function readSnapshotManifest(manifestPath: string): SnapshotManifest {
  const read = readJsonRecord(manifestPath, manifestSchema);
  if (read.state === 'ok') return read.value;
  throw new SnapshotError(
    `The snapshot manifest "${manifestPath}" ${read.state === 'missing' ? 'is missing' : read.problem}.`,
    'Start the run again so that it takes a new snapshot.',
    manifestPath,
  );
}
