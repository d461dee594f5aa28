import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import dotenv from 'dotenv';
import { OperatorError } from './shared/operator-error.js';

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
  /** Where window A keeps the copy of the base profile's cookie store taken before each run. */
  cookieBackupDir: string;
}

export class SettingsError extends OperatorError {
  constructor(readonly problems: string[], readonly source: string) {
    super(
      `Configuration problem${problems.length > 1 ? 's' : ''} (${source}):\n` + problems.map((p) => `  - ${p}`).join('\n'),
      'Fix the setting(s) in .env or the environment; every setting is described in .env.example and the README.',
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

type Env = Record<string, string | undefined>;

class Reader {
  readonly problems: string[] = [];
  constructor(private readonly env: Env) {}

  raw(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value === '' ? undefined : value;
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  int(name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      this.problems.push(`${name}="${value}" must be a whole number between ${min} and ${max}.`);
      return fallback;
    }
    return n;
  }

  bool(name: string, fallback: boolean): boolean {
    const value = this.raw(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(value)) return true;
    if (['0', 'false', 'no', 'off'].includes(value)) return false;
    this.problems.push(`${name}="${this.raw(name)}" must be true or false.`);
    return fallback;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const match = allowed.find((a) => a === value.toLowerCase());
    if (!match) {
      this.problems.push(`${name}="${value}" must be one of: ${allowed.join(', ')}.`);
      return fallback;
    }
    return match;
  }

  listOf<T extends string>(name: string, allowed: readonly T[], fallback: T[]): T[] {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const items = value.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
    const unknown = items.filter((i) => !allowed.includes(i as T));
    if (unknown.length || items.length === 0) {
      this.problems.push(`${name}="${value}" must be a comma-separated list of: ${allowed.join(', ')}.`);
      return fallback;
    }
    return [...new Set(items as T[])];
  }
}

export interface LoadSettingsOptions {
  env?: Env;
  cwd?: string;
  /** Skip reading `.env` (tests pass a complete environment). */
  skipEnvFile?: boolean;
  platform?: NodeJS.Platform;
}

/** Reads `.env` (path in ENV_FILE, default `./.env`) without overriding variables already set. */
export function readEnvFile(cwd: string, env: Env): Env {
  const file = path.resolve(cwd, env.ENV_FILE ?? '.env');
  if (!fs.existsSync(file)) {
    if (env.ENV_FILE) throw new SettingsError([`ENV_FILE="${env.ENV_FILE}": no such file (${file}).`], file);
    return env;
  }
  const parsed = dotenv.parse(fs.readFileSync(file));
  return { ...parsed, ...env };
}

export function loadSettings(options: LoadSettingsOptions = {}): Settings {
  const cwd = options.cwd ?? process.cwd();
  const baseEnv = options.env ?? process.env;
  const env = options.skipEnvFile ? baseEnv : readEnvFile(cwd, baseEnv);
  const source = options.skipEnvFile || !fs.existsSync(path.resolve(cwd, env.ENV_FILE ?? '.env'))
    ? 'environment'
    : `${path.resolve(cwd, env.ENV_FILE ?? '.env')} and environment`;
  const r = new Reader(env);

  let coupaBaseUrl = new URL('http://invalid.invalid');
  const rawUrl = r.raw('COUPA_BASE_URL');
  if (rawUrl === undefined) {
    r.problems.push('COUPA_BASE_URL is not set: give your tenant address, e.g. https://yourcompany.coupahost.com (the demo sets it for you).');
  } else {
    try {
      coupaBaseUrl = new URL(rawUrl);
      if (!['http:', 'https:'].includes(coupaBaseUrl.protocol)) throw new Error('protocol');
      if (coupaBaseUrl.pathname !== '/' || coupaBaseUrl.search || coupaBaseUrl.hash) {
        r.problems.push(`COUPA_BASE_URL="${rawUrl}" must be the tenant root only, e.g. https://yourcompany.coupahost.com (no path).`);
      }
    } catch {
      r.problems.push(`COUPA_BASE_URL="${rawUrl}" is not an http(s) address, e.g. https://yourcompany.coupahost.com.`);
    }
  }

  const edgeProfileDir = path.resolve(cwd, r.string('EDGE_PROFILE_DIR', defaultEdgeUserDataDir(options.platform, env)));
  const edgeProfileName = r.string('EDGE_PROFILE_NAME', 'Default');
  if (/[\\/]/.test(edgeProfileName) || edgeProfileName === '.' || edgeProfileName === '..') {
    r.problems.push(`EDGE_PROFILE_NAME="${edgeProfileName}" must be a profile folder name such as Default or "Profile 1", not a path (put the user data folder in EDGE_PROFILE_DIR).`);
  }

  const browserExecutableRaw = r.raw('BROWSER_EXECUTABLE');
  const browserExecutable = browserExecutableRaw ? path.resolve(cwd, browserExecutableRaw) : undefined;
  if (browserExecutable && !fs.existsSync(browserExecutable)) {
    r.problems.push(`BROWSER_EXECUTABLE="${browserExecutableRaw}": no such file.`);
  }

  const workers = r.int('WORKERS', 3, 1, 32);
  const settings: Settings = {
    coupaBaseUrl,
    edgeProfileDir,
    edgeProfileName,
    browserChannel: r.oneOf('BROWSER_CHANNEL', ['msedge', 'chrome', 'chromium'] as const, 'msedge'),
    browserExecutable,
    inputCsv: path.resolve(cwd, r.string('INPUT_CSV', path.join('data', 'input', 'input.csv'))),
    downloadDir: path.resolve(cwd, r.string('DOWNLOAD_DIR', 'downloads')),
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
    cookieBackupDir: path.resolve(cwd, r.string('COOKIE_BACKUP_DIR', defaultCookieBackupDir(options.platform, env))),
  };
  if (!settings.verifyPath.startsWith('/')) {
    r.problems.push(`VERIFY_PATH="${settings.verifyPath}" must be a path on the tenant starting with /, e.g. /user/home.`);
  }
  if (r.problems.length) throw new SettingsError(r.problems, source);
  return settings;
}
