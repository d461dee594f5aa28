import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test, expect } from '@playwright/test';
import { resolveBaseProfile } from '../../support/profile/profile-locator.js';
import { ProfileInUseError } from '../../support/profile/profile-in-use.js';
import { diffArtifacts, manifestChecksumsOf } from '../../support/profile/profile-manifest.js';
import {
  localStateForSnapshot,
  readSnapshotManifest,
  shouldCopy,
  SnapshotError,
  takeSnapshot,
} from '../../support/profile/profile-snapshot.js';
import { buildFakeProfile, pointSingletonLock, spawnSleeper, tempDir } from './helpers-profile/fake-profile.js';

let root: string;
test.beforeEach(async () => {
  root = await tempDir('snapshot');
});
test.afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

const sha256 = async (file: string): Promise<string> => createHash('sha256').update(await fs.readFile(file)).digest('hex');

async function listTree(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await listTree(path.join(dir, entry.name), rel)));
    else out.push(rel);
  }
  return out.sort();
}

const SHOULD_COPY: [string, boolean][] = [
  ['Preferences', true],
  ['Secure Preferences', true],
  ['Network/Cookies', true],
  ['Network/Cookies-journal', true],
  ['Cookies', true],
  ['Cookies-wal', true],
  ['Login Data', true],
  ['Login Data-journal', true],
  ['Web Data', true],
  ['Local Storage/leveldb/000003.log', true],
  ['Session Storage/000003.log', true],
  ['IndexedDB/https_x_0.indexeddb.leveldb/000005.ldb', true],
  ['WebStorage/QuotaManager', true],
  ['File System/000/p/00/00000000', true],
  ['Service Worker/Database/CURRENT', true],
  ['Extensions/abc/1.0/manifest.json', true],
  ['Local Extension Settings/abc/000003.log', true],
  ['Cache', false],
  ['Cache/Cache_Data/data_0', false],
  ['Code Cache/js/index', false],
  ['GPUCache/data_1', false],
  ['old_GPUCache_000/data_1', false],
  ['old_ShaderCache_001', false],
  ['GrShaderCache/data_0', false],
  ['ShaderCache/data_0', false],
  ['DawnCache/data_0', false],
  ['GraphiteDawnCache/data_0', false],
  ['DawnWebGPUCache/data_0', false],
  ['DawnGraphiteCache/data_0', false],
  ['Media Cache/index', false],
  ['Storage/ext/abc/def/GPUCache/data_0', false],
  ['Service Worker/CacheStorage/abc/index', false],
  ['Service Worker/ScriptCache/index', false],
  ['Service Worker/ScriptCache', false],
  ['Sessions/Session_13400000000', false],
  ['Sessions_Encrypted/Tabs_1', false],
  ['Current Session', false],
  ['Last Tabs', false],
  ['Crashpad/settings.dat', false],
  ['BrowserMetrics-spare.pma', false],
  ['SingletonLock', false],
  ['SingletonSocket', false],
  ['SingletonCookie', false],
  ['lockfile', false],
  ['DevToolsActivePort', false],
  ['Network\\Cookies', true],
  ['Code Cache\\wasm\\index', false],
  ['Some Folder/Sessions', true],
];

for (const [rel, expected] of SHOULD_COPY) {
  test(`shouldCopy(${JSON.stringify(rel)}) is ${expected}`, () => {
    expect(shouldCopy(rel)).toBe(expected);
  });
}

test('localStateForSnapshot sets profile.last_used and keeps everything else', () => {
  const original = { os_crypt: { encrypted_key: 'abc' }, profile: { last_used: 'Profile 1', info_cache: { Default: { name: 'W' } } }, n: 1.25 };
  const written = JSON.parse(localStateForSnapshot(JSON.stringify(original), 'Default'));
  expect(written).toEqual({ ...original, profile: { ...original.profile, last_used: 'Default' } });
  expect(JSON.parse(localStateForSnapshot('{"x":true}', 'Default'))).toEqual({ x: true, profile: { last_used: 'Default' } });
});

