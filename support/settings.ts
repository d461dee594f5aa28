import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { noticeOnce } from './shared/operator-notice.js';
import { OperatorError } from './shared/operator-error.js';
import { describeLookalike, lookalikeKeys, readEnvFileValues } from './settings/env-file.js';
import { SettingReader, type Env } from './settings/setting-reader.js';
import { expandPath, isInsideFolder, type PathContext } from './settings/setting-paths.js';

/**
 * Every operator-facing setting, read once from `.env` (or ENV_FILE) and the
 * environment, validated in one pass so the operator sees every problem at once,
 * before any browser starts.
 */
export type BrowserChannel = 'msedge' | 'chrome' | 'chromium';
export type ProfilePolicy = 'base-first' | 'all-clones';
export type VerifyMethod = 'session' | 'introspection' | 'checksum';

export interface Settings {
  coupaBaseUrl: URL;
  edgeProfileDir: string;
  edgeProfileName: string;
  browserChannel: BrowserChannel;
  browserExecutable: string | undefined;
  inputCsv: string;
  downloadDir: string;
  headless: boolean;
  workers: number;
  infraRetries: number;
  poTimeoutMs: number;
  pageTimeoutMs: number;
  pageRetries: number;
  downloadTimeoutMs: number;
  downloadRetries: number;
  profilePolicy: ProfilePolicy;
  /** Unset: as many as the run has windows (`--workers` included), which only the workers know. */
  maxConcurrentClones: number | undefined;
  /** Browsers started at the same time across the windows (launch queue, in window letter order). */
  launchConcurrency: number;
  profileInUseWaitMs: number;
  verifyMethods: VerifyMethod[];
  verifyRetries: number;
  verifyPath: string;
  remediationMaxAttempts: number;
  remediationBudgetMs: number;
  windowSetupTimeoutMs: number;
  cpuLimitPercent: number;
  memoryLimitPercent: number;
  loadSampleMs: number;
  /** Time between two reductions of the active window count. */
  loadCooldownMs: number;
  /** How long the load must stay below the limits before a parked window comes back. */
  loadRaiseAfterMs: number;
  msgToPdf: boolean;
  trace: boolean;
  /** A quieter terminal: per-PO lines, progress and the summary only (run.log keeps every line). */
  quiet: boolean;
  /** Where window A keeps the copy of the base profile's cookie store taken before each run. */
  cookieBackupDir: string;
}

export class SettingsError extends OperatorError {
  constructor(readonly problems: string[], readonly source: string) {
    super(
      `Configuration problem${problems.length > 1 ? 's' : ''} (${source}):\n` + problems.map((p) => `  - ${p}`).join('\n'),
      'Fix the setting(s) in .env or the environment; every setting is described in .env.example and docs/settings.md.',
    );
  }
}

export function defaultEdgeUserDataDir(platform: NodeJS.Platform = process.platform, env = process.env): string {
  const home = os.homedir();
  if (platform === 'win32') {
    const localAppData = env.LOCALAPPDATA ?? path.join(home, 'AppData', 'Local');
    return path.join(localAppData, 'Microsoft', 'Edge', 'User Data');
  }
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Microsoft Edge');
  return path.join(home, '.config', 'microsoft-edge');
}

/**
 * A per-user folder that outlives the run (unlike the temporary folder) and is not synced
 * or shared (unlike a download folder on OneDrive or a network drive).
 */
export function defaultCookieBackupDir(platform: NodeJS.Platform = process.platform, env = process.env): string {
  const home = os.homedir();
  if (platform === 'win32') return path.join(env.LOCALAPPDATA ?? path.join(home, 'AppData', 'Local'), 'CoupaDownloads', 'cookie-backups');
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'CoupaDownloads', 'cookie-backups');
  return path.join(env.XDG_STATE_HOME ?? path.join(home, '.local', 'state'), 'coupa-downloads', 'cookie-backups');
}

export interface LoadSettingsOptions {
  env?: Env;
  cwd?: string;
  /** Skip reading `.env` (tests pass a complete environment). */
  skipEnvFile?: boolean;
  platform?: NodeJS.Platform;
  /** For `~` and `%USERPROFILE%`; default the user's home folder. */
  homeDir?: string;
  /** Where profile snapshots and clones go; default the system's temporary folder. */
  tempDir?: string;
  /** Logical CPUs of the machine, for the defaults that fit it; default this machine's. */
  cpus?: number;
  /** Told what the operator should know but that does not stop the run; default: printed once per process. */
  notice?: (message: string) => void;
}

