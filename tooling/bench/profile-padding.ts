import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Makes a freshly signed-in bench profile look like an operator's: real profiles carry
 * hundreds of megabytes of HTTP cache and compiled-script cache. The
 * snapshot leaves them out; a naive full copy does not, which is what the benchmark
 * compares the clone against.
 */
export interface PaddingFile {
  /** Relative to the profile folder, `/`-separated. */
  relPath: string;
  bytes: number;
}

// Shares of the total and the file-size cycle of each cache, after what Chromium writes:
// many small HTTP cache entries with some large ones, many small script-cache entries.
// No GPU cache: Chromium moves a GPU cache it cannot read aside to `old_GPUCache_000`,
// which the snapshot does not recognise as a cache, so padding there would inflate every
// clone with an artefact of the padding rather than measure the clone.
const CACHES: { dir: string; share: number; sizes: number[]; name: (i: number) => string }[] = [
  { dir: 'Cache/Cache_Data', share: 0.8, sizes: [8_000, 24_000, 60_000, 150_000, 400_000, 1_200_000], name: (i) => `f_${i.toString(16).padStart(6, '0')}` },
  { dir: 'Code Cache/js', share: 0.2, sizes: [4_000, 12_000, 40_000, 100_000], name: (i) => `${(0x9e3779b97f4a7c15n * BigInt(i + 1)).toString(16).slice(-16).padStart(16, '0')}_0` },
];

/** The files that add up to `totalBytes` (exactly), spread over the caches. */
export function paddingPlan(totalBytes: number): PaddingFile[] {
  const files: PaddingFile[] = [];
  let assigned = 0;
  CACHES.forEach((cache, c) => {
    const target = c === CACHES.length - 1 ? totalBytes - assigned : Math.floor(totalBytes * cache.share);
    let left = target;
    for (let i = 0; left > 0; i++) {
      const bytes = Math.min(left, cache.sizes[i % cache.sizes.length]!);
      files.push({ relPath: `${cache.dir}/${cache.name(i)}`, bytes });
      left -= bytes;
    }
    assigned += target;
  });
  return files;
}

export interface PaddingResult {
  files: number;
  bytes: number;
  /** Files (re)written now; 0 when the padding was already in place. */
  written: number;
  ms: number;
}

/**
 * Writes the plan into `<userDataDir>/<profileName>`. Files already there with the right
 * size are kept, so padding again (the browser may prune its cache) only tops it up.
 */
export async function padProfile(userDataDir: string, profileName: string, totalBytes: number): Promise<PaddingResult> {
  const started = performance.now();
  const plan = paddingPlan(totalBytes);
  const maxFile = Math.max(0, ...plan.map((f) => f.bytes));
  // Random bytes, so no file system or copy can shortcut them; one buffer sliced per file.
  const source = crypto.randomBytes(maxFile);
  const profileDir = path.join(userDataDir, profileName);
  let written = 0;
  for (const file of plan) {
    const target = path.join(profileDir, ...file.relPath.split('/'));
    const existing = await fs.promises.stat(target).catch(() => undefined);
    if (existing?.size === file.bytes) continue;
    await fs.promises.mkdir(path.dirname(target), { recursive: true });
    await fs.promises.writeFile(target, source.subarray(0, file.bytes));
    written++;
  }
  return { files: plan.length, bytes: totalBytes, written, ms: performance.now() - started };
}

export interface TreeSize {
  files: number;
  bytes: number;
}

/** Regular files under `dir` (symlinks such as a leftover `SingletonLock` are not followed). */
export async function treeSize(dir: string): Promise<TreeSize> {
  let files = 0;
  let bytes = 0;
  const walk = async (current: string): Promise<void> => {
    for (const entry of await fs.promises.readdir(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) {
        files++;
        bytes += (await fs.promises.stat(full)).size;
      }
    }
  };
  await walk(dir);
  return { files, bytes };
}

export interface NaiveCopyResult extends TreeSize {
  ms: number;
}

/**
 * What the operators' old tool did for each window: copy the whole user data dir. Timed
 * into `scratchDir` and removed again; the comparison point for the snapshot clone.
 */
export async function timeNaiveCopy(userDataDir: string, scratchDir: string): Promise<NaiveCopyResult> {
  const dest = path.join(scratchDir, `naive-copy-${process.pid}-${Date.now()}`);
  try {
    const started = performance.now();
    await fs.promises.cp(userDataDir, dest, { recursive: true, verbatimSymlinks: true });
    const ms = performance.now() - started;
    return { ...(await treeSize(dest)), ms };
  } finally {
    await fs.promises.rm(dest, { recursive: true, force: true });
  }
}
