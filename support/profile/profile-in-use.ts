import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OperatorError } from '../shared/operator-error.js';
import { isProcessAlive } from '../shared/process-liveness.js';

/**
 * Tells whether another browser has a user data dir open, the way Chromium itself decides
 * (PROFILES.md "Is the profile in use?"), so that a run waits for the operator's Edge to close
 * instead of copying a live profile or having its own launch refused.
 */

export interface ProfileHolder {
  pid?: number;
  host?: string;
  /** Executable name and command line of the holder, when the OS tells us. */
  process?: string;
  /** What on disk shows the profile is held, for the operator and the logs. */
  evidence: string;
}

export type ProfileLockState =
  | { state: 'free' }
  | { state: 'held'; holder: ProfileHolder }
  /** A lock left behind by a browser that is gone (or that lives on another computer): Chromium takes it over. */
  | { state: 'stale'; evidence: string; pid?: number; host?: string };

/** `SingletonLock` points at `<hostname>-<pid>`; host names may themselves contain dashes. */
export function parseSingletonTarget(target: string): { host: string; pid: number } | null {
  const match = /^(.+)-(\d+)$/.exec(target);
  if (!match) return null;
  const pid = Number(match[2]);
  return Number.isSafeInteger(pid) && pid > 0 ? { host: match[1]!, pid } : null;
}

/** Names a process by pid, or undefined when the OS does not say (gone, or no permission). */
export function describeProcess(pid: number, platform: NodeJS.Platform = process.platform): string | undefined {
  try {
    if (platform === 'linux') {
      const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
      if (argv.length === 0) return undefined;
      return `${path.basename(argv[0]!)}: ${argv.join(' ')}`;
    }
    if (platform === 'darwin') {
      // Asked separately: the executable path itself has spaces ("…/Microsoft Edge.app/…/Microsoft Edge").
      const ps = (field: string): string => execFileSync('ps', ['-o', `${field}=`, '-p', String(pid)], { encoding: 'utf8', timeout: 5_000 }).trim();
      const comm = ps('comm');
      return comm ? `${path.basename(comm)}: ${ps('args')}` : undefined;
    }
    if (platform === 'win32') {
      const out = execFileSync('tasklist', ['/FI', `PID eq ${pid}`, '/FO', 'CSV', '/NH'], { encoding: 'utf8', timeout: 10_000 }).trim();
      const name = /^"([^"]+)"/.exec(out)?.[1];
      return name;
    }
  } catch {
    return undefined;
  }
  return undefined;
}

function inspectSingletonLock(userDataDir: string, hostname: string): ProfileLockState {
  const lockPath = path.join(userDataDir, 'SingletonLock');
  let target: string;
  try {
    target = fs.readlinkSync(lockPath);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { state: 'free' };
    if (code === 'EINVAL') {
      return { state: 'stale', evidence: `${lockPath} is not a symlink as Chromium writes it; Chromium will replace it` };
    }
    throw error;
  }
  const parsed = parseSingletonTarget(target);
  if (!parsed) return { state: 'stale', evidence: `${lockPath} -> "${target}" does not name a host and process` };
  const { host, pid } = parsed;
  if (host !== hostname) {
    return {
      state: 'stale',
      host,
      pid,
      evidence: `${lockPath} -> ${target} names another computer (${host}); this computer (${hostname}) cannot check that process`,
    };
  }
  if (!isProcessAlive(pid)) {
    return { state: 'stale', host, pid, evidence: `${lockPath} -> ${target}: process ${pid} is no longer running` };
  }
  const name = describeProcess(pid);
  return {
    state: 'held',
    holder: { pid, host, ...(name ? { process: name } : {}), evidence: `${lockPath} -> ${target}: process ${pid} is running` },
  };
}

const HELD_CODES = new Set(['EBUSY', 'EPERM', 'EACCES']);

