import { test, expect } from '@playwright/test';
import { ConcurrencyController, ControllerOptionsError, type ControllerOptions } from '../../support/load/concurrency-controller.js';
import { OperatorError } from '../../support/shared/operator-error.js';

const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);

/**
 * Feeds one sample per second from `load(second)` for seconds [from, to); returns the
 * target after each of those seconds.
 */
function replay(
  controller: ConcurrencyController,
  to: number,
  load: (s: number) => { cpu: number; memory?: number; starting?: number },
  from = 0,
): number[] {
  const targets: number[] = [];
  for (let s = from; s < to; s++) {
    const { cpu, memory = 40, starting = 0 } = load(s);
    controller.observe({ at: T0 + s * 1000, cpuPercent: cpu, memoryPercent: memory, startingWindows: starting });
    targets.push(controller.target);
  }
  return targets;
}

const options = (extra: Partial<ControllerOptions> = {}): ControllerOptions => ({
  maxWindows: 4,
  cooldownMs: 10_000,
  holdMs: 15_000,
  historyMs: 10_000,
  overloadShare: 0.6,
  calmShare: 0.2,
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

test('each change records its time, the share of overloaded samples, their mean and the samples it was decided on', () => {
  const controller = new ConcurrencyController(options({ maxWindows: 2 }));
  replay(controller, 11, (s) => ({ cpu: s < 3 ? 50 : 99, memory: 30 }));
  expect(controller.events).toHaveLength(1);
  const [change] = controller.events;
  // The last 10 s at second 10 are seconds 1..10: two at 50 %, eight at 99 %.
  expect(change).toMatchObject({ at: new Date(T0 + 10_000).toISOString(), overloadedShare: 0.8, cpuPercent: 89.2, memoryPercent: 30, from: 2, to: 1 });
  expect(change!.samples.map((s) => s.cpuPercent)).toEqual([50, 50, 99, 99, 99, 99, 99, 99, 99, 99]);
  expect(change!.samples.map((s) => s.at)).toEqual(Array.from({ length: 10 }, (_, i) => T0 + (i + 1) * 1000));
});

test('memory above its limit reduces too, and names memory as the reason', () => {
  const controller = new ConcurrencyController(options());
  replay(controller, 11, () => ({ cpu: 20, memory: 95 }));
  expect(controller.events.map((e) => e.reason)).toEqual(['memory-above-limit']);
  const both = new ConcurrencyController(options());
  replay(both, 11, () => ({ cpu: 99, memory: 95 }));
  expect(both.events.map((e) => e.reason)).toEqual(['cpu-and-memory-above-limit']);
});

test('spikes do not reduce: only a share of overloaded samples over the last 10 s does', () => {
  const controller = new ConcurrencyController(options());
  // 100 % for one second in every five: a fifth of the samples, however high.
  replay(controller, 120, (s) => ({ cpu: s % 5 === 0 ? 100 : 50 }));
  expect(controller.events).toEqual([]);
  // Two seconds out of three above the limit are sustained load.
  const sustained = new ConcurrencyController(options());
  replay(sustained, 30, (s) => ({ cpu: s % 3 === 0 ? 60 : 100 }));
  expect(sustained.events.length).toBeGreaterThan(0);
});

test('samples taken while windows of the job are starting are left out: its own start-up never reduces', () => {
  const controller = new ConcurrencyController(options());
  // 20 s at 100 % while two windows launch and verify, then a quiet machine.
  replay(controller, 120, (s) => (s < 20 ? { cpu: 100, starting: 2 } : { cpu: 30 }));
  expect(controller.events).toEqual([]);
  expect(controller.summary()).toMatchObject({ startupSamples: 20, samplesSeen: 120, peakCpuPercent: 100 });
  // The same load with no window starting is outside load, and it reduces.
  const outside = new ConcurrencyController(options());
  replay(outside, 120, (s) => ({ cpu: s < 20 ? 100 : 30 }));
  expect(outside.events.map((e) => e.reason).slice(0, 2)).toEqual(['cpu-above-limit', 'cpu-above-limit']);
});

test('too few judged samples decide nothing', () => {
  const controller = new ConcurrencyController(options({ minSamples: 5, cooldownMs: 0 }));
  // Windows start for all but four seconds of each ten: at most four judged samples in the history.
  replay(controller, 60, (s) => ({ cpu: 100, starting: s % 10 < 6 ? 1 : 0 }));
  expect(controller.events).toEqual([]);
});

test('restores one window per hold period of calm, up to the worker count', () => {
  const controller = new ConcurrencyController(options());
  const targets = replay(controller, 200, (s) => ({ cpu: s < 40 ? 95 : 30 }));
  expect(targets[39]).toBe(1);
  const raises = controller.events.filter((e) => e.reason === 'load-below-limits');
  expect(raises.map((e) => [e.from, e.to])).toEqual([[1, 2], [2, 3], [3, 4]]);
  // The last reduction was at 30; at 51 the 15 s since (37..51) hold three samples of 95 %, one in five: calm.
  // Each further raise needs its own 15 s after the previous one.
  expect(raises.map((e) => (Date.parse(e.at) - T0) / 1000)).toEqual([51, 66, 81]);
  expect(targets.at(-1)).toBe(4);
});

test('the job\'s own load just below the limit does not keep windows parked once outside load has gone', () => {
  const controller = new ConcurrencyController(options());
  replay(controller, 40, () => ({ cpu: 95 }));
  expect(controller.target).toBe(1);
  // What the 2-core machine showed after a real CPU hog went: the job's own windows at 70-78 %, below the 80 % limit.
  replay(controller, 140, (s) => ({ cpu: 70 + (s % 9) }), 40);
  expect(controller.target).toBe(4);
  expect(controller.events.filter((e) => e.reason === 'load-below-limits').map((e) => e.to)).toEqual([2, 3, 4]);
});

test('a window that comes back and overloads the machine again waits twice as long each time, up to 8 holds', () => {
  const controller = new ConcurrencyController(options({ maxWindows: 3 }));
  // Two windows are fine, a third overloads the machine: its load is the job's own.
  const targets: number[] = [];
  for (let s = 0; s < 900; s++) {
    controller.observe({ at: T0 + s * 1000, cpuPercent: controller.target >= 3 ? 95 : 50, memoryPercent: 40 });
    targets.push(controller.target);
  }
  const raises = controller.events.filter((e) => e.to > e.from).map((e) => (Date.parse(e.at) - T0) / 1000);
  const reductions = controller.events.filter((e) => e.to < e.from).map((e) => (Date.parse(e.at) - T0) / 1000);
  // Each raise is undone once the overload is sustained; the next hold doubles: 15, 30, 60, 120, then 120 s.
  const holds = raises.map((at, i) => at - reductions[i]!);
  expect(holds.slice(0, 5)).toEqual([15, 30, 60, 120, 120]);
  expect(targets.filter((t) => t === 3).length, 'the third window runs a small part of the time').toBeLessThan(900 / 8);
});

test('a short hold raises at one sample a second; a hold spent mostly starting windows shows no calm yet', () => {
  const short = new ConcurrencyController(options({ maxWindows: 2, holdMs: 3_000, cooldownMs: 1_000 }));
  replay(short, 6, () => ({ cpu: 95 }));
  expect(short.target).toBe(1);
  replay(short, 20, () => ({ cpu: 40 }), 6);
  // Reduced at 4; calm from 6 on; the 95 % samples (0..5) weigh 0.6 of the 10 s history until 10.
  expect(short.events.map((e) => `${e.to} at ${(Date.parse(e.at) - T0) / 1000}`)).toEqual(['1 at 4', '2 at 10']);

  const starting = new ConcurrencyController(options({ maxWindows: 2, holdMs: 10_000 }));
  replay(starting, 12, () => ({ cpu: 95 }));
  // Windows start during 10..19 (left out): at 20 the hold is over, but only its last sample was judged.
  replay(starting, 21, (s) => ({ cpu: 40, starting: s < 20 ? 1 : 0 }), 12);
  expect(starting.target).toBe(1);
  replay(starting, 40, () => ({ cpu: 40 }), 21);
  expect((Date.parse(starting.events.at(-1)!.at) - T0) / 1000, 'calm judged over half a hold at least').toBe(25);
});

test('calm means at most one sample in five above a limit over the hold: more restarts it', () => {
  const controller = new ConcurrencyController(options({ maxWindows: 2 }));
  replay(controller, 12, () => ({ cpu: 95 }));
  expect(controller.target).toBe(1);
  // Reduced at 10; the raise was due at 25. Five samples at 95 % during 18..22 are too many for any
  // hold of 15 samples that holds more than three of them: the first calm hold is 20..34.
  const targets = replay(controller, 80, (s) => ({ cpu: s >= 18 && s < 23 ? 95 : 30 }), 12);
  const raise = controller.events.find((e) => e.reason === 'load-below-limits')!;
  expect((Date.parse(raise.at) - T0) / 1000).toBe(34);
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

  // The same wave judged on the last sample alone, without dead band, hold or cooldown, flips the target every phase.
  const naive = new ConcurrencyController(options({ historyMs: 1, minSamples: 1, overloadShare: 1, calmShare: 0, holdMs: 0, cooldownMs: 0 }));
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

test('a raised window\'s start-up spike right after the raise does not park it again', () => {
  const run = (spikeSeconds: number, flagged: boolean) => {
    const controller = new ConcurrencyController(options({ maxWindows: 2 }));
    replay(controller, 12, () => ({ cpu: 95 }));
    expect(controller.target).toBe(1);
    // Calm until the raise, then a spike at 100 % (the new browser starting), then calm.
    let raisedAt: number | undefined;
    for (let s = 12; s < 120; s++) {
      const spiking = raisedAt !== undefined && s > raisedAt && s <= raisedAt + spikeSeconds;
      controller.observe({ at: T0 + s * 1000, cpuPercent: spiking ? 100 : 30, memoryPercent: 40, startingWindows: spiking && flagged ? 1 : 0 });
      if (raisedAt === undefined && controller.target === 2) raisedAt = s;
    }
    expect(raisedAt).toBeDefined();
    return controller.events.map((e) => e.to);
  };
  // Announced as start-up, even a long spike is left out.
  expect(run(9, true)).toEqual([1, 2]);
  // Unannounced, a spike shorter than the overloaded share of the history is not sustained load.
  expect(run(5, false)).toEqual([1, 2]);
  // Unannounced and long, it is: that is why windows announce their start-up.
  expect(run(9, false).slice(0, 3)).toEqual([1, 2, 1]);
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
