import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { loadSettings, SettingsError, type LoadSettingsOptions } from '../../support/settings.js';

let scratch: string;
test.beforeEach(() => {
  scratch = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'settings-')));
});
test.afterEach(() => {
  fs.rmSync(scratch, { recursive: true, force: true });
});

const profile = () => path.join(scratch, 'profile', 'User Data');

function load(env: Record<string, string>, options: Partial<LoadSettingsOptions> = {}) {
  const notices: string[] = [];
  const settings = loadSettings({
    env: { COUPA_BASE_URL: 'https://acme.coupahost.com', EDGE_PROFILE_DIR: profile(), ...env },
    cwd: scratch,
    skipEnvFile: true,
    tempDir: path.join(scratch, 'tmp'),
    notice: (message) => notices.push(message),
    ...options,
  });
  return { settings, notices };
}

function problems(action: () => unknown): string[] {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(SettingsError);
    return (error as SettingsError).problems;
  }
  throw new Error('expected a SettingsError');
}

test.describe('COUPA_BASE_URL', () => {
  test('must be https:// unless the tenant is this machine', () => {
    for (const url of ['https://acme.coupahost.com', 'http://127.0.0.1:8080', 'http://127.0.0.2:9', 'http://localhost:3000', 'http://coupa.localhost', 'http://[::1]:8080']) {
      expect(load({ COUPA_BASE_URL: url }).settings.coupaBaseUrl.href, url).toBe(new URL(url).href);
    }
    for (const url of ['http://acme.coupahost.com', 'http://10.0.0.5', 'http://127.0.0.1.nip.io']) {
      const [problem] = problems(() => load({ COUPA_BASE_URL: url }));
      expect(problem).toContain(`COUPA_BASE_URL="${url}" must start with https://`);
    }
  });
});

test.describe('paths', () => {
  test('~ and %USERPROFILE% are the home folder; relative paths start in the working folder', () => {
    const home = path.join(scratch, 'home');
    const { settings } = load(
      { EDGE_PROFILE_DIR: '~/edge/User Data', DOWNLOAD_DIR: '%USERPROFILE%/Coupa downloads', INPUT_CSV: 'lists/po.csv' },
      { homeDir: home, platform: 'linux' },
    );
    expect(settings.edgeProfileDir).toBe(path.join(home, 'edge', 'User Data'));
    expect(settings.downloadDir).toBe(path.join(home, 'Coupa downloads'));
    expect(settings.inputCsv).toBe(path.join(scratch, 'lists', 'po.csv'));
    // Outside Windows a `%` is part of a file name, and `~` only means home at the start.
    expect(load({ DOWNLOAD_DIR: 'a%LOCALAPPDATA%b/x~y' }, { platform: 'linux' }).settings.downloadDir).toBe(path.join(scratch, 'a%LOCALAPPDATA%b', 'x~y'));
  });

  test('on Windows every %NAME% is an environment variable, names in any case; an unset one is a problem', () => {
    const local = path.join(scratch, 'Local');
    const { settings } = load({ EDGE_PROFILE_DIR: '%localappdata%/Microsoft/Edge/User Data', LocalAppData: local, DOWNLOAD_DIR: '%USERPROFILE%/dl' }, { platform: 'win32', homeDir: '/home/op' });
    expect(settings.edgeProfileDir).toBe(path.resolve(local, 'Microsoft/Edge/User Data'));
    expect(settings.downloadDir).toBe(path.resolve('/home/op/dl'));
    expect(problems(() => load({ DOWNLOAD_DIR: '%ONEDRIVE%/Coupa' }, { platform: 'win32' }))).toEqual(['DOWNLOAD_DIR="%ONEDRIVE%/Coupa" uses %ONEDRIVE%, which is not set in the environment.']);
  });

  test('a download folder or temporary folder inside the browser profile folder is refused', () => {
    const inside = problems(() => load({ DOWNLOAD_DIR: path.join(profile(), 'Default', 'downloads') }, { tempDir: path.join(profile(), 'tmp') }));
    expect(inside).toHaveLength(2);
    expect(inside[0]).toContain(`DOWNLOAD_DIR (${path.join(profile(), 'Default', 'downloads')}) is inside the browser profile folder EDGE_PROFILE_DIR (${profile()})`);
    expect(inside[1]).toContain(`The temporary folder (${path.join(profile(), 'tmp')}, from TMPDIR) is inside the browser profile folder`);
    expect(problems(() => load({ DOWNLOAD_DIR: profile() }))[0]).toContain('DOWNLOAD_DIR');

    // Through a symbolic link, and beside the profile (not inside it) is fine.
    fs.mkdirSync(profile(), { recursive: true });
    fs.symlinkSync(profile(), path.join(scratch, 'link'));
    expect(problems(() => load({ DOWNLOAD_DIR: path.join(scratch, 'link', 'dl') }))[0]).toContain('DOWNLOAD_DIR');
    expect(load({ DOWNLOAD_DIR: path.join(scratch, 'profile', 'User Data 2') }).settings.downloadDir).toBe(path.join(scratch, 'profile', 'User Data 2'));
    expect(problems(() => load({ DOWNLOAD_DIR: path.join(profile().toUpperCase(), 'x') }, { platform: 'win32' }))[0]).toContain('DOWNLOAD_DIR');
  });
});

