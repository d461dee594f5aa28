import { inspectProfileLock, type ProfileLockState } from '../profile/profile-in-use.js';
import type { BrowserCdp } from './browser-cdp.js';
import { samePath, timed, type MethodResult } from './profile-verifier.js';

/**
 * VM-002 without rendering a page: the browser's own command line (CDP
 * Browser.getBrowserCommandLine) names the intended user data folder and profile, and that
 * folder's lock is held by this very browser process (its pid from SystemInfo.getProcessInfo).
 * That proves what chrome://version showed (this browser runs on this folder and profile),
 * and also that no other browser instance got the launch; it costs about 2 ms instead of a
 * WebUI renderer for chrome://version (0.3 CPU-s and 0.25 s per window start, issue 11).
 */
export interface IntrospectionFacts {
  /** The browser's command line, one argument per element (never re-quoted). */
  arguments: string[];
  /** The browser process (not a renderer or helper). */
  browserPid: number | undefined;
  /** The user data folder's lock as the operating system shows it. */
  lock: ProfileLockState;
}

export interface IntrospectionTarget {
  userDataDir: string;
  profileName: string;
}

/** A switch's value as Chromium reads it: when a switch is given twice, the last one counts. */
export function switchValue(args: readonly string[], name: string): string | undefined {
  const prefix = `--${name}=`;
  let value: string | undefined;
  for (const arg of args) if (arg.startsWith(prefix)) value = arg.slice(prefix.length);
  return value;
}

/** Pure: whether the facts prove the browser runs on the intended folder and profile, and what they showed. */
export function judgeIntrospection(facts: IntrospectionFacts, expected: IntrospectionTarget, platform: NodeJS.Platform = process.platform): { ok: boolean; detail: string } {
  const udd = switchValue(facts.arguments, 'user-data-dir');
  if (udd === undefined || !samePath(udd, expected.userDataDir, platform)) {
    return { ok: false, detail: `browser command line has ${udd === undefined ? 'no --user-data-dir' : `--user-data-dir=${udd}`}, expected --user-data-dir=${expected.userDataDir}` };
  }
  // Chromium opens `Default` when no profile is named.
  const profile = switchValue(facts.arguments, 'profile-directory') ?? 'Default';
  const sameProfile = platform === 'linux' ? profile === expected.profileName : profile.toLowerCase() === expected.profileName.toLowerCase();
  if (!sameProfile) return { ok: false, detail: `browser command line has --profile-directory=${profile}, expected ${expected.profileName}` };
  const where = `--user-data-dir=${udd} --profile-directory=${profile}`;
  const { lock } = facts;
  if (lock.state !== 'held') {
    return { ok: false, detail: `browser command line has ${where}, but no running browser holds that folder's lock (${lock.state === 'stale' ? lock.evidence : 'no lock'})` };
  }
  if (lock.holder.pid === undefined) {
    // Windows keeps no pid in `lockfile`; the folder is held by a running browser, and only one browser can hold it.
    return { ok: true, detail: `browser ${facts.browserPid ?? '?'} runs on ${where}; the folder's lock is held (${lock.holder.evidence})` };
  }
  if (lock.holder.pid !== facts.browserPid) {
    return { ok: false, detail: `browser ${facts.browserPid ?? '?'} has ${where}, but that folder's lock is held by process ${lock.holder.pid}, another browser` };
  }
  return { ok: true, detail: `browser ${facts.browserPid} runs on ${where} and holds the folder's lock` };
}

export function verifyIntrospection(cdp: BrowserCdp, expected: IntrospectionTarget, platform: NodeJS.Platform = process.platform): Promise<MethodResult> {
  return timed('introspection', async () => {
    const [args, processes] = await Promise.all([cdp.commandLine(), cdp.processes()]);
    const facts: IntrospectionFacts = {
      arguments: args,
      browserPid: processes.find((p) => p.type === 'browser')?.id,
      lock: inspectProfileLock(expected.userDataDir, { platform }),
    };
    return { ...judgeIntrospection(facts, expected, platform), browserVersion: cdp.version };
  });
}
