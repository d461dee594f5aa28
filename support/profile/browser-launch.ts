import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from '@playwright/test';
import { OperatorError } from '../shared/operator-error.js';
import { DEFAULT_PROFILE_ADVICE, LaunchFailure } from './launch-failure.js';
import type { BrowserChannel, Settings } from '../settings.js';

/**
 * Which browser build to start and with which flags, so that every window opens the
 * operator's profile the way the operator's own browser would (PROFILES.md), and so
 * that a refused launch turns into advice instead of a Playwright stack trace.
 */

export interface ResolvedBrowser {
  /** Playwright channel (`msedge`, `chrome`) when Playwright should find the installed browser itself. */
  channel?: string;
  executablePath?: string;
  /** For logs and the operator summary: which browser, where, and why. */
  description: string;
  /** True when the configured channel is missing and another build is used instead. */
  fallback: boolean;
}

export class BrowserNotFoundError extends OperatorError {
  constructor(message: string, advice: string, readonly looked: string[]) {
    super(message, advice);
  }
}

export const LINUX_SYSTEM_CHROMIUM = '/usr/bin/chromium';

const CHANNEL_PATHS: Record<'msedge' | 'chrome', Partial<Record<NodeJS.Platform, string>>> = {
  // Same locations Playwright's own channel lookup uses.
  msedge: {
    linux: '/opt/microsoft/msedge/msedge',
    darwin: '/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge',
    win32: '\\Microsoft\\Edge\\Application\\msedge.exe',
  },
  chrome: {
    linux: '/opt/google/chrome/chrome',
    darwin: '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
    win32: '\\Google\\Chrome\\Application\\chrome.exe',
  },
};

const CHANNEL_NAMES: Record<BrowserChannel, string> = {
  msedge: 'Microsoft Edge',
  chrome: 'Google Chrome',
  chromium: "Playwright's Chromium",
};

/** Where an installed Edge or Chrome would be, in the order Playwright looks. */
export function channelExecutableCandidates(
  channel: 'msedge' | 'chrome',
  platform: NodeJS.Platform,
  env: Record<string, string | undefined>,
): string[] {
  const suffix = CHANNEL_PATHS[channel][platform];
  if (!suffix) return [];
  if (platform !== 'win32') return [suffix];
  const prefixes = [env.LOCALAPPDATA, env.PROGRAMFILES, env['PROGRAMFILES(X86)'], env.HOMEDRIVE && `${env.HOMEDRIVE}\\Program Files`, env.HOMEDRIVE && `${env.HOMEDRIVE}\\Program Files (x86)`];
  return prefixes.filter((p): p is string => Boolean(p)).map((p) => path.win32.join(p, suffix));
}

export interface BrowserEnvironment {
  platform: NodeJS.Platform;
  env: Record<string, string | undefined>;
  isFile: (file: string) => boolean;
  /** Where Playwright's downloaded Chromium would be. */
  playwrightChromium: () => string | undefined;
}

function realEnvironment(): BrowserEnvironment {
  return {
    platform: process.platform,
    env: process.env,
    isFile: (file) => {
      try {
        return fs.statSync(file).isFile();
      } catch {
        return false;
      }
    },
    playwrightChromium: () => {
      try {
        return chromium.executablePath();
      } catch {
        return undefined;
      }
    },
  };
}

/**
 * The browser BROWSER_EXECUTABLE or BROWSER_CHANNEL names, or on Linux the system Chromium
 * when the channel's browser is missing (`fallback`). For a profile a command makes itself
 * (demo, benchmark); the job asks resolveBrowser, which refuses such a fallback on the base profile.
 */