function envFilePath(cwd: string, env: Env, paths: PathContext): string {
  const named = env.ENV_FILE?.trim();
  if (!named) return path.resolve(cwd, '.env');
  const expanded = expandPath(named, paths);
  return path.resolve(cwd, 'path' in expanded ? expanded.path : named);
}

/** Reads `.env` (path in ENV_FILE, default `./.env`) without overriding variables already set. */
export function readEnvFile(cwd: string, env: Env, platform: NodeJS.Platform = process.platform): Env {
  return readEnv(cwd, env, { env, platform, home: os.homedir() }).env;
}

function readEnv(cwd: string, env: Env, paths: PathContext): { env: Env; file: string | undefined; keys: string[] } {
  const wanted = envFilePath(cwd, env, paths);
  const { file, values } = readEnvFileValues(wanted);
  if (!file && env.ENV_FILE?.trim()) throw new SettingsError([`ENV_FILE="${env.ENV_FILE}": no such file (${wanted}).`], wanted);
  return { env: { ...values, ...env }, file, keys: Object.keys(values) };
}

export function loadSettings(options: LoadSettingsOptions = {}): Settings {
  const cwd = options.cwd ?? process.cwd();
  const baseEnv = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const paths: PathContext = { env: baseEnv, platform, home: options.homeDir ?? os.homedir() };
  const read = options.skipEnvFile ? { env: baseEnv, file: undefined, keys: [] } : readEnv(cwd, baseEnv, paths);
  const env = read.env;
  const source = read.file ? `${read.file} and environment` : 'environment';
  const r = new SettingReader(env, { ...paths, env, cwd });

  let coupaBaseUrl = new URL('http://invalid.invalid');
  const rawUrl = r.raw('COUPA_BASE_URL');
  if (rawUrl === undefined) {
    r.problems.push('COUPA_BASE_URL is not set: give your tenant address, e.g. https://yourcompany.coupahost.com (the demo sets it for you).');
  } else {
    try {
      coupaBaseUrl = new URL(rawUrl);
      if (!['http:', 'https:'].includes(coupaBaseUrl.protocol)) throw new Error('protocol');
      if (coupaBaseUrl.protocol === 'http:' && !isLoopbackHost(coupaBaseUrl.hostname)) {
        r.problems.push(
          `COUPA_BASE_URL="${rawUrl}" must start with https://: over http:// the window's Coupa session would cross the network unencrypted (only a test server on this machine, localhost or 127.x.x.x, may use http://).`,
        );
      }
      if (coupaBaseUrl.pathname !== '/' || coupaBaseUrl.search || coupaBaseUrl.hash) {
        r.problems.push(`COUPA_BASE_URL="${rawUrl}" must be the tenant root only, e.g. https://yourcompany.coupahost.com (no path).`);
      }
    } catch {
      r.problems.push(`COUPA_BASE_URL="${rawUrl}" is not an http(s) address, e.g. https://yourcompany.coupahost.com.`);
    }
  }

  const edgeProfileDir = r.path('EDGE_PROFILE_DIR', defaultEdgeUserDataDir(platform, env));
  const edgeProfileName = r.string('EDGE_PROFILE_NAME', 'Default');
  if (/[\\/]/.test(edgeProfileName) || edgeProfileName === '.' || edgeProfileName === '..') {
    r.problems.push(`EDGE_PROFILE_NAME="${edgeProfileName}" must be a profile folder name such as Default or "Profile 1", not a path (put the user data folder in EDGE_PROFILE_DIR).`);
  }

  const browserExecutable = r.path('BROWSER_EXECUTABLE');
  if (browserExecutable && !fs.existsSync(browserExecutable)) {
    r.problems.push(`BROWSER_EXECUTABLE="${r.raw('BROWSER_EXECUTABLE')}": no such file (${browserExecutable}).`);
  }

  const workers = r.int('WORKERS', 3, 1, 32);
  const settings: Settings = {
    coupaBaseUrl,
    edgeProfileDir,
    edgeProfileName,
    browserChannel: r.oneOf('BROWSER_CHANNEL', ['msedge', 'chrome', 'chromium'] as const, 'msedge'),
    browserExecutable,
    inputCsv: r.path('INPUT_CSV', path.join('data', 'input', 'input.csv')),
    downloadDir: r.path('DOWNLOAD_DIR', 'downloads'),
    headless: r.bool('HEADLESS', true),
    workers,
    infraRetries: r.int('INFRA_RETRIES', 2, 0, 10),
    poTimeoutMs: r.int('PO_TIMEOUT_MS', 300_000, 10_000),
    pageTimeoutMs: r.int('PAGE_TIMEOUT_MS', 30_000, 1_000),
    pageRetries: r.int('PAGE_RETRIES', 3, 0, 10),
    downloadTimeoutMs: r.int('DOWNLOAD_TIMEOUT_MS', 120_000, 1_000),
    downloadRetries: r.int('DOWNLOAD_RETRIES', 3, 0, 10),
    profilePolicy: r.oneOf('PROFILE_POLICY', ['base-first', 'all-clones'] as const, 'base-first'),
    maxConcurrentClones: r.raw('MAX_CONCURRENT_CLONES') === undefined ? undefined : r.int('MAX_CONCURRENT_CLONES', workers, 1, 64),
    launchConcurrency: r.int('LAUNCH_CONCURRENCY', defaultLaunchConcurrency(options.cpus ?? os.availableParallelism()), 1, 64),
    profileInUseWaitMs: r.int('PROFILE_IN_USE_WAIT_MS', 60_000, 0),
    verifyMethods: r.listOf('VERIFY_METHODS', ['session', 'introspection', 'checksum'] as const, ['session', 'introspection', 'checksum']),
    verifyRetries: r.int('VERIFY_RETRIES', 1, 0, 10),
    verifyPath: r.string('VERIFY_PATH', '/'),
    remediationMaxAttempts: r.int('REMEDIATION_MAX_ATTEMPTS', 4, 1, 20),
    remediationBudgetMs: r.int('REMEDIATION_BUDGET_MS', 120_000, 1_000),
    windowSetupTimeoutMs: r.int('WINDOW_SETUP_TIMEOUT_MS', 300_000, 10_000),
    cpuLimitPercent: r.int('CPU_LIMIT_PERCENT', 80, 1, 100),
    memoryLimitPercent: r.int('MEMORY_LIMIT_PERCENT', 90, 1, 100),
    loadSampleMs: r.int('LOAD_SAMPLE_MS', 1_000, 100),
    loadCooldownMs: r.int('LOAD_COOLDOWN_MS', 10_000, 0),
    loadRaiseAfterMs: r.int('LOAD_RAISE_AFTER_MS', 15_000, 0),
    msgToPdf: r.bool('MSG_TO_PDF', true),
    trace: r.bool('TRACE', false),
    quiet: r.bool('QUIET', false),
    cookieBackupDir: r.path('COOKIE_BACKUP_DIR', defaultCookieBackupDir(platform, env)),
  };
  if (!settings.verifyPath.startsWith('/')) {
    r.problems.push(`VERIFY_PATH="${settings.verifyPath}" must be a path on the tenant starting with /, e.g. /user/home.`);
  }
  checkOutsideProfile(r, settings, options.tempDir ?? os.tmpdir(), platform);

  const notice = options.notice ?? noticeOnce;
  if (!options.skipEnvFile && !read.file) notice(`no .env found in ${cwd}: the settings come from the environment only (copy .env.example to .env to keep them in a file).`);
  if (read.file) for (const lookalike of lookalikeKeys(read.keys, r.names)) notice(describeLookalike(read.file, lookalike));
  if (r.problems.length) throw new SettingsError(r.problems, source);
  return settings;
}

