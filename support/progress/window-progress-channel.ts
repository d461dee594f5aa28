import type { WindowProgressEvent, WindowProgressFiles } from '../run-state/window-progress-files.js';
import type { FileProgress, WindowActivity } from './progress-state.js';

/**
 * How a worker tells the runner what its window is doing (state, current PO, file), for the
 * live progress display, through the window progress files of the run's state.
 */
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
  private readonly minIntervalMs: number;
  private readonly now: () => number;
  private last: WindowProgressUpdate | undefined;
  private lastWriteAt = Number.NEGATIVE_INFINITY;
  private pending: WindowProgressUpdate | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly files: WindowProgressFiles, readonly window: string, options: PublisherOptions = {}) {
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
    this.files.write(event);
  }
}
