import { spawn } from 'node:child_process';
import { test, expect } from '@playwright/test';
import { ownTicks, parseProcStat, processKey, wholeTicks, type ProcStat } from '../../tooling/bench/proc-stat.js';
import { cpuByKind, processKind } from '../../tooling/bench/process-kinds.js';
import { ProcessTreeAccount } from '../../tooling/bench/process-tree-account.js';
import { measureCommand } from '../../tooling/bench/process-tree-sampler.js';

test('a /proc/<pid>/stat line: fields after the last parenthesis, a name with spaces and parentheses kept whole', () => {
  const line = '32036 (Web Content (x)) S 32031 32031 26918 0 -1 4194304 100 0 0 0 17 4 9 2 20 0 1 0 91068 3133440 409 18446744073709551615 0 0 0\n';
  expect(parseProcStat(line)).toEqual({
    pid: 32036, comm: 'Web Content (x)', state: 'S', ppid: 32031, utime: 17, stime: 4, cutime: 9, cstime: 2, startTime: 91068, rssPages: 409,
  });
  const stat = parseProcStat(line)!;
  expect([ownTicks(stat), wholeTicks(stat), processKey(stat)]).toEqual([21, 32, '32036@91068']);
  expect(parseProcStat('')).toBeUndefined();
  expect(parseProcStat('12 (cut short) S 1 2 3')).toBeUndefined();
  expect(parseProcStat(line.replace(' 17 4 ', ' x 4 '))).toBeUndefined();
});

const proc = (pid: number, ppid: number, own: number, extra: Partial<ProcStat> = {}): ProcStat => ({
  pid, comm: `p${pid}`, state: 'S', ppid, utime: own, stime: 0, cutime: 0, cstime: 0, startTime: pid, rssPages: 10, ...extra,
});

test('tree CPU: what the observer reaped plus orphans from their last sample; strangers and reused pids are not counted', () => {
  const account = new ProcessTreeAccount(100, { ticksPerSecond: 100, pageBytes: 4096 });
  const stranger = proc(200, 1, 999, { rssPages: 100_000 });
  // Runner 100 → worker 101 → browser 102 → renderer 103.
  let sample = account.observe([proc(1, 0, 0), stranger, proc(100, 1, 10), proc(101, 100, 5), proc(102, 101, 3), proc(103, 102, 1)], 0);
  expect(sample.members.map((m) => m.pid).sort()).toEqual([100, 101, 102, 103]);
  expect(sample.rssBytes).toBe(4 * 10 * 4096);
  // The renderer ended and was waited for by the browser, as was one never sampled (4 ticks); a helper appeared.
  sample = account.observe([proc(1, 0, 0), stranger, proc(100, 1, 20), proc(101, 100, 15), proc(102, 101, 10, { cutime: 6, rssPages: 50 }), proc(104, 101, 2)], 1000);
  expect(sample.members.map((m) => m.pid).sort()).toEqual([100, 101, 102, 104]);
  // The runner ended and was waited for by the observer; the browser outlived the worker and was handed to init;
  // pid 103 now belongs to an unrelated process.
  sample = account.observe([proc(1, 0, 0), stranger, proc(102, 1, 12, { cutime: 6 }), proc(103, 1, 7, { startTime: 5000 })], 2000);
  expect(sample.members.map((m) => m.pid)).toEqual([102]);

  const cpu = account.cpu(60);
  expect(cpu.orphans).toBe(1);
  expect(cpu.orphanNames).toEqual(['p102']);
  expect(cpu.orphanSeconds).toBeCloseTo((12 + 6) / 100);
  expect(cpu.seconds).toBeCloseTo((60 + 18) / 100);
  // Own CPU at each process's last sample: runner 20, worker 15, browser 12, renderer 1, helper 2.
  expect(cpu.sampledSeconds).toBeCloseTo(50 / 100);
  expect(cpu.processesSeen).toBe(5);
  expect(account.memory()).toEqual({ peakRssBytes: (10 + 10 + 50 + 10) * 4096, processesAtPeak: 4, samples: 3 });
});

test('a process seen once and gone by the next sample counts through its parent, not twice', () => {
  const account = new ProcessTreeAccount(100, { ticksPerSecond: 100, pageBytes: 4096 });
  account.observe([proc(100, 1, 1), proc(101, 100, 5)], 0);
  account.observe([proc(100, 1, 2, { cutime: 9 })], 1000);
  const cpu = account.cpu(11);
  expect(cpu.seconds).toBeCloseTo(0.11);
  expect(cpu.orphans).toBe(0);
});