test('snapshot copies state only, sets last_used, and writes a correct manifest beside the UDD', async () => {
  const fake = await buildFakeProfile(path.join(root, 'base'), { otherProfiles: [{ folder: 'Profile 1', displayName: 'Personal' }] });
  await pointSingletonLock(fake.udd, 'other-host', 1);
  await fs.writeFile(path.join(fake.udd, 'lockfile'), '');
  const base = resolveBaseProfile({ userDataDir: fake.udd, profileName: 'Default' });
  const baseBefore = await manifestChecksumsOf(fake.udd, 'Default');
  const dest = path.join(root, 'run', 'snapshot');

  const manifest = await takeSnapshot(base, dest);

  expect(await listTree(dest)).toEqual([
    'Default/IndexedDB/https_coupa.example.test_0.indexeddb.leveldb/000005.ldb',
    'Default/Local Storage/leveldb/000003.log',
    'Default/Local Storage/leveldb/CURRENT',
    'Default/Login Data',
    'Default/Login Data-journal',
    'Default/Network/Cookies',
    'Default/Network/Cookies-journal',
    'Default/Network/Network Persistent State',
    'Default/Preferences',
    'Default/Secure Preferences',
    'Default/Service Worker/Database/CURRENT',
    'Default/Web Data',
    'Local State',
  ]);
  expect((await fs.stat(path.join(dest, 'Default', 'Extension State'))).isDirectory()).toBe(true);

  const localState = JSON.parse(await fs.readFile(path.join(dest, 'Local State'), 'utf8'));
  const original = JSON.parse(await fs.readFile(base.localStatePath, 'utf8'));
  expect(localState.profile.last_used).toBe('Default');
  expect(original.profile.last_used).toBe('Profile 1');
  expect(localState).toEqual({ ...original, profile: { ...original.profile, last_used: 'Default' } });

  expect(manifest.manifestPath).toBe(path.join(root, 'run', 'manifest.json'));
  expect(await readSnapshotManifest(manifest.manifestPath)).toEqual(manifest);
  expect(manifest.snapshotUdd).toBe(dest);
  expect(manifest.profileName).toBe('Default');
  expect(manifest.source.cookieStorePath).toBe(base.cookieStorePath);
  expect(manifest.artifacts.map((a) => [a.role, a.file])).toEqual([
    ['local-state', 'Local State'],
    ['cookie-store', 'Default/Network/Cookies'],
    ['preferences', 'Default/Preferences'],
    ['login-data', 'Default/Login Data'],
    ['secure-preferences', 'Default/Secure Preferences'],
    ['web-data', 'Default/Web Data'],
  ]);
  for (const artifact of manifest.artifacts) {
    const file = path.join(dest, ...artifact.file.split('/'));
    expect(artifact.sha256).toBe(await sha256(file));
    expect(artifact.size).toBe((await fs.stat(file)).size);
    if (artifact.role !== 'local-state') expect(artifact.sha256).toBe(await sha256(path.join(fake.udd, ...artifact.file.split('/'))));
  }
  expect(manifest.excludedBytes).toBeGreaterThanOrEqual(fake.junkBytes);
  expect(manifest.copiedFiles).toBe(13);
  expect(manifest.copiedBytes).toBeLessThan(manifest.excludedBytes);
  expect(manifest.timings.totalMs).toBeGreaterThanOrEqual(manifest.timings.copyMs);

  // The base profile is only read.
  expect(diffArtifacts(baseBefore, await manifestChecksumsOf(fake.udd, 'Default'))).toEqual([]);
  expect(JSON.parse(await fs.readFile(base.localStatePath, 'utf8')).profile.last_used).toBe('Profile 1');
});

test('snapshot of the legacy layout hashes <profile>/Cookies', async () => {
  const fake = await buildFakeProfile(path.join(root, 'base'), { cookieLayout: 'legacy' });
  const manifest = await takeSnapshot(resolveBaseProfile({ userDataDir: fake.udd, profileName: 'Default' }), path.join(root, 'snap'));
  expect(manifest.artifacts.find((a) => a.role === 'cookie-store')?.file).toBe('Default/Cookies');
  expect(await fs.readdir(path.join(root, 'snap', 'Default'))).toContain('Cookies-journal');
});

test('snapshot refuses a base profile that a browser has open', async () => {
  const fake = await buildFakeProfile(path.join(root, 'base'));
  const base = resolveBaseProfile({ userDataDir: fake.udd, profileName: 'Default' });
  const sleeper = spawnSleeper();
  try {
    await pointSingletonLock(fake.udd, os.hostname(), sleeper.pid!);
    await expect(takeSnapshot(base, path.join(root, 'snap'))).rejects.toBeInstanceOf(ProfileInUseError);
  } finally {
    sleeper.kill();
  }
});

test('snapshot refuses a destination with content and a manifest inside the UDD', async () => {
  const fake = await buildFakeProfile(path.join(root, 'base'));
  const base = resolveBaseProfile({ userDataDir: fake.udd, profileName: 'Default' });
  const dest = path.join(root, 'snap');
  await fs.mkdir(dest);
  await fs.writeFile(path.join(dest, 'old'), 'x');
  await expect(takeSnapshot(base, dest)).rejects.toBeInstanceOf(SnapshotError);
  await expect(takeSnapshot(base, path.join(root, 'snap2'), { manifestPath: path.join(root, 'snap2', 'manifest.json') }))
    .rejects.toThrow(/inside the snapshot/);
});

test('snapshot refuses a base profile without Preferences', async () => {
  const fake = await buildFakeProfile(path.join(root, 'base'));
  const base = resolveBaseProfile({ userDataDir: fake.udd, profileName: 'Default' });
  await fs.rm(path.join(fake.profileDir, 'Preferences'));
  const error = await takeSnapshot(base, path.join(root, 'snap')).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(SnapshotError);
  expect((error as SnapshotError).path).toBe(path.join(fake.profileDir, 'Preferences'));
});

test('manifestChecksumsOf and diffArtifacts report changed and missing files', async () => {
  const fake = await buildFakeProfile(path.join(root, 'base'));
  const before = await manifestChecksumsOf(fake.udd, 'Default');
  expect(before).toHaveLength(6);
  await fs.appendFile(path.join(fake.profileDir, 'Preferences'), ' ');
  await fs.rm(path.join(fake.profileDir, 'Network', 'Cookies'));
  const after = await manifestChecksumsOf(fake.udd, 'Default');
  const mismatches = diffArtifacts(before, after);
  expect(mismatches.map((m) => m.file)).toEqual(['Default/Network/Cookies', 'Default/Preferences']);
  expect(mismatches[0]!.actual).toBeUndefined();
  const prefs = before.find((a) => a.role === 'preferences')!;
  expect(mismatches[1]).toMatchObject({ expected: prefs.sha256, expectedSize: prefs.size, actualSize: prefs.size + 1 });
});
