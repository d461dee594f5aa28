import { test, expect } from '@playwright/test';
import {
  BrowserNotFoundError,
  channelExecutableCandidates,
  chromeDefaultUserDataDir,
  persistentLaunchOptions,
  BrowserFallbackRefusedError,
  findBrowser,
  pinnedBrowser,
  resolveBrowser,
  type BrowserEnvironment,
} from '../../support/profile/browser-launch.js';
import { classifyLaunchError, LaunchFailure } from '../../support/profile/launch-failure.js';

function environment(platform: NodeJS.Platform, files: string[], env: Record<string, string> = {}, playwrightChromium?: string): BrowserEnvironment {
  return { platform, env, isFile: (f) => files.includes(f), playwrightChromium: () => playwrightChromium };
}

const EDGE_LINUX = '/opt/microsoft/msedge/msedge';

test('BROWSER_EXECUTABLE wins over the channel', () => {
  const browser = findBrowser({ browserChannel: 'msedge', browserExecutable: '/x/edge' }, environment('linux', ['/x/edge', EDGE_LINUX]));
  expect(browser).toEqual({ executablePath: '/x/edge', description: '/x/edge (BROWSER_EXECUTABLE)', fallback: false });
  expect(() => findBrowser({ browserChannel: 'msedge', browserExecutable: '/gone' }, environment('linux', []))).toThrow(BrowserNotFoundError);
});

test('an installed Edge is used through its Playwright channel', () => {
  const browser = findBrowser({ browserChannel: 'msedge', browserExecutable: undefined }, environment('linux', [EDGE_LINUX, '/usr/bin/chromium']));
  expect(browser).toMatchObject({ channel: 'msedge', fallback: false });
  expect(browser.executablePath).toBeUndefined();
  expect(browser.description).toContain(EDGE_LINUX);
});

test('on Linux a missing Edge or Chrome falls back to /usr/bin/chromium and says so', () => {
  for (const [channel, looked] of [['msedge', EDGE_LINUX], ['chrome', '/opt/google/chrome/chrome']] as const) {
    const browser = findBrowser({ browserChannel: channel, browserExecutable: undefined }, environment('linux', ['/usr/bin/chromium']));
    expect(browser).toMatchObject({ executablePath: '/usr/bin/chromium', fallback: true });
    expect(browser.channel).toBeUndefined();
    expect(browser.description).toContain(`is not installed at ${looked}`);
    expect(browser.description).toContain('using the system Chromium at /usr/bin/chromium');
  }
});

test('the chromium channel uses Playwright\'s Chromium when downloaded, else the system one on Linux', () => {
  const pw = '/root/.cache/ms-playwright/chromium-1/chrome-linux/chrome';
  expect(findBrowser({ browserChannel: 'chromium', browserExecutable: undefined }, environment('linux', [pw, '/usr/bin/chromium'], {}, pw)))
    .toMatchObject({ executablePath: pw, fallback: false });
  expect(findBrowser({ browserChannel: 'chromium', browserExecutable: undefined }, environment('linux', ['/usr/bin/chromium'], {}, pw)))
    .toMatchObject({ executablePath: '/usr/bin/chromium', fallback: true });
});

test('the job refuses to open the base profile with a fallback nobody chose, before any browser starts', () => {
  const linux = environment('linux', ['/usr/bin/chromium']);
  const refused = (() => {
    try {
      resolveBrowser({ browserChannel: 'msedge', browserExecutable: undefined, profilePolicy: 'base-first' }, linux);
    } catch (error) {
      return error;
    }
  })();
  expect(refused).toBeInstanceOf(BrowserFallbackRefusedError);
  expect((refused as BrowserFallbackRefusedError).message).toContain('Microsoft Edge (BROWSER_CHANNEL=msedge) is not installed; the only browser found is /usr/bin/chromium');
  expect((refused as BrowserFallbackRefusedError).advice).toContain('set BROWSER_EXECUTABLE=/usr/bin/chromium');
  expect((refused as BrowserFallbackRefusedError).advice).toContain('PROFILE_POLICY=all-clones');
  // Named explicitly, or only cloned: allowed.
  expect(resolveBrowser({ browserChannel: 'msedge', browserExecutable: '/usr/bin/chromium', profilePolicy: 'base-first' }, linux)).toMatchObject({ fallback: false });
  expect(resolveBrowser({ browserChannel: 'msedge', browserExecutable: undefined, profilePolicy: 'all-clones' }, linux)).toMatchObject({ fallback: true });
  // The channel's own browser needs nothing.
  expect(resolveBrowser({ browserChannel: 'msedge', browserExecutable: undefined, profilePolicy: 'base-first' }, environment('linux', [EDGE_LINUX]))).toMatchObject({ channel: 'msedge' });
});

test('a command that makes its own profile with a fallback pins that browser for the job', () => {
  expect(pinnedBrowser(findBrowser({ browserChannel: 'msedge', browserExecutable: undefined }, environment('linux', ['/usr/bin/chromium'])))).toEqual({ BROWSER_EXECUTABLE: '/usr/bin/chromium' });
  expect(pinnedBrowser(findBrowser({ browserChannel: 'msedge', browserExecutable: undefined }, environment('linux', [EDGE_LINUX])))).toEqual({});
});

function notFound(action: () => unknown): BrowserNotFoundError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(BrowserNotFoundError);
    return error as BrowserNotFoundError;
  }
  throw new Error('expected BrowserNotFoundError');
}