/** Names of running browser processes (Windows does not record which one holds `lockfile`). */
function runningBrowsersOnWindows(): string | undefined {
  try {
    const out = execFileSync('tasklist', ['/FO', 'CSV', '/NH'], { encoding: 'utf8', timeout: 10_000 });
    const found = new Map<string, number[]>();
    for (const line of out.split(/\r?\n/)) {
      const [name, pid] = line.split('","').map((s) => s.replace(/"/g, ''));
      if (name && pid && /^(msedge|chrome|chromium)\.exe$/i.test(name)) {
        found.set(name, [...(found.get(name) ?? []), Number(pid)]);
      }
    }
    return found.size
      ? [...found].map(([name, pids]) => `${name} (pid ${pids.slice(0, 5).join(', ')}${pids.length > 5 ? ', …' : ''})`).join('; ')
      : undefined;
  } catch {
    return undefined;
  }
}

function inspectWindowsLockfile(userDataDir: string): ProfileLockState {
  const lockPath = path.join(userDataDir, 'lockfile');
  if (!fs.existsSync(lockPath)) return { state: 'free' };
  const held = (how: string, error: unknown): ProfileLockState => {
    const processes = runningBrowsersOnWindows();
    return {
      state: 'held',
      holder: {
        evidence: `${lockPath} cannot be ${how} (${(error as NodeJS.ErrnoException).code}): a running browser holds it`,
        ...(processes ? { process: processes } : {}),
      },
    };
  };
  try {
    fs.closeSync(fs.openSync(lockPath, 'r+'));
  } catch (error) {
    if (HELD_CODES.has((error as NodeJS.ErrnoException).code ?? '')) return held('opened for writing', error);
    throw error;
  }
  // Opening can succeed against a browser that shares write access; a rename cannot while it is open.
  // Renaming back restores the operator's file exactly: nothing of theirs is deleted.
  const probe = `${lockPath}.probe-${process.pid}`;
  try {
    fs.renameSync(lockPath, probe);
  } catch (error) {
    if (HELD_CODES.has((error as NodeJS.ErrnoException).code ?? '')) return held('renamed', error);
    throw error;
  }
  fs.renameSync(probe, lockPath);
  return { state: 'stale', evidence: `${lockPath} is left over from a browser that has exited` };
}

export interface InspectOptions {
  platform?: NodeJS.Platform;
  hostname?: string;
}

/** Full reading of the UDD's lock, including stale locks that do not block a launch. */
export function inspectProfileLock(userDataDir: string, options: InspectOptions = {}): ProfileLockState {
  const platform = options.platform ?? process.platform;
  return platform === 'win32'
    ? inspectWindowsLockfile(userDataDir)
    : inspectSingletonLock(userDataDir, options.hostname ?? os.hostname());
}

export function detectProfileInUse(userDataDir: string, options: InspectOptions = {}): ProfileHolder | null {
  const lock = inspectProfileLock(userDataDir, options);
  return lock.state === 'held' ? lock.holder : null;
}

export function describeHolder(holder: ProfileHolder): string {
  const who = holder.process ?? (holder.pid !== undefined ? `process ${holder.pid}` : 'a running browser');
  return holder.pid !== undefined && holder.process ? `${who} (pid ${holder.pid})` : who;
}

export class ProfileInUseError extends OperatorError {
  constructor(readonly userDataDir: string, readonly holder: ProfileHolder, readonly waitedMs: number) {
    super(
      `The browser profile "${userDataDir}" is in use by ${describeHolder(holder)}`
        + `${waitedMs > 0 ? ` and was still in use after waiting ${Math.round(waitedMs / 1000)} s` : ''}. Evidence: ${holder.evidence}.`,
      'Close Edge completely: every window, and also the background process that "Startup Boost" and '
        + '"Continue running background extensions and apps when Microsoft Edge is closed" keep alive '
        + '(edge://settings/system; check the tray icon or Task Manager for msedge). Then start the job again, '
        + 'or raise PROFILE_IN_USE_WAIT_MS to wait longer.',
    );
  }
}

export interface WaitForProfileFreeOptions extends InspectOptions {
  /** Give up after this long; 0 checks once. */
  timeoutMs: number;
  /** Default 1000 ms. */
  pollMs?: number;
  /** Called at every poll while the profile is held, so the operator sees why the run does not start. */
  onWait?: (holder: ProfileHolder, waitedMs: number) => void;
}

export async function waitForProfileFree(userDataDir: string, options: WaitForProfileFreeOptions): Promise<void> {
  const pollMs = options.pollMs ?? 1_000;
  const started = Date.now();
  for (;;) {
    const holder = detectProfileInUse(userDataDir, options);
    if (!holder) return;
    const waitedMs = Date.now() - started;
    if (waitedMs >= options.timeoutMs) throw new ProfileInUseError(userDataDir, holder, waitedMs);
    options.onWait?.(holder, waitedMs);
    await new Promise((resolve) => setTimeout(resolve, Math.min(pollMs, options.timeoutMs - waitedMs)));
  }
}
