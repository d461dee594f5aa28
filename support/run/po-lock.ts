import { acquireOwnedLock, type HeldLock, type LockLostError, type LockOwner } from '../shared/owned-lock.js';

/**
 * A PO is processed by one window at a time, also across runs started at the same time
 * over the same input and download folder (PARALLEL-08): a lock per PO in the download
 * folder, held while the PO is processed. A lock whose holder died is taken over (at once
 * when the holder was on this machine); a lock whose holder lives is never taken, and a
 * holder that lost its lock anyway (its computer slept past the stale period) stops the PO.
 */
export type PoLockResult = { acquired: true; lock: HeldLock } | { acquired: false; holder: string };

/** A holder on another computer that has not refreshed its lock for this long counts as gone. */
const STALE_MS = 30_000;

export class PoLocks {
  constructor(
    private readonly lockDirOf: (poId: string) => string,
    private readonly me: { runRoot: string; window: string },
    private readonly staleMs = STALE_MS,
  ) {}

  async acquire(poId: string, onLost?: (error: LockLostError) => void): Promise<PoLockResult> {
    const result = await acquireOwnedLock(this.lockDirOf(poId), {
      staleMs: this.staleMs,
      details: { runRoot: this.me.runRoot, window: this.me.window },
      ...(onLost ? { onLost } : {}),
    });
    return result.acquired ? result : { acquired: false, holder: describeHolder(result.owner) };
  }
}

export function describeHolder(owner: LockOwner | undefined): string {
  if (!owner) return 'another run';
  return `process ${owner.pid} on ${owner.host}, window ${owner.details.window ?? '?'}, run folder ${owner.details.runRoot ?? '?'}`;
}