/**
 * A browser launch keeps about one core busy for a moment: on a 2-core machine four launches
 * at once took 10.5 s until all were up, one after the other 4.8 s (issue 11). Half the
 * cores, at least one, lets each launch have a core while the verified windows work on.
 */
export function defaultLaunchConcurrency(cpus: number): number {
  return Math.max(1, Math.floor(cpus / 2));
}

/** localhost, *.localhost, 127.0.0.0/8 and ::1: traffic that never leaves the machine. */
function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname.endsWith('.localhost') || /^127(\.\d{1,3}){3}$/.test(hostname) || hostname === '[::1]';
}

/**
 * Every clone starts as a copy of the base profile's user data folder: downloads kept inside
 * it would be copied into every clone, and temporary copies made inside it would copy
 * themselves until the path is too long.
 */
function checkOutsideProfile(r: SettingReader, settings: Settings, tempDir: string, platform: NodeJS.Platform): void {
  const profile = settings.edgeProfileDir;
  if (isInsideFolder(settings.downloadDir, profile, platform)) {
    r.problems.push(`DOWNLOAD_DIR (${settings.downloadDir}) is inside the browser profile folder EDGE_PROFILE_DIR (${profile}): every copy of the profile would carry the earlier runs. Choose a download folder outside it.`);
  }
  if (isInsideFolder(tempDir, profile, platform)) {
    const variable = platform === 'win32' ? 'TEMP' : 'TMPDIR';
    r.problems.push(`The temporary folder (${tempDir}, from ${variable}) is inside the browser profile folder EDGE_PROFILE_DIR (${profile}): the copy of the profile would copy itself. Set ${variable} to a folder outside it.`);
  }
}
