import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { test, expect } from '@playwright/test';
import { FileLoadSignal } from '../../support/load/resource-monitor.js';
import { isActive, LoadGovernor } from '../../support/load/window-gate.js';
import { LoadGateError, readGate, writeGate, type GateState } from '../../support/run-state/load-files.js';
import { runPaths } from '../../support/run-state/run-paths.js';

let dir: string;
test.beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'load-gate-'));
});
test.afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const gate = (target: number, max = 4): GateState => ({ target, max, updatedAt: new Date().toISOString(), events: [], signal: 'test' });

/** Replaces the load file in one step, as the LOAD_SIGNAL_FILE hook asks of tests. */
function writeLoad(file: string, cpuPercent: number, memoryPercent = 40): void {
  fs.writeFileSync(`${file}.tmp`, JSON.stringify({ cpuPercent, memoryPercent }));
  fs.renameSync(`${file}.tmp`, file);
}

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}

test('window i works while i < target: the highest letters park first and A never parks', () => {
  expect([0, 1, 2, 3].map((i) => isActive({ target: 4 }, i))).toEqual([true, true, true, true]);
  expect([0, 1, 2, 3].map((i) => isActive({ target: 2 }, i))).toEqual([true, true, false, false]);
  expect([0, 1, 2, 3].map((i) => isActive({ target: 1 }, i))).toEqual([true, false, false, false]);
  expect(isActive({ target: 0 }, 0)).toBe(true);
  // No gate file: no governor, every window works.
  expect(isActive(undefined, 7)).toBe(true);
});

test('the gate file lives in the run state folder; a missing file means no governor', () => {
  const file = runPaths(dir).loadGateFile;
  expect(file).toBe(path.join(dir, '.run-state', 'load-gate.json'));
  expect(readGate(file)).toBeUndefined();
});

test('a damaged gate file is an operator error naming it', () => {
  const file = path.join(dir, 'load-gate.json');
  fs.writeFileSync(file, '{"target": 2');
  expect(() => readGate(file)).toThrow(LoadGateError);
  expect(() => readGate(file)).toThrow(file);
  fs.writeFileSync(file, JSON.stringify({ ...gate(3), target: 5 }));
  expect(() => readGate(file)).toThrow(/1 ≤ target ≤ max/);
});

test('readers never see a half-written gate while it is replaced many times', async () => {
  const file = path.join(dir, 'load-gate.json');
  await writeGate(file, gate(4));
  let reads = 0;
  let writing = true;
  const reader = (async () => {
    while (writing) {
      const state = readGate(file)!;
      expect(state.target).toBeGreaterThanOrEqual(1);
      reads++;
      await new Promise((r) => setImmediate(r));
    }
  })();
  // Large event lists make each write big enough that a non-atomic write would be seen torn.
  const events = Array.from({ length: 200 }, (_, i) => ({
    at: new Date(i).toISOString(), cpuPercent: 90, memoryPercent: 40, from: 2, to: 1, reason: 'cpu-above-limit' as const, overloadedShare: 1, samples: [],
  }));
  for (let i = 0; i < 100; i++) await writeGate(file, { ...gate((i % 4) + 1), events });
  writing = false;
  await reader;
  expect(reads).toBeGreaterThan(20);
  expect(fs.readdirSync(dir)).toEqual(['load-gate.json']);
});