export function findBrowser(
  settings: Pick<Settings, 'browserChannel' | 'browserExecutable'>,
  environment: BrowserEnvironment = realEnvironment(),
): ResolvedBrowser {
  const { platform, isFile } = environment;
  if (settings.browserExecutable) {
    if (!isFile(settings.browserExecutable)) {
      throw new BrowserNotFoundError(
        `BROWSER_EXECUTABLE="${settings.browserExecutable}": no such file.`,
        'Point BROWSER_EXECUTABLE at the browser program (edge://version shows it as "Executable path"), or remove it to use BROWSER_CHANNEL.',
        [settings.browserExecutable],
      );
    }
    return { executablePath: settings.browserExecutable, description: `${settings.browserExecutable} (BROWSER_EXECUTABLE)`, fallback: false };
  }
  const channel = settings.browserChannel;
  const looked = channel === 'chromium'
    ? [environment.playwrightChromium()].filter((p): p is string => Boolean(p))
    : channelExecutableCandidates(channel, platform, environment.env);
  const found = looked.find(isFile);
  if (found) {
    return channel === 'chromium'
      ? { executablePath: found, description: `${CHANNEL_NAMES[channel]} at ${found} (BROWSER_CHANNEL=chromium)`, fallback: false }
      : { channel, description: `${CHANNEL_NAMES[channel]} at ${found} (BROWSER_CHANNEL=${channel})`, fallback: false };
  }
  if (platform === 'linux' && isFile(LINUX_SYSTEM_CHROMIUM)) {
    return {
      executablePath: LINUX_SYSTEM_CHROMIUM,
      description: `${CHANNEL_NAMES[channel]} (BROWSER_CHANNEL=${channel}) is not installed${looked.length ? ` at ${looked.join(', ')}` : ''}; `
        + `using the system Chromium at ${LINUX_SYSTEM_CHROMIUM} instead. A profile created by another browser build may open signed out.`,
      fallback: true,
    };
  }
  const checked = platform === 'linux' ? [...looked, LINUX_SYSTEM_CHROMIUM] : looked;
  throw new BrowserNotFoundError(
    `${CHANNEL_NAMES[channel]} (BROWSER_CHANNEL=${channel}) was not found${checked.length ? `; looked at ${checked.join(', ')}` : ''}.`,
    channel === 'chromium'
      ? 'Run npx playwright install chromium (on Debian/Ubuntu, apt-get install chromium also works), or set BROWSER_EXECUTABLE.'
      : `Install ${CHANNEL_NAMES[channel]}, or set BROWSER_EXECUTABLE to the browser that created the profile (its edge://version or chrome://version page shows "Executable path").`,
    checked,
  );
}

export class BrowserFallbackRefusedError extends OperatorError {}

/**
 * The browser the job starts. A browser build other than the one that made a profile may
 * not decrypt its cookies, and then deletes them: the operator's own (base) profile is never
 * opened by a fallback nobody chose. Under PROFILE_POLICY=base-first (window A on the base
 * profile, and `npm run login`) a fallback is refused unless BROWSER_EXECUTABLE names it;
 * under all-clones the base profile is only copied, and a clone signed out is caught by VM-001.
 */
export function resolveBrowser(
  settings: Pick<Settings, 'browserChannel' | 'browserExecutable' | 'profilePolicy'>,
  environment: BrowserEnvironment = realEnvironment(),
): ResolvedBrowser {
  const browser = findBrowser(settings, environment);
  if (!browser.fallback || settings.profilePolicy === 'all-clones') return browser;
  const name = CHANNEL_NAMES[settings.browserChannel];
  throw new BrowserFallbackRefusedError(
    `${name} (BROWSER_CHANNEL=${settings.browserChannel}) is not installed; the only browser found is ${browser.executablePath}, ` +
      'and the base profile is not opened with another browser build than the one that made it unless you say so: ' +
      'a build that cannot decrypt the profile\'s cookies deletes them, which signs you out for good.',
    `Install ${name}; or, if this profile was made with that browser, set BROWSER_EXECUTABLE=${browser.executablePath}; ` +
      'or set PROFILE_POLICY=all-clones (the base profile is then only copied, never opened).',
  );
}

