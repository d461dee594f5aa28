import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, expect } from '@playwright/test';
import {
  FileLoadSignal,
  LoadSignalFileError,
  loadSignalFor,
  ResourceMonitor,
  SystemLoadSignal,
  busyPercent,
  machineCpuTimes,
  type LoadSignal,
  type ResourceSample,
} from '../../support/load/resource-monitor.js';
import { testHooks } from '../../support/run-state/run-handle.js';

let dir: string;
test.beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'load-monitor-'));
});
test.afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('the file signal returns what the test wrote, stamped by the injected clock', async () => {
  const file = path.join(dir, 'load.json');
  fs.writeFileSync(file, JSON.stringify({ cpuPercent: 91.5, memoryPercent: 40 }));
  const signal = new FileLoadSignal(file, () => 1234);
  expect(await signal.sample()).toEqual({ at: 1234, cpuPercent: 91.5, memoryPercent: 40 });
  fs.writeFileSync(file, JSON.stringify({ cpuPercent: 10, memoryPercent: 95 }));
  expect(await signal.sample()).toMatchObject({ cpuPercent: 10, memoryPercent: 95 });
  expect(signal.description).toContain(file);
});

test('the file signal names the file and the problem when it is missing, not JSON or out of range', async () => {
  const file = path.join(dir, 'load.json');
  const signal = new FileLoadSignal(file);
  await expect(signal.sample()).rejects.toThrow(LoadSignalFileError);
  await expect(signal.sample()).rejects.toThrow(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*ENOENT`));
  fs.writeFileSync(file, '{"cpuPercent": 5');
  await expect(signal.sample()).rejects.toThrow(/is not JSON/);
  fs.writeFileSync(file, JSON.stringify({ cpuPercent: 120, memoryPercent: 5 }));
  await expect(signal.sample()).rejects.toThrow(/numbers 0-100/);
  fs.writeFileSync(file, JSON.stringify({ cpuPercent: '50', memoryPercent: 5 }));
  await expect(signal.sample()).rejects.toThrow(/numbers 0-100/);
  const error = await signal.sample().catch((e: LoadSignalFileError) => e);
  expect((error as LoadSignalFileError).advice).toContain('LOAD_SIGNAL_FILE');
});

test('LOAD_SIGNAL_FILE selects the file signal; without it the system is sampled', () => {
  expect(loadSignalFor(testHooks({ LOAD_SIGNAL_FILE: path.join(dir, 'x.json') }).loadSignalFile)).toBeInstanceOf(FileLoadSignal);
  expect(loadSignalFor(testHooks({ LOAD_SIGNAL_FILE: '  ' }).loadSignalFile)).toBeInstanceOf(SystemLoadSignal);
  expect(loadSignalFor(testHooks({}).loadSignalFile)).toBeInstanceOf(SystemLoadSignal);
});

test('CPU load is the busy share of all cores\' time between two readings', () => {
  const cores = (user: number, idle: number) => [{ times: { user, nice: 0, sys: user / 2, irq: 0, idle } }, { times: { user, nice: 0, sys: 0, irq: 0, idle } }];
  const before = machineCpuTimes(cores(100, 900));
  expect(before).toEqual({ busy: 250, idle: 1800 });
  // Core 1: 150 ms busy (user 100 + sys 50) and 100 idle; core 2: 100 busy and 100 idle: 250 of 450.
  expect(busyPercent(before, machineCpuTimes(cores(200, 1000)))).toBeCloseTo((250 / 450) * 100, 5);
  expect(busyPercent(before, before), 'no time passed: the share since boot').toBeCloseTo((250 / 2050) * 100, 5);
});

test('the system signal gives percentages of this machine, and a sample costs little once primed', async () => {
  const signal = new SystemLoadSignal(() => 42);
  const first = await signal.sample();
  expect(first.at).toBe(42);
  const durations: number[] = [];
  for (let i = 0; i < 5; i++) {
    await sleep(250);
    const started = performance.now();
    const sample = await signal.sample();
    durations.push(performance.now() - started);
    expect(sample.cpuPercent).toBeGreaterThanOrEqual(0);
    expect(sample.cpuPercent).toBeLessThanOrEqual(100);
    expect(sample.memoryPercent).toBeGreaterThan(0);
    expect(sample.memoryPercent).toBeLessThan(100);
  }
  // Measured about 10 ms on the 2-core CI machine: under 1 % of one core at one sample a second.
  const mean = durations.reduce((a, b) => a + b, 0) / durations.length;
  expect(mean).toBeLessThan(100);
});

class ScriptedSignal implements LoadSignal {
  readonly description = 'scripted';
  calls = 0;
  active = 0;
  maxActive = 0;
  constructor(private readonly delayMs: number, private readonly failOn: Set<number> = new Set()) {}
  async sample(): Promise<ResourceSample> {
    const call = ++this.calls;
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    await sleep(this.delayMs);
    this.active--;
    if (this.failOn.has(call)) throw new Error(`sample ${call} failed`);
    return { at: call, cpuPercent: call, memoryPercent: 50 };
  }
}

test('the monitor samples at its pace, skips failed samples and reports their cost', async () => {
  const signal = new ScriptedSignal(5, new Set([2]));
  const samples: ResourceSample[] = [];
  const errors: unknown[] = [];
  const monitor = new ResourceMonitor(signal, { everyMs: 20, onSample: (s) => samples.push(s), onError: (e) => errors.push(e) });
  monitor.start();
  await sleep(200);
  await monitor.stop();
  expect(signal.calls).toBeGreaterThanOrEqual(4);
  expect(signal.calls).toBeLessThanOrEqual(10);
  expect(errors.map((e) => (e as Error).message)).toEqual(['sample 2 failed']);
  expect(samples.map((s) => s.at)).not.toContain(2);
  expect(samples[0]!.at).toBe(1);
  const cost = monitor.cost();
  // A sample that was in flight when stop() came is paid for but not delivered.
  expect(cost.samples - samples.length).toBeGreaterThanOrEqual(0);
  expect(cost.samples - samples.length).toBeLessThanOrEqual(1);
  expect(cost.failures).toBe(1);
  expect(cost.meanMs).toBeGreaterThanOrEqual(4);
  expect(cost.maxMs).toBeGreaterThanOrEqual(cost.meanMs);
});

test('a slow signal stretches the pace instead of overlapping samples, and stop waits for the sample in flight', async () => {
  const signal = new ScriptedSignal(60);
  const samples: ResourceSample[] = [];
  const monitor = new ResourceMonitor(signal, { everyMs: 5, onSample: (s) => samples.push(s) });
  monitor.start();
  await sleep(150);
  while (signal.active === 0) await sleep(1);
  await monitor.stop();
  expect(signal.maxActive).toBe(1);
  expect(signal.active).toBe(0);
  const callsAtStop = signal.calls;
  await sleep(100);
  expect(signal.calls).toBe(callsAtStop);
  // The sample that was in flight at stop() is not delivered after the monitor stopped.
  expect(samples.length).toBeLessThan(callsAtStop);
});

test('the monitor refuses a non-positive interval', () => {
  expect(() => new ResourceMonitor(new ScriptedSignal(1), { everyMs: 0, onSample: () => undefined })).toThrow(/everyMs/);
});
