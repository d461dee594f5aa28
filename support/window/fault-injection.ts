import fs from 'node:fs';
import path from 'node:path';
import type { FaultKind, InjectedFaults } from '../run-state/run-handle.js';
import { cookieStoreIn } from '../profile/profile-locator.js';

/**
 * Faults the acceptance tests inject into one window (COUPA_TEST_FAULTS, read by the run
 * state), to prove that verification catches them and remediation repairs that window alone.
 */
export interface FaultHooks {
  faults: InjectedFaults;
  /** True the first time a "once" fault is asked for in this run, across worker restarts. */
  firstHit: (kind: FaultKind, window: string) => boolean;
}

/** Whether `kind` hits window `letter` now; a "once" fault is spent by the first hit. */
export function faultHits(kind: FaultKind, letter: string, hooks: FaultHooks): boolean {
  const frequency = hooks.faults[kind]?.[letter];
  if (!frequency) return false;
  return frequency === 'always' || hooks.firstHit(kind, letter);
}

export function corruptCloneCookieStore(userDataDir: string, profileName: string): void {
  const profileDir = path.join(userDataDir, profileName);
  const store = cookieStoreIn(profileDir);
  if (store) fs.rmSync(path.join(profileDir, store), { force: true });
}