test('no browser at all: BrowserNotFoundError lists where it looked and what to do', () => {
  const error = notFound(() => findBrowser({ browserChannel: 'msedge', browserExecutable: undefined }, environment('linux', [])));
  expect(error.looked).toEqual([EDGE_LINUX, '/usr/bin/chromium']);
  expect(error.message).toContain('BROWSER_CHANNEL=msedge');
  expect(error.advice).toContain('BROWSER_EXECUTABLE');
  const mac = notFound(() => findBrowser({ browserChannel: 'chromium', browserExecutable: undefined }, environment('darwin', [])));
  expect(mac.looked).toEqual([]);
  expect(mac.advice).toContain('npx playwright install chromium');
});

test('Windows candidates follow Playwright\'s lookup order', () => {
  const env = { LOCALAPPDATA: 'C:\\Users\\op\\AppData\\Local', PROGRAMFILES: 'C:\\Program Files', 'PROGRAMFILES(X86)': 'C:\\Program Files (x86)' };
  expect(channelExecutableCandidates('msedge', 'win32', env)).toEqual([
    'C:\\Users\\op\\AppData\\Local\\Microsoft\\Edge\\Application\\msedge.exe',
    'C:\\Program Files\\Microsoft\\Edge\\Application\\msedge.exe',
    'C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe',
  ]);
  const found = findBrowser({ browserChannel: 'msedge', browserExecutable: undefined },
    environment('win32', ['C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe'], env));
  expect(found).toMatchObject({ channel: 'msedge', fallback: false });
  expect(channelExecutableCandidates('chrome', 'darwin', {})).toEqual(['/Applications/Google Chrome.app/Contents/MacOS/Google Chrome']);
});

test('launch options open the named profile with the real key store', () => {
  const options = persistentLaunchOptions({
    browser: { executablePath: '/usr/bin/chromium', description: 'x', fallback: true },
    userDataDir: '/tmp/clone/User Data',
    profileName: 'Profile 1',
    headless: true,
    extraArgs: ['--lang=en-US'],
    downloadsPath: '/tmp/dl',
  });
  expect(options).toEqual({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--profile-directory=Profile 1', '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--no-first-run', '--no-default-browser-check', '--lang=en-US'],
    ignoreDefaultArgs: ['--use-mock-keychain', '--password-store=basic'],
    acceptDownloads: true,
    viewport: { width: 1366, height: 900 },
    downloadsPath: '/tmp/dl',
  });
  const edge = persistentLaunchOptions({ browser: { channel: 'msedge', description: 'x', fallback: false }, userDataDir: '/u', profileName: 'Default', headless: false });
  expect(edge).toMatchObject({ channel: 'msedge', headless: false });
  expect(edge.executablePath).toBeUndefined();
});

test('Google Chrome on its own default user data folder is refused before it can hang', () => {
  const env = { LOCALAPPDATA: 'C:\\Users\\op\\AppData\\Local' };
  const udd = chromeDefaultUserDataDir('win32', env);
  expect(udd).toBe('C:\\Users\\op\\AppData\\Local\\Google\\Chrome\\User Data');
  const request = { browser: { channel: 'chrome', description: 'x', fallback: false }, profileName: 'Default', headless: true, platform: 'win32' as const, env };
  expect(() => persistentLaunchOptions({ ...request, userDataDir: udd.toLowerCase() })).toThrow(LaunchFailure);
  expect(() => persistentLaunchOptions({ ...request, userDataDir: 'C:\\Users\\op\\coupa-profile' })).not.toThrow();
  expect(() => persistentLaunchOptions({ ...request, browser: { channel: 'msedge', description: 'x', fallback: false }, userDataDir: udd })).not.toThrow();
});

const PROCESS_SINGLETON = `browserType.launchPersistentContext: Failed to create a ProcessSingleton for your profile directory. This usually means that the profile is already in use by another instance of Chromium.
Call log:
  - [pid=6865][err] [6865:6865:1122/151342.779761:ERROR:chrome/browser/process_singleton_posix.cc:349] Failed to create /work/udd/SingletonLock: File exists (17)`;

const CLASSIFIED: [string, string][] = [
  [PROCESS_SINGLETON, 'profile-in-use'],
  ['Opening in existing browser session.', 'profile-in-use'],
  ['Timeout 180000ms exceeded.\nCall log:\n  - [pid=1][err] DevTools remote debugging requires a non-default data directory. Specify this using --user-data-dir.', 'default-profile-refused'],
  ["browserType.launchPersistentContext: Executable doesn't exist at /root/.cache/ms-playwright/chromium-1200/chrome-linux/chrome", 'executable-missing'],
  ["browserType.launchPersistentContext: Chromium distribution 'msedge' is not found at /opt/microsoft/msedge/msedge", 'executable-missing'],
  ['browserType.launchPersistentContext: Failed to launch: Error: spawn /opt/x/msedge ENOENT', 'executable-missing'],
  ['Target page, context or browser has been closed', 'unknown'],
];

for (const [message, kind] of CLASSIFIED) {
  test(`classifyLaunchError: ${kind} from "${message.replace(/\s+/g, " ").slice(0, 70)}…"`, () => {
    const failure = classifyLaunchError(new Error(message), { userDataDir: '/u', window: 'B' });
    expect(failure).toBeInstanceOf(LaunchFailure);
    expect(failure.kind).toBe(kind);
    expect(failure.message).toMatch(/^Window B: the browser could not start on "\/u": /);
    expect(failure.advice).toBeTruthy();
  });
}

test('classifyLaunchError keeps the cause and passes a LaunchFailure through', () => {
  const cause = new Error(PROCESS_SINGLETON);
  const failure = classifyLaunchError(cause);
  expect(failure.cause).toBe(cause);
  expect(failure.advice).toContain('Startup Boost');
  expect(classifyLaunchError(failure)).toBe(failure);
  expect(classifyLaunchError('plain string').kind).toBe('unknown');
});
