import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { test, expect } from '@playwright/test';
import { resolveBaseProfile } from '../../support/profile/profile-locator.js';
import {
  CloneError,
  cloneSnapshot,
  verifyCloneAgainstManifest,
} from '../../support/profile/profile-cloner.js';
import { takeSnapshot, type SnapshotManifest } from '../../support/profile/profile-snapshot.js';
import { buildFakeProfile, tempDir } from './helpers-profile/fake-profile.js';

let root: string;
test.beforeEach(async () => {
  root = await tempDir('cloner');
});
test.afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

async function snapshot(): Promise<SnapshotManifest> {
  const fake = await buildFakeProfile(path.join(root, 'base'));
  return takeSnapshot(resolveBaseProfile({ userDataDir: fake.udd, profileName: 'Default' }), path.join(root, 'run', 'snapshot'));
}

async function treeDigest(dir: string, prefix = ''): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) Object.assign(out, { [`${rel}/`]: 'dir' }, await treeDigest(full, rel));
    else out[rel] = createHash('sha256').update(await fs.readFile(full)).digest('hex');
  }
  return out;
}

test('a clone is an exact copy of the snapshot and verifies against the manifest', async () => {
  const manifest = await snapshot();
  const clone = path.join(root, 'run', 'B', 'User Data');
  const result = await cloneSnapshot(manifest.snapshotUdd, clone);
  expect(await treeDigest(clone)).toEqual(await treeDigest(manifest.snapshotUdd));
  expect(['reflink', 'copy']).toContain(result.method);
  expect(result.files).toBe(manifest.copiedFiles);
  expect(result.bytes).toBe(manifest.copiedBytes);
  expect(await verifyCloneAgainstManifest(clone, 'Default', manifest)).toEqual({ ok: true, mismatches: [] });
});

test('a clone with its cookie store deleted or Preferences changed fails verification', async () => {
  const manifest = await snapshot();
  const clone = path.join(root, 'run', 'C');
  await cloneSnapshot(manifest.snapshotUdd, clone);
  await fs.rm(path.join(clone, 'Default', 'Network', 'Cookies'));
  const cookieStore = manifest.artifacts.find((a) => a.role === 'cookie-store')!;
  const verification = await verifyCloneAgainstManifest(clone, 'Default', manifest);
  expect(verification.ok).toBe(false);
  expect(verification.mismatches).toEqual([
    { file: 'Default/Network/Cookies', expected: cookieStore.sha256, expectedSize: cookieStore.size },
  ]);

  await fs.writeFile(path.join(clone, 'Default', 'Preferences'), '{}');
  const again = await verifyCloneAgainstManifest(clone, 'Default', manifest);
  expect(again.mismatches.map((m) => m.file)).toEqual(['Default/Network/Cookies', 'Default/Preferences']);
  expect(again.mismatches[1]!.actualSize).toBe(2);
});

test('cloning into an existing folder is refused, and a failed clone leaves nothing behind', async () => {
  const manifest = await snapshot();
  const existing = path.join(root, 'exists');
  await fs.mkdir(existing);
  await expect(cloneSnapshot(manifest.snapshotUdd, existing)).rejects.toBeInstanceOf(CloneError);

  const target = path.join(root, 'from-missing');
  const error = await cloneSnapshot(path.join(root, 'no-such-snapshot'), target).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(CloneError);
  expect((error as CloneError).message).toContain('no-such-snapshot');
  await expect(fs.stat(target)).rejects.toMatchObject({ code: 'ENOENT' });
});