/** Settings that make the job use `browser` itself: a command that makes its profile with a fallback browser says so. */
export function pinnedBrowser(browser: ResolvedBrowser): Record<string, string> {
  return browser.fallback && browser.executablePath ? { BROWSER_EXECUTABLE: browser.executablePath } : {};
}

export type PersistentContextOptions = NonNullable<Parameters<typeof chromium.launchPersistentContext>[1]>;

export interface PersistentLaunchRequest {
  browser: ResolvedBrowser;
  /** The UDD (base or clone) that will be passed to launchPersistentContext, never the profile folder inside it. */
  userDataDir: string;
  profileName: string;
  headless: boolean;
  extraArgs?: string[];
  downloadsPath?: string;
  platform?: NodeJS.Platform;
  env?: Record<string, string | undefined>;
}

export const QUIET_BROWSER_ARGS = [
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--no-default-browser-check',
];

/**
 * Playwright's defaults that make a real profile's cookies undecryptable: `--use-mock-keychain`
 * replaces the macOS Keychain key ("Microsoft Edge Safe Storage"), `--password-store=basic` the
 * Linux desktop keyring; Chromium then deletes every cookie it cannot decrypt. Without them the
 * browser uses the same key store as the operator's own browser. Checked on Debian Chromium
 * (no keyring running, as root): it still starts in under 1.5 s, falls back to the basic
 * store by itself, writes `v10` cookies and reads them back on the next launch.
 */
export const REAL_PROFILE_IGNORED_DEFAULT_ARGS = ['--use-mock-keychain', '--password-store=basic'];

/** Google Chrome's own user data folder, which Chrome 136+ refuses to automate. */
export function chromeDefaultUserDataDir(platform: NodeJS.Platform, env: Record<string, string | undefined>, home = os.homedir()): string {
  if (platform === 'win32') return path.win32.join(env.LOCALAPPDATA ?? path.win32.join(home, 'AppData', 'Local'), 'Google', 'Chrome', 'User Data');
  if (platform === 'darwin') return path.posix.join(home, 'Library', 'Application Support', 'Google', 'Chrome');
  return path.posix.join(home, '.config', 'google-chrome');
}

function samePath(a: string, b: string, platform: NodeJS.Platform): boolean {
  const p = platform === 'win32' ? path.win32 : path.posix;
  const [x, y] = [p.resolve(a), p.resolve(b)];
  // Windows and macOS volumes are case-insensitive by default.
  return platform === 'linux' ? x === y : x.toLowerCase() === y.toLowerCase();
}

/** Options for `chromium.launchPersistentContext(userDataDir, options)` on a real (base or cloned) profile. */
export function persistentLaunchOptions(request: PersistentLaunchRequest): PersistentContextOptions {
  const { browser } = request;
  const platform = request.platform ?? process.platform;
  if (browser.channel === 'chrome' && samePath(request.userDataDir, chromeDefaultUserDataDir(platform, request.env ?? process.env), platform)) {
    // Chrome would not fail but hang at about:blank; say why before it starts.
    throw new LaunchFailure('default-profile-refused', `Google Chrome's own user data folder "${request.userDataDir}" cannot be automated`, DEFAULT_PROFILE_ADVICE, { userDataDir: request.userDataDir });
  }
  return {
    ...(browser.channel ? { channel: browser.channel } : {}),
    ...(browser.executablePath ? { executablePath: browser.executablePath } : {}),
    headless: request.headless,
    // Its own array element, unquoted: Chromium takes quotes literally and would create a new profile.
    args: [`--profile-directory=${request.profileName}`, ...QUIET_BROWSER_ARGS, ...(request.extraArgs ?? [])],
    ignoreDefaultArgs: REAL_PROFILE_IGNORED_DEFAULT_ARGS,
    acceptDownloads: true,
    viewport: { width: 1366, height: 900 },
    ...(request.downloadsPath ? { downloadsPath: request.downloadsPath } : {}),
  };
}