test('an orphan counts with the children it still had at its last sample, once each', () => {
  // Browser 101 → zygote 102 → renderers 103 (ends early) and 104 (alive until the zygote goes).
  const account = new ProcessTreeAccount(100, { ticksPerSecond: 100, pageBytes: 4096 });
  account.observe([proc(100, 1, 1), proc(101, 100, 2), proc(102, 101, 1), proc(103, 102, 8), proc(104, 102, 5)], 0);
  // The browser ended first: the zygote went to init, having waited for renderer 103 (9 ticks by its end).
  account.observe([proc(100, 1, 3, { cutime: 2 }), proc(102, 1, 2, { cutime: 9 }), proc(104, 102, 20, { cutime: 1 })], 1000);
  // Zygote and renderer 104 ended together; the runner then ended and was waited for by the observer.
  account.observe([proc(1, 0, 0)], 2000);
  const cpu = account.cpu(5);
  expect(cpu.orphanNames).toEqual(['p102']);
  // Zygote 2 + 9 it had waited for; renderer 104 still pending: 20 + 1. Renderer 103 is inside the zygote's 9.
  expect(cpu.orphanSeconds).toBeCloseTo((2 + 9 + 20 + 1) / 100);
  expect(cpu.seconds).toBeCloseTo((5 + 32) / 100);
});

/** Burns CPU (not wall time) so the figures do not depend on how busy the machine is. */
const burn = (ms: number) => `const until = ${ms * 1000}; const t0 = process.cpuUsage(); while (true) { const u = process.cpuUsage(t0); if (u.user + u.system >= until) break; }`;

test('a real process tree: CPU of a child that ends between samples and of an orphan is counted; nothing is left running', async () => {
  test.setTimeout(60_000);
  // The root burns 200 ms, starts a child that burns 300 ms and ends, and a middle process that
  // starts a grandchild and ends at once: the grandchild, handed to init, burns 300 ms after the root ended.
  const grandchild = `setTimeout(() => { ${burn(300)} }, 300);`;
  const middle = `require('node:child_process').spawn(process.execPath, ['-e', ${JSON.stringify(grandchild)}], { stdio: 'ignore' }); setTimeout(() => {}, 200);`;
  const root = `const { spawn } = require('node:child_process');
    const child = spawn(process.execPath, ['-e', ${JSON.stringify(burn(300))}], { stdio: 'ignore' });
    spawn(process.execPath, ['-e', ${JSON.stringify(middle)}], { stdio: 'ignore' });
    ${burn(200)}
    child.on('exit', () => process.exit(0));`;
  const measured = await measureCommand(() => {
    const child = spawn(process.execPath, ['-e', root], { stdio: 'ignore' });
    return { pid: child.pid, done: new Promise<number | null>((resolve) => child.on('close', resolve)) };
  }, { everyMs: 50, pssEveryMs: 0 });
  expect(measured.result).toBe(0);
  const { cpu, leftRunning, memory } = measured.usage;
  // 0.8 s burnt, plus four Node start-ups; the orphan's last 0.1 s may fall after its last sample.
  expect(cpu.seconds).toBeGreaterThan(0.7);
  expect(cpu.seconds).toBeLessThan(4);
  expect(cpu.orphanNames).toContain('node');
  expect(cpu.orphanSeconds).toBeGreaterThan(0.2);
  expect(cpu.seconds).toBeGreaterThanOrEqual(cpu.sampledSeconds - 0.02);
  expect(leftRunning).toEqual([]);
  expect(memory.peakRssBytes).toBeGreaterThan(20_000_000);
  expect(memory.peakPssBytes).toBeGreaterThan(1_000_000);
  expect(memory.peakPssBytes!).toBeLessThanOrEqual(memory.peakRssBytes);
});

test('proportional set sizes are read only when asked for (they cost CPU), resident sizes always', async () => {
  const run = (pssEveryMs: number | undefined) =>
    measureCommand(() => {
      const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 400)'], { stdio: 'ignore' });
      return { pid: child.pid, done: new Promise<number | null>((resolve) => child.on('close', resolve)) };
    }, { everyMs: 50, ...(pssEveryMs !== undefined && { pssEveryMs }) });
  const without = await run(undefined);
  expect(without.usage.memory.peakPssBytes).toBeUndefined();
  expect(without.usage.memory.peakRssBytes).toBeGreaterThan(10_000_000);
  const withPss = await run(60_000);
  // Once, at the first sample, right after the process started.
  expect(withPss.usage.memory.peakPssBytes).toBeGreaterThan(0);
  expect(withPss.usage.memory.peakPssBytes!).toBeLessThan(withPss.usage.memory.peakRssBytes);
});

test('CPU by part of a run: runner, workers, browsers and the rest, told apart by name and command line', () => {
  const cli = '/usr/bin/node /p/node_modules/@playwright/test/cli.js test --workers=4';
  const worker = '/usr/bin/node /p/node_modules/playwright/lib/worker/workerProcessEntry.js';
  expect(processKind('node', cli)).toBe('runner');
  expect(processKind('node', worker)).toBe('workers');
  expect(processKind('chromium', '/usr/lib/chromium/chromium --type=renderer')).toBe('browsers');
  expect(processKind('msedge', '')).toBe('browsers');
  expect(processKind('npm exec', 'npm exec playwright')).toBe('other');
  expect(
    cpuByKind([
      { comm: 'node', args: cli, seconds: 1.234 },
      { comm: 'node', args: worker, seconds: 2 },
      { comm: 'node', args: worker, seconds: 2.5 },
      { comm: 'chromium', args: '', seconds: 3.333 },
    ]),
  ).toEqual({ runner: 1.23, workers: 4.5, browsers: 3.33, other: 0 });
});
