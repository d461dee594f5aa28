import { expect, test } from '@playwright/test';
import type { ResolvedBrowser } from '../../support/profile/browser-launch.js';
import type { CookieStoreSummary } from '../../support/profile/cookie-store.js';
import type { BaseProfile } from '../../support/profile/profile-locator.js';
import { explainVerificationFailure, type DiagnosisInput } from '../../support/window/failure-diagnosis.js';
import { judgeIntrospection, switchValue, type IntrospectionFacts } from '../../support/window/browser-introspection.js';
import { samePath } from '../../support/window/profile-verifier.js';
import { windowLetter } from '../../support/window/window-identity.js';

test('windows are lettered A..Z, then AA, AB, …', () => {
  expect([0, 1, 2, 25, 26, 27].map(windowLetter)).toEqual(['A', 'B', 'C', 'Z', 'AA', 'AB']);
});

test('a switch is read as Chromium reads it: one argument each, spaces kept, the last one given counts', () => {
  const args = ['/usr/lib/chromium/chromium', '--user-data-dir=/tmp/a', '--foo', '--user-data-dir=/tmp/run/B/User Data', '--profile-directory=Profile 1'];
  expect(switchValue(args, 'user-data-dir')).toBe('/tmp/run/B/User Data');
  expect(switchValue(args, 'profile-directory')).toBe('Profile 1');
  expect(switchValue(args, 'foo')).toBeUndefined();
  expect(switchValue(['--user-data-dirx=/y'], 'user-data-dir')).toBeUndefined();
});

test('VM-002: the browser\'s own command line names the intended folder and profile, and that very browser holds the folder\'s lock', () => {
  const udd = '/tmp/run/clones/B/User Data';
  const expected = { userDataDir: udd, profileName: 'Default' };
  const held = (pid?: number): IntrospectionFacts['lock'] => ({ state: 'held', holder: { ...(pid !== undefined ? { pid } : {}), evidence: 'SingletonLock -> vm-42' } });
  const facts = (args: string[], lock = held(42)): IntrospectionFacts => ({ arguments: ['chromium', ...args], browserPid: 42, lock });
  const judge = (f: IntrospectionFacts, platform: NodeJS.Platform = 'linux') => judgeIntrospection(f, expected, platform);

  expect(judge(facts([`--user-data-dir=${udd}`, '--profile-directory=Default']))).toMatchObject({ ok: true, detail: expect.stringContaining('browser 42 runs on') });
  expect(judge(facts([`--user-data-dir=${udd}/`])), 'no profile named: Chromium opens Default').toMatchObject({ ok: true });
  expect(judge(facts([`--user-data-dir=${udd}2`, '--profile-directory=Default'])).detail).toContain(`--user-data-dir=${udd}2, expected`);
  expect(judge(facts(['--profile-directory=Default'])).detail).toContain('no --user-data-dir');
  expect(judge(facts([`--user-data-dir=${udd}`, '--profile-directory=Profile 1'])).detail).toContain('--profile-directory=Profile 1, expected Default');
  expect(judge(facts([`--user-data-dir=${udd}`], held(7))).detail, 'another browser holds the folder').toContain('held by process 7');
  expect(judge(facts([`--user-data-dir=${udd}`], { state: 'free' })).detail).toContain('no running browser holds');
  expect(judge(facts([`--user-data-dir=${udd}`], { state: 'stale', evidence: 'process 9 is no longer running' })).detail).toContain('process 9 is no longer running');

  // Windows: paths and profile names fold case, and `lockfile` names no process.
  const win = { userDataDir: 'C:\\Users\\op\\Edge\\User Data', profileName: 'Default' };
  const winFacts: IntrospectionFacts = { arguments: ['msedge.exe', '--user-data-dir=C:\\USERS\\OP\\EDGE\\USER DATA', '--profile-directory=default'], browserPid: 42, lock: held() };
  expect(judgeIntrospection(winFacts, win, 'win32')).toMatchObject({ ok: true });
  expect(judgeIntrospection({ ...winFacts, lock: { state: 'free' } }, win, 'win32').ok).toBe(false);
});

test('paths compare case-insensitively on Windows and macOS only', () => {
  expect(samePath('/A/b', '/a/B', 'linux')).toBe(false);
  expect(samePath('/A/b/', '/a/B', 'darwin')).toBe(true);
});

const base: BaseProfile = {
  userDataDir: '/p/User Data',
  profileName: 'Default',
  profileDir: '/p/User Data/Default',
  localStatePath: '/p/User Data/Local State',
  cookieStorePath: '/p/User Data/Default/Network/Cookies',
};
const browser: ResolvedBrowser = { channel: 'msedge', description: 'Microsoft Edge', fallback: false };
const cookies = (encryption: Partial<CookieStoreSummary['encryption']>, rows = 5): CookieStoreSummary => ({
  file: base.cookieStorePath,
  rows,
  hosts: {},
  encryption: { v10: 0, v11: 0, v20: 0, plain: 0, other: 0, ...encryption },
  entries: [],
});
const sessionFailed = { method: 'session' as const, ok: false, detail: 'landed on the identity provider', durationMs: 10 };
const input = (overrides: Partial<DiagnosisInput>): DiagnosisInput => ({ kind: 'clone', failed: [sessionFailed], base, browser, ...overrides });

test('a clone that cannot sign in while the profile has App-Bound (v20) cookies is explained as such', () => {
  expect(explainVerificationFailure(input({}), cookies({ v20: 3, v10: 2 }))).toMatch(/3 cookie\(s\).*App-Bound \(v20\).*ApplicationBoundEncryptionEnabled/);
});

test('window A signed out while clones are signed in is said precisely, per platform', () => {
  const otherWindows = [{ window: 'B', kind: 'clone' as const, state: 'verified' }];
  expect(explainVerificationFailure(input({ kind: 'base', otherWindows, platform: 'darwin' }), cookies({ v10: 5 }))).toMatch(/window A \(base profile\) is signed out while clone window\(s\) B.*Keychain/);
  expect(explainVerificationFailure(input({ kind: 'base', otherWindows, platform: 'win32' }), cookies({ v10: 5 }))).toMatch(/App-Bound cookie encryption or a policy/);
});

test('Chrome on its default profile, a profile that never signed in, and a plain expired sign-in each get their advice', () => {
  expect(explainVerificationFailure(input({ kind: 'base', browser: { channel: 'chrome', description: 'Chrome', fallback: false } }), cookies({ v10: 1 }))).toContain('Chrome 136+');
  expect(explainVerificationFailure(input({}), cookies({}, 0))).toContain('no cookies at all');
  expect(explainVerificationFailure(input({}), cookies({ v10: 4 }))).toContain('npm run login');
});

test('introspection and checksum failures name what they saw', () => {
  const failed = [
    { method: 'introspection' as const, ok: false, detail: 'browser reports profile path "/x"', durationMs: 1 },
    { method: 'checksum' as const, ok: false, detail: 'clone differs from the snapshot: Default/Cookies (missing)', durationMs: 1 },
  ];
  const text = explainVerificationFailure(input({ failed }), cookies({ v10: 1 }));
  expect(text).toContain('EDGE_PROFILE_DIR');
  expect(text).toContain('Default/Cookies (missing)');
});