test.describe('.env', () => {
  test('a key that looks like a setting is named with the setting it probably meant; unrelated keys pass', () => {
    fs.writeFileSync(path.join(scratch, '.env'), 'COUPA_BASE_URL=https://acme.coupahost.com\nHEADLES=false\nWORKER=2\nheadless=false\nDOWNLOADS_DIR=x\nPROFILE_POLCY=all-clones\nMY_OWN_THING=1\n');
    const { settings, notices } = load({}, { skipEnvFile: false, env: { EDGE_PROFILE_DIR: profile() } });
    expect(settings.headless).toBe(true);
    const file = path.join(scratch, '.env');
    expect(notices).toEqual(
      [
        ['HEADLES', 'HEADLESS'],
        ['WORKER', 'WORKERS'],
        ['headless', 'HEADLESS'],
        ['DOWNLOADS_DIR', 'DOWNLOAD_DIR'],
        ['PROFILE_POLCY', 'PROFILE_POLICY'],
      ].map(([key, meant]) => `.env (${file}) sets "${key}", which is not a setting and is ignored: did you mean ${meant}?`),
    );
  });

  test('no .env in the working folder is said; a .env found is not', () => {
    const { notices } = load({}, { skipEnvFile: false });
    expect(notices).toEqual([`no .env found in ${scratch}: the settings come from the environment only (copy .env.example to .env to keep them in a file).`]);
    fs.writeFileSync(path.join(scratch, '.env'), 'WORKERS=2\n');
    expect(load({}, { skipEnvFile: false })).toMatchObject({ notices: [], settings: { workers: 2 } });
  });

  test('ENV_FILE may start with ~; a missing one is a problem, an empty one means ./.env', () => {
    const home = path.join(scratch, 'home');
    fs.mkdirSync(home);
    fs.writeFileSync(path.join(home, 'coupa.env'), 'WORKERS=5\n');
    expect(load({ ENV_FILE: '~/coupa.env' }, { skipEnvFile: false, homeDir: home }).settings.workers).toBe(5);
    expect(() => load({ ENV_FILE: '~/none.env' }, { skipEnvFile: false, homeDir: home })).toThrow(`ENV_FILE="~/none.env": no such file (${path.join(home, 'none.env')})`);
    expect(load({ ENV_FILE: '' }, { skipEnvFile: false }).notices).toEqual([expect.stringContaining('no .env found')]);
  });
});

test.describe('LAUNCH_CONCURRENCY', () => {
  test('defaults to half the CPU cores, at least one; set, it must be a whole number from 1', () => {
    expect([1, 2, 3, 4, 8].map((cpus) => load({}, { cpus }).settings.launchConcurrency)).toEqual([1, 1, 1, 2, 4]);
    expect(load({ LAUNCH_CONCURRENCY: '3' }, { cpus: 2 }).settings.launchConcurrency).toBe(3);
    for (const value of ['0', 'two', '1.5']) expect(problems(() => load({ LAUNCH_CONCURRENCY: value }))[0], value).toContain('LAUNCH_CONCURRENCY');
  });
});
