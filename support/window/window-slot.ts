import type { GateView } from '../load/gate-view.js';
import { OperatorError } from '../shared/operator-error.js';
import type { WindowProgressPublisher } from '../progress/window-progress-channel.js';
import type { PoHandoff } from '../run-state/handoff-exchange.js';
import type { PoRunner } from '../run/po-runner.js';
import type { BrowserWindow } from './browser-window.js';
import type { WindowActivity } from './window-activity.js';
import type { WindowLog } from './window-identity.js';

/**
 * A working window as the worker sees it between and around its POs: it serves POs other
 * windows handed over while it is idle, and follows the load governor's gate: parked
 * (browser closed, memory freed) when the gate says so, started and verified again when
 * the gate lets it back. Window A (parallel index 0) is never parked. A window the gate held
 * back before its first launch is parked from the start and launches when the gate lets it.
 */
export class WindowSlot {
  private unregister: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly window: BrowserWindow,
    readonly runner: PoRunner,
    readonly activity: WindowActivity,
    private readonly deps: {
      handoff: PoHandoff;
      gate: GateView;
      progress: WindowProgressPublisher;
      log: WindowLog;
      /** Called when the window cannot be brought back after parking; it then stops taking POs. */
      retire: (reason: string) => void;
    },
  ) {}

  get parked(): boolean {
    return this.window.record.state === 'parked';
  }

  get retired(): boolean {
    return this.window.record.state === 'failed';
  }

  /**
   * Starts serving: a verified window registers as working; one the load governor held back
   * before its launch waits parked. Idle-time duties run on a timer.
   */
  begin(): void {
    if (this.parked) this.deps.progress.publish({ state: 'parked' });
    else {
      this.unregister = this.deps.handoff.registerWorking(this.window.letter);
      this.deps.progress.publish({ state: 'idle' });
    }
    this.timer = setInterval(() => void this.tick(), 300);
  }

  /** Brings the window in line with the gate; true when it may take a PO now. */
  async follow(): Promise<boolean> {
    if (this.retired) return false;
    const open = this.deps.gate.open();
    if (!open && !this.parked) await this.park();
    if (open && this.parked) await this.unpark();
    return !this.parked && !this.retired;
  }

  private async park(): Promise<void> {
    this.unregister?.();
    this.unregister = undefined;
    await this.window.park();
    this.deps.progress.publish({ state: 'parked' });
  }

  private async unpark(): Promise<void> {
    this.deps.progress.publish({ state: 'starting' });
    try {
      if (!(await this.window.unpark())) {
        this.deps.progress.publish({ state: 'parked' });
        return;
      }
    } catch (error) {
      if (!(error instanceof OperatorError)) throw error;
      this.deps.retire(error.describe());
      this.deps.progress.publish({ state: 'failed' });
      return;
    }
    this.unregister = this.deps.handoff.registerWorking(this.window.letter);
    this.deps.progress.publish({ state: 'idle' });
  }

  private async tick(): Promise<void> {
    try {
      await this.activity.runIfIdle(async () => {
        if (!(await this.follow()) || !this.window.alive || this.deps.handoff.pendingOffers() === 0) return;
        await this.runner.serveHandoffs();
        this.deps.progress.publish({ state: 'idle' });
      });
    } catch (error) {
      this.deps.log(`between POs: ${(error as Error).message.split('\n')[0]}`);
    }
  }

  /** Stops the timer and leaves the exchange; the caller closes the window. */
  end(): void {
    clearInterval(this.timer);
    this.unregister?.();
    this.unregister = undefined;
  }
}
