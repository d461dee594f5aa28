import type { PoStatus } from '../po-result.js';

/**
 * The live view of a run (PROFILE-NFR-06), as a pure model: events in, snapshot out. The
 * reporter feeds it from the runner's own events, the load governor and the windows'
 * progress files; renderers turn snapshots into text. Time comes from the events and
 * from `snapshot(now)`, never from a clock of its own.
 */
export type WindowActivity = 'starting' | 'idle' | 'working' | 'parked' | 'failed' | 'closed';

/** Which file of the current PO a window is on; bytes when the downloader knows them. */
export interface FileProgress {
  name: string;
  /** 1-based position among the PO's attachments. */
  index: number;
  count: number;
  bytes?: number;
  totalBytes?: number;
}

export type ProgressEvent =
  | { type: 'run-started'; at: number; total: number; maxWindows: number }
  | { type: 'po-finished'; at: number; poNumber: string; status: PoStatus; window?: string }
  /** A window's whole state: what it omits (PO, file) it no longer has. */
  | { type: 'window'; at: number; window: string; state: WindowActivity; poNumber?: string; file?: FileProgress }
  | { type: 'load'; at: number; cpuPercent: number; memoryPercent: number }
  | { type: 'target'; at: number; target: number };

export interface WindowView {
  window: string;
  state: WindowActivity;
  poNumber?: string;
  file?: FileProgress;
  /** POs this window finished in this run. */
  done: number;
}

export interface ProgressSnapshot {
  at: number;
  elapsedMs: number;
  total: number;
  processed: number;
  /** All attachments retrieved: COMPLETED, NO_ATTACHMENTS. */
  successes: number;
  /** The tool could not get what is there: FAILED, PARTIAL, TIMEOUT. */
  failures: number;
  /** Answered by Coupa or the input, not by the tool: PO_NOT_FOUND, PR_NOT_ACCESSIBLE, LOCKED, … */
  others: number;
  /** Over the last `rateWindowMs` (or the run so far when it is shorter); undefined before the first PO. */
  posPerMinute: number | undefined;
  etaMs: number | undefined;
  /** Windows starting or taking POs (not parked, failed or closed). */
  activeWindows: number;
  targetWindows: number;
  maxWindows: number;
  cpuPercent: number | undefined;
  memoryPercent: number | undefined;
  windows: WindowView[];
}

export type OutcomeClass = 'success' | 'failure' | 'other';

export function outcomeClass(status: PoStatus): OutcomeClass {
  switch (status) {
    case 'COMPLETED':
    case 'NO_ATTACHMENTS':
      return 'success';
    case 'FAILED':
    case 'PARTIAL':
    case 'TIMEOUT':
      return 'failure';
    default:
      return 'other';
  }
}

const ACTIVE: ReadonlySet<WindowActivity> = new Set(['starting', 'idle', 'working']);

/** Window letters in the order A..Z, AA.. (longer names after shorter ones). */
export function compareWindowLetters(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

export interface ProgressStateOptions {
  /** Window of the POs/min rate. Default 60 s: recent enough to follow a change, long enough to be steady. */
  rateWindowMs?: number;
}

export class ProgressState {
  private readonly rateWindowMs: number;
  private startedAt: number | undefined;
  private total = 0;
  private maxWindows = 0;
  private target: number | undefined;
  private load: { cpuPercent: number; memoryPercent: number } | undefined;
  /** Last outcome per PO: a PO reported twice (a retry, a resumed run) counts once. */
  private readonly outcomes = new Map<string, PoStatus>();
  private readonly finishTimes: number[] = [];
  private readonly windows = new Map<string, WindowView & { at: number }>();

  constructor(options: ProgressStateOptions = {}) {
    this.rateWindowMs = options.rateWindowMs ?? 60_000;
  }

  apply(event: ProgressEvent): void {
    switch (event.type) {
      case 'run-started':
        this.startedAt = event.at;
        this.total = event.total;
        this.maxWindows = event.maxWindows;
        return;
      case 'po-finished': {
        if (!this.outcomes.has(event.poNumber)) this.finishTimes.push(event.at);
        this.outcomes.set(event.poNumber, event.status);
        if (event.window) {
          this.windowView(event.window).done++;
        }
        return;
      }
      case 'window': {
        const view = this.windowView(event.window);
        // Progress files are polled: an older state read late must not undo a newer one.
        if (event.at < view.at) return;
        view.at = event.at;
        view.state = event.state;
        if (event.poNumber === undefined) delete view.poNumber;
        else view.poNumber = event.poNumber;
        if (event.file === undefined) delete view.file;
        else view.file = { ...event.file };
        return;
      }
      case 'load':
        this.load = { cpuPercent: event.cpuPercent, memoryPercent: event.memoryPercent };
        return;
      case 'target':
        this.target = event.target;
        return;
    }
  }

  snapshot(now: number): ProgressSnapshot {
    const startedAt = this.startedAt ?? now;
    const elapsedMs = Math.max(0, now - startedAt);
    let successes = 0;
    let failures = 0;
    let others = 0;
    for (const status of this.outcomes.values()) {
      const kind = outcomeClass(status);
      if (kind === 'success') successes++;
      else if (kind === 'failure') failures++;
      else others++;
    }
    const processed = this.outcomes.size;
    const remaining = Math.max(0, this.total - processed);
    const posPerMinute = this.rate(now, elapsedMs);
    const etaMs = remaining === 0 ? 0 : posPerMinute ? (remaining / posPerMinute) * 60_000 : undefined;
    const windows = [...this.windows.values()]
      .sort((a, b) => compareWindowLetters(a.window, b.window))
      .map((view): WindowView => ({
        window: view.window,
        state: view.state,
        done: view.done,
        ...(view.poNumber !== undefined && { poNumber: view.poNumber }),
        ...(view.file && { file: { ...view.file } }),
      }));
    return {
      at: now,
      elapsedMs,
      total: this.total,
      processed,
      successes,
      failures,
      others,
      posPerMinute,
      etaMs,
      activeWindows: windows.filter((w) => ACTIVE.has(w.state)).length,
      targetWindows: this.target ?? this.maxWindows,
      maxWindows: this.maxWindows,
      cpuPercent: this.load?.cpuPercent,
      memoryPercent: this.load?.memoryPercent,
      windows,
    };
  }

  private rate(now: number, elapsedMs: number): number | undefined {
    if (this.finishTimes.length === 0 || elapsedMs <= 0) return undefined;
    const since = now - this.rateWindowMs;
    const recent = this.finishTimes.filter((t) => t > since && t <= now).length;
    const spanMs = Math.min(this.rateWindowMs, elapsedMs);
    return (recent / spanMs) * 60_000;
  }

  private windowView(window: string): WindowView & { at: number } {
    let view = this.windows.get(window);
    if (!view) {
      // A window heard of first through a finished PO has been working; its next own event says more.
      view = { window, state: 'idle', done: 0, at: Number.NEGATIVE_INFINITY };
      this.windows.set(window, view);
    }
    return view;
  }
}
