import { test, expect } from '@playwright/test';
import { ConcurrencyController, ControllerOptionsError, type ControllerOptions } from '../../support/load/concurrency-controller.js';
import { OperatorError } from '../../support/shared/operator-error.js';

const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);

/**
 * Feeds one sample per second from `load(second)` for seconds [from, to); returns the
 * target after each of those seconds.
 */
function replay(controller: ConcurrencyController, to: number, load: (s: number) => { cpu: number; memory?: number }, from = 0): number[] {
  const targets: number[] = [];
  for (let s = from; s < to; s++) {
    const { cpu, memory = 40 } = load(s);
    controller.observe({ at: T0 + s * 1000, cpuPercent: cpu, memoryPercent: memory });
    targets.push(controller.target);
  }
  return targets;
}

const options = (extra: Partial<ControllerOptions> = {}): ControllerOptions => ({
  maxWindows: 4,
  cooldownMs: 10_000,
  holdMs: 15_000,
  smoothingSamples: 3,
  marginPoints: 10,
  ...extra,
});

test('starts at the configured worker count and stays there under normal load', () => {
  const controller = new ConcurrencyController(options());
  expect(controller.target).toBe(4);
  expect(replay(controller, 120, () => ({ cpu: 55 }))).toEqual(Array(120).fill(4));
  expect(controller.events).toEqual([]);
});

test('sustained CPU above the limit reduces by one per cooldown, never below one window', () => {
  const controller = new ConcurrencyController(options());
  const targets = replay(controller, 60, () => ({ cpu: 95 }));
  // No change in the first cooldown (the start counts as a change), then one step per 10 s.
  expect(targets[9]).toBe(4);
  expect(targets[10]).toBe(3);
  expect(targets[19]).toBe(3);
  expect(targets[20]).toBe(2);
  expect(targets[30]).toBe(1);
  expect(targets.at(-1)).toBe(1);
  expect(controller.events.map((e) => [e.from, e.to, e.reason])).toEqual([
    [4, 3, 'cpu-above-limit'],
    [3, 2, 'cpu-above-limit'],
    [2, 1, 'cpu-above-limit'],
  ]);
});

test('each change records its time, the smoothed load and the samples it was decided on', () => {
  const controller = new ConcurrencyController(options({ maxWindows: 2 }));
  replay(controller, 11, (s) => ({ cpu: s < 8 ? 50 : 99, memory: 30 }));
  expect(controller.events).toHaveLength(1);
  const [change] = controller.events;
  expect(change).toMatchObject({ at: new Date(T0 + 10_000).toISOString(), cpuPercent: 99, memoryPercent: 30, from: 2, to: 1 });
  expect(change!.samples.map((s) => s.cpuPercent)).toEqual([99, 99, 99]);
  expect(change!.samples.map((s) => s.at)).toEqual([T0 + 8000, T0 + 9000, T0 + 10_000]);
});

test('memory above its limit reduces too, and names memory as the reason', () => {
  const controller = new ConcurrencyController(options());
  replay(controller, 11, () => ({ cpu: 20, memory: 95 }));
  expect(controller.events.map((e) => e.reason)).toEqual(['memory-above-limit']);
  const both = new ConcurrencyController(options());
  replay(both, 11, () => ({ cpu: 99, memory: 95 }));
  expect(both.events.map((e) => e.reason)).toEqual(['cpu-and-memory-above-limit']);
});

test('a single spike does not reduce: the mean of the last three samples decides', () => {
  const controller = new ConcurrencyController(options());
  // 100 % for one second in every five: the mean of three samples peaks at 100/3 + 2·50/3 ≈ 67 %.
  replay(controller, 120, (s) => ({ cpu: s % 5 === 0 ? 100 : 50 }));
  expect(controller.events).toEqual([]);
  // Two seconds out of three above 100 % do push the mean over 80 %.
  const sustained = new ConcurrencyController(options());
  replay(sustained, 30, (s) => ({ cpu: s % 3 === 0 ? 60 : 100 }));
  expect(sustained.events.length).toBeGreaterThan(0);
});

test('restores one window per hold period of calm, up to the worker count', () => {
  const controller = new ConcurrencyController(options());
  const targets = replay(controller, 200, (s) => ({ cpu: s < 40 ? 95 : 30 }));
  expect(targets[39]).toBe(1);
  const raises = controller.events.filter((e) => e.reason === 'load-below-limits');
  expect(raises.map((e) => [e.from, e.to])).toEqual([[1, 2], [2, 3], [3, 4]]);
  // The mean is calm from second 41 ((95 + 30 + 30) / 3 ≈ 52 < 70); raises 15 s apart after that.
  expect(raises.map((e) => (Date.parse(e.at) - T0) / 1000)).toEqual([56, 71, 86]);
  expect(targets.at(-1)).toBe(4);
});

test('load between the limit and the margin neither reduces nor raises (dead band)', () => {
  const controller = new ConcurrencyController(options());
  replay(controller, 40, () => ({ cpu: 95 }));
  const before = controller.target;
  const eventsBefore = controller.events.length;
  replay(controller, 340, () => ({ cpu: 75 }), 40); // below 80 but not below 70
  expect(controller.target).toBe(before);
  expect(controller.events.length).toBe(eventsBefore);
});

