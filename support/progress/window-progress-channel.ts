import fs from 'node:fs';
import path from 'node:path';
import type { FileProgress, ProgressEvent, WindowActivity } from './progress-state.js';

/**
 * How a worker tells the runner what its window is doing (state, current PO, file),
 * for the live progress display: each window keeps one small JSON file in the run's
 * state folder, replaced atomically, and the runner reads them all a few times a second.
 * A file per window means no locking and no ordering between windows.
 */
export const WINDOW_PROGRESS_DIR = 'progress';

export function windowProgressDirFor(stateDir: string): string {
  return path.join(stateDir, WINDOW_PROGRESS_DIR);
}

export type WindowProgressEvent = Extract<ProgressEvent, { type: 'window' }>;

export interface WindowProgressUpdate {
  state: WindowActivity;
  poNumber?: string;
  file?: FileProgress;
}

export interface PublisherOptions {
  /** Byte-count-only updates closer together than this are coalesced. Default 250 ms. */
  minIntervalMs?: number;
  now?: () => number;
}

/**
 * Worker side. State, PO and file changes are written at once; byte counts at most every
 * `minIntervalMs`, the latest one written when the interval has passed. Writing is best
 * effort: a display that cannot be updated must never fail a PO.
 */
export class WindowProgressPublisher {
  private readonly file: string;
  private readonly minIntervalMs: number;
  private readonly now: () => number;
  private last: WindowProgressUpdate | undefined;
  private lastWriteAt = Number.NEGATIVE_INFINITY;
  private pending: WindowProgressUpdate | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(readonly dir: string, readonly window: string, options: PublisherOptions = {}) {
    this.file = path.join(dir, `${window}.json`);
    this.minIntervalMs = options.minIntervalMs ?? 250;
    this.now = options.now ?? Date.now;
  }

  publish(update: WindowProgressUpdate): void {
    const onlyBytes =
      this.last !== undefined &&
      this.last.state === update.state &&
      this.last.poNumber === update.poNumber &&
      this.last.file?.name === update.file?.name &&
      this.last.file?.index === update.file?.index &&
      (this.last.file === undefined) === (update.file === undefined);
    const wait = this.lastWriteAt + this.minIntervalMs - this.now();
    if (!onlyBytes || wait <= 0) {
      this.write(update);
      return;
    }
    this.pending = update;
    if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), wait);
      this.timer.unref();
    }
  }

  /** Writes a coalesced update now (call before the worker ends). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending) this.write(this.pending);
  }

  private write(update: WindowProgressUpdate): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = undefined;
    this.last = update;
    this.lastWriteAt = this.now();
    const event: WindowProgressEvent = {
      type: 'window',
      at: this.lastWriteAt,
      window: this.window,
      state: update.state,
      ...(update.poNumber !== undefined && { poNumber: update.poNumber }),
      ...(update.file && { file: update.file }),
    };
    const temp = `${this.file}.${process.pid}.tmp`;
    try {
      fs.mkdirSync(this.dir, { recursive: true });
      fs.writeFileSync(temp, JSON.stringify(event));
      fs.renameSync(temp, this.file);
    } catch {
      fs.rmSync(temp, { force: true });
    }
  }
}

const STATES: ReadonlySet<string> = new Set<WindowActivity>(['starting', 'idle', 'working', 'parked', 'failed', 'closed']);

/** Runner side: every window's latest state. Files that are missing, partial or foreign are skipped. */
export function readWindowProgress(dir: string): WindowProgressEvent[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  const events: WindowProgressEvent[] = [];
  for (const name of names) {
    try {
      const event = JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')) as WindowProgressEvent;
      if (event.type === 'window' && typeof event.window === 'string' && STATES.has(event.state) && Number.isFinite(event.at)) events.push(event);
    } catch {
      // Replaced or removed between listing and reading; the next poll sees it.
    }
  }
  return events;
}
