import fs from 'node:fs';
import path from 'node:path';
import { cookieStoreIn } from '../profile/profile-locator.js';

/**
 * Faults the acceptance tests inject into one window, to prove that verification
 * catches them and remediation repairs that window alone. Set through COUPA_TEST_FAULTS
 * (JSON) by the tests only; an operator never sets it. "once" faults hit the first time
 * only, across worker restarts (remembered in the run's private folder).
 *
 *   { "corruptClone": { "B": "once" }, "signOutAfterLaunch": { "C": "always" }, "signOutBeforePo": { "A": "once" } }
 */
export type FaultFrequency = 'once' | 'always';

export interface InjectedFaults {
  /** Delete the clone's cookie store right after cloning (a partial, interrupted copy). */
  corruptClone?: Record<string, FaultFrequency>;
  /** Drop every cookie of the window right after its browser started (a window that starts signed out). */
  signOutAfterLaunch?: Record<string, FaultFrequency>;
  /** Drop every cookie of the window just before its next PO (a session lost in the middle of a run). */
  signOutBeforePo?: Record<string, FaultFrequency>;
}

export const FAULTS_ENV = 'COUPA_TEST_FAULTS';

export function injectedFaults(env: NodeJS.ProcessEnv = process.env): InjectedFaults {
  const raw = env[FAULTS_ENV];
  return raw ? (JSON.parse(raw) as InjectedFaults) : {};
}

/** Whether `fault` hits window `letter` now; a "once" fault is spent by the first hit. */
export function faultHits(kind: keyof InjectedFaults, letter: string, sessionDir: string, faults = injectedFaults()): boolean {
  const frequency = faults[kind]?.[letter];
  if (!frequency) return false;
  if (frequency === 'always') return true;
  const marker = path.join(sessionDir, 'injected-faults', `${kind}-${letter}`);
  fs.mkdirSync(path.dirname(marker), { recursive: true });
  try {
    fs.writeFileSync(marker, '', { flag: 'wx' });
    return true;
  } catch {
    return false;
  }
}

export function corruptCloneCookieStore(userDataDir: string, profileName: string): void {
  const profileDir = path.join(userDataDir, profileName);
  const store = cookieStoreIn(profileDir);
  if (store) fs.rmSync(path.join(profileDir, store), { force: true });
}