test('the governor publishes the full target, reduces under injected load and restores it when the load drops', async () => {
  const loadFile = path.join(dir, 'load.json');
  const file = runPaths(path.join(dir, 'run')).loadGateFile;
  writeLoad(loadFile, 30);
  const changes: string[] = [];
  const samples: number[] = [];
  const governor = new LoadGovernor({
    file,
    signal: new FileLoadSignal(loadFile),
    controller: { maxWindows: 3, cooldownMs: 50, holdMs: 150, historyMs: 30, minSamples: 2 },
    onSample: (_s, target) => samples.push(target),
    onChange: (c) => changes.push(`${c.from}->${c.to} ${c.reason}`),
  });
  await governor.start(10);
  expect(readGate(file)).toMatchObject({ target: 3, max: 3, events: [] });
  expect(readGate(file)!.signal).toContain(loadFile);

  writeLoad(loadFile, 97);
  await until(() => readGate(file)?.target === 1);
  expect(isActive(readGate(file), 1)).toBe(false);
  writeLoad(loadFile, 20);
  await until(() => readGate(file)?.target === 3);
  const summary = await governor.stop();

  expect(changes).toEqual(['3->2 cpu-above-limit', '2->1 cpu-above-limit', '1->2 load-below-limits', '2->3 load-below-limits']);
  const published = readGate(file)!;
  expect(published.events.map((e) => [e.from, e.to])).toEqual([[3, 2], [2, 1], [1, 2], [2, 3]]);
  expect(published.events[0]!.cpuPercent).toBeGreaterThan(80);
  expect(published.lastSample).toMatchObject({ cpuPercent: 20 });
  expect(summary).toMatchObject({ lowestTarget: 1, target: 3, sampleEveryMs: 10 });
  expect(summary.sampling.samples - samples.length).toBeGreaterThanOrEqual(0);
  expect(summary.sampling.samples - samples.length).toBeLessThanOrEqual(1);
  expect(summary.peakCpuPercent).toBe(97);

  // Stopped: a new load no longer changes anything.
  const count = samples.length;
  writeLoad(loadFile, 99);
  await sleep(100);
  expect(samples.length).toBe(count);
  expect(readGate(file)!.target).toBe(3);
});

test('a broken load file is reported and skipped; the governor keeps the last target', async () => {
  const loadFile = path.join(dir, 'load.json');
  const file = path.join(dir, 'load-gate.json');
  const errors: string[] = [];
  const governor = new LoadGovernor({
    file,
    signal: new FileLoadSignal(loadFile),
    controller: { maxWindows: 2, cooldownMs: 0 },
    onError: (e) => errors.push((e as Error).message),
  });
  await governor.start(10);
  await until(() => errors.length >= 2);
  await governor.stop();
  expect(errors[0]).toContain(loadFile);
  expect(readGate(file)!.target).toBe(2);
  expect(governor.summary().sampling.failures).toBeGreaterThanOrEqual(2);
});

test('a worker in another process sees the governor park its window and let it back', async () => {
  const loadFile = path.join(dir, 'load.json');
  const file = path.join(dir, 'load-gate.json');
  writeLoad(loadFile, 30);
  const governor = new LoadGovernor({
    file,
    signal: new FileLoadSignal(loadFile),
    controller: { maxWindows: 3, cooldownMs: 0, holdMs: 100, historyMs: 1, minSamples: 1, overloadShare: 1 },
  });
  await governor.start(20);
  const script = path.join(dir, 'worker.mts');
  const modules = { gate: path.resolve('support/load/window-gate.ts'), files: path.resolve('support/run-state/load-files.ts') };
  // The worker's side as WindowSlot has it: read the gate, ask whether window C (index 2) may work.
  fs.writeFileSync(
    script,
    `import { isActive } from ${JSON.stringify(modules.gate)};\n` +
      `import { readGate } from ${JSON.stringify(modules.files)};\n` +
      `let last;\n` +
      `for (let i = 0; i < 2000; i++) {\n` +
      `  const now = isActive(readGate(${JSON.stringify(file)}), 2) ? 'active' : 'parked';\n` +
      `  if (now !== last) console.log(now);\n` +
      `  if (last === 'parked' && now === 'active') process.exit(0);\n` +
      `  last = now;\n` +
      `  await new Promise((r) => setTimeout(r, 10));\n` +
      `}\n` +
      `process.exit(1);\n`,
  );
  const tsxCli = createRequire(import.meta.url).resolve('tsx/cli');
  const child = spawn(process.execPath, [tsxCli, script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  try {
    await until(() => output.includes('active') || child.exitCode !== null, 20_000);
    writeLoad(loadFile, 97);
    await until(() => output.includes('parked') || child.exitCode !== null, 20_000);
    writeLoad(loadFile, 20);
    expect(await exited, output).toBe(0);
    expect(output.split('\n').filter(Boolean)).toEqual(['active', 'parked', 'active']);
  } finally {
    if (child.exitCode === null) child.kill();
    await governor.stop();
  }
});
