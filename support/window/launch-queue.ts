import { acquireSlot, SlotWaitAbandoned, type ReleaseSlot } from '../shared/process-slots.js';
import type { WindowLog } from './window-identity.js';
import type { WindowRecord } from './window-record.js';

/**
 * The run's launch queue: browsers start a few at a time across the worker processes
 * (LAUNCH_CONCURRENCY), in window letter order, because launching every browser at once on
 * a small machine makes all of them slow (issue 11: 4 at once on 2 cores took 10.5 s until
 * all were up, one after the other 4.8 s). The slot covers the launch alone: verification
 * mostly waits for the server, so a verifying window lets the next one launch.
 */
export interface LaunchPlace {
  /** Shared by every worker of the run. */
  slotsDir: string;
  limit: number;
  /** Whether the load governor lets this window start now: asked before it queues and at every look while it waits. */
  mayLaunch: () => boolean;
}

/** The load governor closed the gate for this window while it waited for its turn: it does not launch. */
export class LaunchHeldBack extends Error {
  constructor(readonly window: string) {
    super(`window ${window} was held back by the load governor before its browser launched`);
    this.name = 'LaunchHeldBack';
  }
}

/**
 * Window A goes first: it takes the first PO. Its worker may still be loading when another
 * window is ready to launch; that one waits for A this long at most. Other windows launch
 * in letter order among those waiting: a free slot is not kept for a window still loading
 * (on a busy 2-core machine workers finished loading up to 3.7 s apart, in any order).
 */
const LEADER_GRACE_MS = 5_000;
const POLL_MS = 100;

/**
 * Waits for this window's turn to launch; the wait goes into the record (phase, timings) and
 * the log. Returns what frees the slot once the browser is up.
 */
export async function awaitLaunchTurn(place: LaunchPlace, window: { record: WindowRecord; save: () => void; log: WindowLog }): Promise<ReleaseSlot> {
  const { record, save, log } = window;
  record.phase = 'launch-queue';
  save();
  const started = Date.now();
  let lastNotice = -Infinity;
  try {
    const release = await acquireSlot(place.slotsDir, {
      limit: place.limit,
      pollMs: POLL_MS,
      order: { rank: record.parallelIndex, leaderGraceMs: LEADER_GRACE_MS },
      stillWanted: place.mayLaunch,
      onWait: ({ waitedMs, busySlots, ahead }) => {
        // Shown once a wait is noticeable and then every few seconds (PROFILE-NFR-06), not at every look.
        if (waitedMs < 1_000 || waitedMs - lastNotice < 3_000) return;
        lastNotice = waitedMs;
        const why = ahead > 0 ? `${ahead} window(s) with an earlier letter go first` : `${busySlots} of ${place.limit} launch(es) in progress`;
        log(`waiting for its turn to launch: ${why} (${(waitedMs / 1000).toFixed(1)} s)`);
      },
    });
    const waited = Date.now() - started;
    if (waited >= 100) log(`launches after ${(waited / 1000).toFixed(1)} s in the launch queue`);
    return release;
  } catch (error) {
    if (error instanceof SlotWaitAbandoned) throw new LaunchHeldBack(record.window);
    throw error;
  } finally {
    record.timings.launchWaitMs += Date.now() - started;
  }
}
