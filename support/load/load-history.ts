import type { LoadPoint } from '../run-state/load-files.js';

/**
 * The load over a whole run, for a picture of it afterwards, in bounded memory: when the
 * series is full, every other point goes and from then on only every second sample is
 * kept (then every fourth, …), so a run of any length is drawn from at most `capacity`
 * points spread evenly over it.
 */
export class LoadHistory {
  private seen = 0;
  private kept: LoadPoint[] = [];
  private every = 1;

  constructor(private readonly capacity = 1_000) {}

  add(point: LoadPoint): void {
    if (this.seen++ % this.every !== 0) return;
    this.kept.push(point);
    if (this.kept.length <= this.capacity) return;
    this.kept = this.kept.filter((_, index) => index % 2 === 0);
    this.every *= 2;
  }

  get stride(): number {
    return this.every;
  }

  get points(): readonly LoadPoint[] {
    return this.kept;
  }
}
