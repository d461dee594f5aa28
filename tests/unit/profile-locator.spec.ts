import fs from 'node:fs/promises';
import path from 'node:path';
import { test, expect } from '@playwright/test';
import { knownProfilesFrom, ProfileConfigError, resolveBaseProfile } from '../../support/profile/profile-locator.js';
import { buildFakeProfile, tempDir } from './helpers-profile/fake-profile.js';

let root: string;
test.beforeEach(async () => {
  root = await tempDir('locator');
});
test.afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

function configError(action: () => unknown): ProfileConfigError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(ProfileConfigError);
    return error as ProfileConfigError;
  }
  throw new Error('expected a ProfileConfigError');
}

test('resolves a profile with the current Network/Cookies layout', async () => {
  const udd = path.join(root, 'User Data');
  await buildFakeProfile(udd, { cookieLayout: 'network' });
  const base = resolveBaseProfile({ userDataDir: udd, profileName: 'Default' });
  expect(base).toEqual({
    userDataDir: udd,
    profileName: 'Default',
    profileDir: path.join(udd, 'Default'),
    localStatePath: path.join(udd, 'Local State'),
    cookieStorePath: path.join(udd, 'Default', 'Network', 'Cookies'),
  });
});

test('resolves the legacy <profile>/Cookies layout of Debian Chromium', async () => {
  const udd = path.join(root, 'chromium');
  await buildFakeProfile(udd, { cookieLayout: 'legacy', profileName: 'Profile 1' });
  const base = resolveBaseProfile({ userDataDir: udd, profileName: 'Profile 1' });
  expect(base.cookieStorePath).toBe(path.join(udd, 'Profile 1', 'Cookies'));
});

test('missing user data dir names EDGE_PROFILE_DIR and the path', () => {
  const udd = path.join(root, 'nope');
  const error = configError(() => resolveBaseProfile({ userDataDir: udd, profileName: 'Default' }));
  expect(error.setting).toBe('EDGE_PROFILE_DIR');
  expect(error.path).toBe(udd);
  expect(error.message).toContain(`EDGE_PROFILE_DIR="${udd}": no such folder`);
  expect(error.advice).toContain('Local State');
});

test('a file given as user data dir is refused', async () => {
  const file = path.join(root, 'file.txt');
  await fs.writeFile(file, 'x');
  const error = configError(() => resolveBaseProfile({ userDataDir: file, profileName: 'Default' }));
  expect(error.setting).toBe('EDGE_PROFILE_DIR');
  expect(error.message).toContain('is a file, not a folder');
});

test('a folder without Local State is refused', async () => {
  const udd = path.join(root, 'empty');
  await fs.mkdir(udd);
  const error = configError(() => resolveBaseProfile({ userDataDir: udd, profileName: 'Default' }));
  expect(error.setting).toBe('EDGE_PROFILE_DIR');
  expect(error.message).toContain('has no "Local State" file');
  expect(error.advice).toContain('npm run login');
});

test('a profile folder given as user data dir gets the exact settings to use instead', async () => {
  const udd = path.join(root, 'User Data');
  await buildFakeProfile(udd, { profileName: 'Profile 2' });
  const error = configError(() => resolveBaseProfile({ userDataDir: path.join(udd, 'Profile 2'), profileName: 'Default' }));
  expect(error.setting).toBe('EDGE_PROFILE_DIR');
  expect(error.message).toContain('is a profile folder');
  expect(error.advice).toBe(`Set EDGE_PROFILE_DIR=${udd} and EDGE_PROFILE_NAME=Profile 2.`);
});

test('unreadable Local State is reported with its path', async () => {
  const udd = path.join(root, 'User Data');
  await buildFakeProfile(udd);
  await fs.writeFile(path.join(udd, 'Local State'), '{"profile": ');
  const error = configError(() => resolveBaseProfile({ userDataDir: udd, profileName: 'Default' }));
  expect(error.path).toBe(path.join(udd, 'Local State'));
  expect(error.message).toContain('cannot be read');
});

test('a missing profile lists the profiles that exist, with their names from Local State', async () => {
  const udd = path.join(root, 'User Data');
  await buildFakeProfile(udd, { otherProfiles: [{ folder: 'Profile 1', displayName: 'Personal' }] });
  const error = configError(() => resolveBaseProfile({ userDataDir: udd, profileName: 'Profile 7' }));
  expect(error.setting).toBe('EDGE_PROFILE_NAME');
  expect(error.path).toBe(path.join(udd, 'Profile 7'));
  expect(error.message).toContain('EDGE_PROFILE_NAME="Profile 7"');
  expect(error.message).toContain('Profiles in');
  expect(error.message).toContain('Default ("Work"), Profile 1 ("Personal")');
  // Component folders at the UDD root are not profiles.
  expect(error.message).not.toContain('Crashpad');
  expect(error.message).not.toContain('Safe Browsing');
});

test('a profile that never signed in (no cookie store) advises npm run login', async () => {
  const udd = path.join(root, 'User Data');
  await buildFakeProfile(udd, { cookieLayout: 'none' });
  const error = configError(() => resolveBaseProfile({ userDataDir: udd, profileName: 'Default' }));
  expect(error.setting).toBe('EDGE_PROFILE_NAME');
  expect(error.path).toBe(path.join(udd, 'Default'));
  expect(error.message).toContain('has no cookie store');
  expect(error.advice).toContain('npm run login');
});

test('knownProfilesFrom keeps folders with Preferences or listed in info_cache', () => {
  const localState = { profile: { info_cache: { Default: { name: 'Work' }, 'Profile 3': { name: 'Old' } } } };
  expect(knownProfilesFrom([
    { name: 'Default', hasPreferences: true },
    { name: 'Profile 3', hasPreferences: false },
    { name: 'Crashpad', hasPreferences: false },
    { name: 'Guest Profile', hasPreferences: true },
  ], localState)).toEqual([
    { folder: 'Default', displayName: 'Work' },
    { folder: 'Guest Profile' },
    { folder: 'Profile 3', displayName: 'Old' },
  ]);
  expect(knownProfilesFrom([{ name: 'Default', hasPreferences: true }], undefined)).toEqual([{ folder: 'Default' }]);
});
