import { plainStatusKey, renderPlainLine, renderTtyBlock } from './progress-render.js';
import type { ProgressSnapshot } from './progress-state.js';

/**
 * Puts progress on the screen: redrawn in place in a terminal, one line now and then in
 * a log. Other output of the run (window logs, finished POs) goes through `log` so it
 * lands above the terminal block instead of being overwritten by it.
 */
export interface ProgressOutput {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressWriter {
  /** The latest state; the writer decides whether to draw it now. */
  update(snapshot: ProgressSnapshot): void;
  /** A line (or lines) of other output. */
  log(text: string): void;
  /** Draws the final state and stops redrawing; the block stays on screen. */
  finish(snapshot: ProgressSnapshot): void;
}

const ESC = '\u001b[';

/** Moves to the first line of a block of `lines` lines just written and clears from there down. */
export function ttyErase(lines: number): string {
  return lines > 0 ? `${ESC}${lines}A\r${ESC}J` : '';
}

export function ttyRedraw(previousLines: number, lines: string[]): string {
  return ttyErase(previousLines) + lines.map((line) => `${line}\n`).join('');
}

export interface TtyWriterOptions {
  /** Minimum time between two redraws. Default 250 ms (at most 4 per second). */
  minIntervalMs?: number;
  now?: () => number;
}

export class TtyProgressWriter implements ProgressWriter {
  private drawn: string[] = [];
  private lastDrawAt = Number.NEGATIVE_INFINITY;
  private pending: ProgressSnapshot | undefined;
  private timer: NodeJS.Timeout | undefined;
  private finished = false;
  private readonly minIntervalMs: number;
  private readonly now: () => number;

  constructor(private readonly out: ProgressOutput, options: TtyWriterOptions = {}) {
    this.minIntervalMs = options.minIntervalMs ?? 250;
    this.now = options.now ?? Date.now;
  }

  update(snapshot: ProgressSnapshot): void {
    if (this.finished) return;
    this.pending = snapshot;
    const wait = this.lastDrawAt + this.minIntervalMs - this.now();
    if (wait <= 0) {
      this.drawPending();
      return;
    }
    if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.drawPending();
      }, wait);
      this.timer.unref();
    }
  }

  log(text: string): void {
    const body = text.endsWith('\n') ? text : `${text}\n`;
    if (this.finished) {
      this.out.write(body);
      return;
    }
    this.out.write(ttyErase(this.drawn.length) + body + this.drawn.map((line) => `${line}\n`).join(''));
  }

  finish(snapshot: ProgressSnapshot): void {
    if (this.finished) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = snapshot;
    this.drawPending();
    this.finished = true;
  }

  private drawPending(): void {
    const snapshot = this.pending;
    if (!snapshot || this.finished) return;
    this.pending = undefined;
    // One column spare: writing into the last column makes some terminals wrap, which breaks the cursor arithmetic.
    const lines = renderTtyBlock(snapshot, (this.out.columns ?? 100) - 1);
    this.out.write(ttyRedraw(this.drawn.length, lines));
    this.drawn = lines;
    this.lastDrawAt = this.now();
  }
}

export interface PlainWriterOptions {
  /** A line at least this often while something runs. Default 30 s. */
  everyMs?: number;
  now?: () => number;
}

export class PlainProgressWriter implements ProgressWriter {
  private lastLineAt = Number.NEGATIVE_INFINITY;
  private lastKey: string | undefined;
  private finished = false;
  private readonly everyMs: number;
  private readonly now: () => number;

  constructor(private readonly out: ProgressOutput, options: PlainWriterOptions = {}) {
    this.everyMs = options.everyMs ?? 30_000;
    this.now = options.now ?? Date.now;
  }

  update(snapshot: ProgressSnapshot): void {
    if (this.finished) return;
    const key = plainStatusKey(snapshot);
    if (key === this.lastKey && this.now() - this.lastLineAt < this.everyMs) return;
    this.line(snapshot, key);
  }

  log(text: string): void {
    this.out.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  finish(snapshot: ProgressSnapshot): void {
    if (this.finished) return;
    this.line(snapshot, plainStatusKey(snapshot));
    this.finished = true;
  }

  private line(snapshot: ProgressSnapshot, key: string): void {
    this.out.write(`${renderPlainLine(snapshot)}\n`);
    this.lastKey = key;
    this.lastLineAt = this.now();
  }
}

/** The in-place block on a terminal, plain lines anywhere else (CI logs, files, pipes). */
export function createProgressWriter(
  out: ProgressOutput = process.stdout,
  options: TtyWriterOptions & PlainWriterOptions = {},
): ProgressWriter {
  return out.isTTY ? new TtyProgressWriter(out, options) : new PlainProgressWriter(out, options);
}