test('calm must be continuous: a short return above the margin restarts the hold period', () => {
  const controller = new ConcurrencyController(options({ maxWindows: 2 }));
  replay(controller, 12, () => ({ cpu: 95 }));
  expect(controller.target).toBe(1);
  // Calm from second 13 (mean of 95, 30, 30), 75 % during 24..28: the mean is in the dead
  // band at 26..28, which breaks the calm 2 s before the raise that was due at 28.
  const targets = replay(controller, 80, (s) => ({ cpu: s >= 24 && s < 29 ? 75 : 30 }), 12);
  const raise = controller.events.find((e) => e.reason === 'load-below-limits')!;
  const calmAgain = 29; // mean of 75, 75, 30 = 60
  expect((Date.parse(raise.at) - T0) / 1000).toBe(calmAgain + 15);
  expect(targets.at(-1)).toBe(2);
});

test('square-wave load faster than the hold period: steps down once per cooldown, never flips back up', () => {
  const controller = new ConcurrencyController(options());
  // 6 s at 95 %, 6 s at 20 %, repeated for 5 minutes.
  const targets = replay(controller, 300, (s) => ({ cpu: Math.floor(s / 6) % 2 === 0 ? 95 : 20 }));
  const raises = controller.events.filter((e) => e.to > e.from);
  expect(raises).toEqual([]);
  let directionChanges = 0;
  for (let i = 2; i < targets.length; i++) {
    const a = Math.sign(targets[i - 1]! - targets[i - 2]!);
    const b = Math.sign(targets[i]! - targets[i - 1]!);
    if (a !== 0 && b !== 0 && a !== b) directionChanges++;
  }
  expect(directionChanges).toBe(0);
  expect(controller.events.length).toBeLessThanOrEqual(3);

  // The same wave without smoothing, dead band, hold or cooldown flips the target every phase.
  const naive = new ConcurrencyController(options({ smoothingSamples: 1, marginPoints: 0, holdMs: 0, cooldownMs: 0 }));
  replay(naive, 300, (s) => ({ cpu: Math.floor(s / 6) % 2 === 0 ? 95 : 20 }));
  expect(naive.events.filter((e) => e.to > e.from).length).toBeGreaterThan(20);
});

test('square-wave load slower than the hold period follows the load with bounded changes, never faster than hold/cooldown', () => {
  const controller = new ConcurrencyController(options());
  // 60 s at 95 %, 60 s at 20 %, for 10 minutes.
  replay(controller, 600, (s) => ({ cpu: Math.floor(s / 60) % 2 === 0 ? 95 : 20 }));
  const events = controller.events;
  expect(events.some((e) => e.to < e.from)).toBe(true);
  expect(events.some((e) => e.to > e.from)).toBe(true);
  for (let i = 1; i < events.length; i++) {
    const gap = Date.parse(events[i]!.at) - Date.parse(events[i - 1]!.at);
    const next = events[i]!;
    expect(gap).toBeGreaterThanOrEqual(next.to > next.from ? 15_000 : 10_000);
  }
  // At most max−min steps down per high phase and as many up per low phase: 5 phases each.
  expect(events.length).toBeLessThanOrEqual(5 * 3 * 2);
});

test('a raised window\'s start-up spike right after the raise does not park it again (cooldown after every change)', () => {
  const run = (cooldownMs: number) => {
    const controller = new ConcurrencyController(options({ maxWindows: 2, cooldownMs }));
    replay(controller, 12, () => ({ cpu: 95 }));
    expect(controller.target).toBe(1);
    // Calm until the raise, then 5 s at 100 % (the new browser starting), then calm.
    let raisedAt: number | undefined;
    for (let s = 12; s < 120; s++) {
      const spiking = raisedAt !== undefined && s <= raisedAt + 5;
      controller.observe({ at: T0 + s * 1000, cpuPercent: spiking ? 100 : 30, memoryPercent: 40 });
      if (raisedAt === undefined && controller.target === 2) raisedAt = s;
    }
    expect(raisedAt).toBeDefined();
    return controller.events.map((e) => e.to);
  };
  expect(run(10_000)).toEqual([1, 2]);
  // Without the cooldown the spike parks the window it just brought back.
  expect(run(0).slice(0, 3)).toEqual([1, 2, 1]);
});

test('honours custom limits and a minimum above one', () => {
  const controller = new ConcurrencyController(options({ minWindows: 2, limits: { cpuPercent: 50 } }));
  replay(controller, 100, () => ({ cpu: 60 }));
  expect(controller.target).toBe(2);
  expect(controller.summary()).toMatchObject({
    lowestTarget: 2,
    peakCpuPercent: 60,
    samplesSeen: 100,
    options: { limits: { cpuPercent: 50, memoryPercent: 90 }, minWindows: 2, maxWindows: 4 },
  });
});

test('rejects impossible settings with an operator error naming each one', () => {
  const attempt = () => new ConcurrencyController({ maxWindows: 0, limits: { cpuPercent: 150 }, holdMs: -1 });
  expect(attempt).toThrow(ControllerOptionsError);
  expect(attempt).toThrow(OperatorError);
  expect(attempt).toThrow(/maxWindows.*limits\.cpuPercent.*holdMs/);
});
