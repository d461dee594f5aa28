import fs from 'node:fs';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { isProcessAlive } from './process-liveness.js';

/**
 * A few slots shared by every process that names the same folder (the workers of one run,
 * on one machine): at most `limit` holders at once, e.g. clone copies (disk) or browser
 * launches (CPU). A slot is a proper-lockfile lock, refreshed while held, so a killed
 * holder's slot is taken over once stale.
 *
 * Ordered use (`order`): of the waiters, the lowest rank (window letter) takes a free slot
 * first. Each waiter shows itself with a ticket naming its process; a rank that took a slot
 * once leaves a mark. Rank 0 goes before every other rank even when it has not arrived yet
 * (its worker is still loading), for `leaderGraceMs` from the other's arrival, no longer,
 * so it cannot block the rest for good. Any other rank that has not arrived blocks nobody:
 * a free slot is never kept for a window that is still loading.
 */
export interface SlotWait {
  waitedMs: number;
  /** Slots held by others when every slot was busy, else 0. */
  busySlots: number;
  /** Ranks that go first (lower ones waiting, or rank 0 not arrived yet within the grace). */
  ahead: number;
}

export interface AcquireSlotOptions {
  /** How many holders at once across all processes. */
  limit: number;
  /** Default 250 ms. */
  pollMs?: number;
  /**
   * A slot whose holder stopped refreshing it for this long (killed worker) is taken over.
   * Default 10 000 ms; proper-lockfile refreshes it every half of that and accepts at least 2 000 ms.
   */
  staleMs?: number;
  /** Called at every poll while this waiter cannot take a slot, so the operator sees the back-pressure (PROFILE-NFR-06). */
  onWait?: (wait: SlotWait) => void;
  order?: { rank: number; leaderGraceMs: number };
  /** Asked before every try: false ends the wait with SlotWaitAbandoned (the slot is no longer wanted). */
  stillWanted?: () => boolean;
}

export type ReleaseSlot = () => Promise<void>;

/** The waiter gave up because `stillWanted` said so; it holds nothing. */
export class SlotWaitAbandoned extends Error {
  constructor(readonly waitedMs: number) {
    super(`gave up waiting for a slot after ${waitedMs} ms`);
    this.name = 'SlotWaitAbandoned';
  }
}

/** What the ordered queue looks like to one waiter. */
export interface QueueView {
  /** Ranks with a live waiter. */
  waiting: ReadonlySet<number>;
  /** Ranks that took a slot at least once. */
  taken: ReadonlySet<number>;
}

/** Pure: the ranks that go before `rank`: lower ranks waiting, and rank 0 until it took a slot or the grace is over. */
export function ranksAhead(rank: number, queue: QueueView, graceOver: boolean): number {
  let ahead = 0;
  for (let lower = 0; lower < rank; lower++) {
    if (queue.waiting.has(lower) || (lower === 0 && !graceOver && !queue.taken.has(0))) ahead++;
  }
  return ahead;
}

const ticketFile = (dir: string, rank: number) => path.join(dir, `waiting-${rank}`);
const takenFile = (dir: string, rank: number) => path.join(dir, `taken-${rank}`);

function readQueue(dir: string): QueueView {
  const waiting = new Set<number>();
  const taken = new Set<number>();
  for (const name of fs.readdirSync(dir)) {
    const match = /^(waiting|taken)-(\d+)$/.exec(name);
    if (!match) continue;
    const rank = Number(match[2]);
    if (match[1] === 'taken') taken.add(rank);
    else if (ownerAlive(path.join(dir, name))) waiting.add(rank);
  }
  return { waiting, taken };
}

function ownerAlive(ticket: string): boolean {
  try {
    const pid = Number(fs.readFileSync(ticket, 'utf8'));
    return Number.isInteger(pid) && pid > 0 && isProcessAlive(pid);
  } catch {
    return false;
  }
}

/** One try at each slot; the release function of the one taken, or undefined when all are busy. */
async function tryTake(dir: string, limit: number, stale: number): Promise<ReleaseSlot | undefined> {
  for (let slot = 0; slot < limit; slot++) {
    let compromised: Error | undefined;
    let unlock: () => Promise<void>;
    try {
      unlock = await lockfile.lock(path.join(dir, `slot-${slot}`), {
        stale,
        realpath: false,
        retries: 0,
        // A holder frozen past `stale` loses its slot to another process; it must not crash the worker for that.
        onCompromised: (error) => {
          compromised = error;
        },
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ELOCKED') continue;
      throw error;
    }
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      if (!compromised) await unlock();
    };
  }
  return undefined;
}

/** Waits for one of `limit` slots shared by every process that uses `dir`, and returns the function that frees it. */
export async function acquireSlot(dir: string, options: AcquireSlotOptions): Promise<ReleaseSlot> {
  const limit = Math.max(1, Math.floor(options.limit));
  const pollMs = options.pollMs ?? 250;
  const stale = Math.max(2_000, options.staleMs ?? 10_000);
  const { order } = options;
  fs.mkdirSync(dir, { recursive: true });
  const started = Date.now();
  if (order) fs.writeFileSync(ticketFile(dir, order.rank), String(process.pid));
  try {
    for (;;) {
      const waitedMs = Date.now() - started;
      if (options.stillWanted && !options.stillWanted()) throw new SlotWaitAbandoned(waitedMs);
      const ahead = order ? ranksAhead(order.rank, readQueue(dir), waitedMs >= order.leaderGraceMs) : 0;
      const release = ahead === 0 ? await tryTake(dir, limit, stale) : undefined;
      if (release) {
        if (order) fs.writeFileSync(takenFile(dir, order.rank), '');
        return release;
      }
      options.onWait?.({ waitedMs, busySlots: ahead === 0 ? limit : 0, ahead });
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  } finally {
    if (order) fs.rmSync(ticketFile(dir, order.rank), { force: true });
  }
}
