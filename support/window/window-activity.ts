/**
 * One window does one thing at a time: its own PO (a test) or a PO handed over by another
 * window (served while the window is idle). Work is queued in order; idle-time work is
 * only started when nothing is queued, so it never delays the window's own POs for long.
 */
export class WindowActivity {
  private tail: Promise<unknown> = Promise.resolve();
  private pending = 0;

  run<T>(work: () => Promise<T>): Promise<T> {
    this.pending++;
    const next = this.tail.then(work).finally(() => this.pending--);
    this.tail = next.catch(() => undefined);
    return next;
  }

  /** Starts `work` only if the window has nothing else to do; otherwise does nothing. */
  async runIfIdle<T>(work: () => Promise<T>): Promise<T | undefined> {
    if (this.pending > 0) return undefined;
    return this.run(work);
  }
}
