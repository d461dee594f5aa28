import { readGate } from '../run-state/load-files.js';
import { isActive } from './window-gate.js';

/**
 * A worker's view of the run's load gate for its window: whether the load governor lets the
 * window take POs (and launch its browser) now. Read at every look, so a change shows at once.
 */
export class GateView {
  private warned = false;

  constructor(
    private readonly file: string,
    private readonly parallelIndex: number,
    private readonly log: (message: string) => void,
  ) {}

  /** A damaged gate file lets every window work: a monitoring problem must never stop the downloads. */
  open(): boolean {
    try {
      return isActive(readGate(this.file), this.parallelIndex);
    } catch (error) {
      if (!this.warned) this.log(`load gate unreadable (${(error as Error).message}); working on`);
      this.warned = true;
      return true;
    }
  }
}
