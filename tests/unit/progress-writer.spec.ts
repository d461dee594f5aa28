import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, expect } from '@playwright/test';
import { ProgressState, type ProgressSnapshot } from '../../support/progress/progress-state.js';
import {
  createProgressWriter,
  PlainProgressWriter,
  TtyProgressWriter,
  ttyErase,
} from '../../support/progress/progress-writer.js';
import { WindowProgressPublisher } from '../../support/progress/window-progress-channel.js';
import { runPaths } from '../../support/run-state/run-paths.js';
import { WindowProgressFiles } from '../../support/run-state/window-progress-files.js';
import { displayWidth } from '../../support/progress/text-format.js';

/**
 * A minimal terminal: applies exactly the sequences the TTY writer uses (cursor up,
 * carriage return, erase to end of screen, line feed) so a test can look at the screen
 * the operator would see after a series of redraws.
 */
class VirtualTerminal {
  lines: string[] = [''];
  row = 0;
  readonly isTTY = true;
  constructor(readonly columns: number) {}
  write(chunk: string): void {
    for (let i = 0; i < chunk.length; ) {
      const escape = /^\u001b\[(\d*)([AJ])/.exec(chunk.slice(i));
      if (escape) {
        if (escape[2] === 'A') this.row = Math.max(0, this.row - Number(escape[1] || 1));
        else this.lines = [...this.lines.slice(0, this.row), ''];
        i += escape[0].length;
        continue;
      }
      const char = chunk[i]!;
      if (char === '\n') {
        this.row++;
        if (this.lines.length <= this.row) this.lines.push('');
      } else if (char === '\r') {
        this.lines[this.row] = '';
      } else {
        this.lines[this.row] += char;
      }
      i++;
    }
  }
  screen(): string[] {
    return this.lines.slice(0, this.lines.at(-1) === '' ? -1 : undefined);
  }
}

class Capture {
  chunks: string[] = [];
  constructor(readonly isTTY = false) {}
  write(chunk: string): void {
    this.chunks.push(chunk);
  }
}

function snapshotAt(processed: number, windows: ProgressSnapshot['windows'] = []): ProgressSnapshot {
  const state = new ProgressState();
  state.apply({ type: 'run-started', at: 0, total: 10, maxWindows: 2 });
  for (let i = 0; i < processed; i++) state.apply({ type: 'po-finished', at: 1000 * (i + 1), poNumber: `PO${i}`, status: 'COMPLETED' });
  for (const w of windows) state.apply({ type: 'window', at: 1, window: w.window, state: w.state, ...(w.poNumber && { poNumber: w.poNumber }) });
  return state.snapshot(20_000);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('the terminal block is redrawn in place: the screen shows log lines above one current block', async () => {
  const term = new VirtualTerminal(80);
  const writer = new TtyProgressWriter(term, { minIntervalMs: 0 });
  writer.update(snapshotAt(1, [{ window: 'A', state: 'working', poNumber: 'PO1', done: 0 }, { window: 'B', state: 'starting', done: 0 }]));
  writer.log('10:00:01 [window A] verified');
  writer.update(snapshotAt(2, [{ window: 'A', state: 'idle', done: 0 }]));
  writer.log('[2/10] PO1 COMPLETED 2/2 file(s) [window A]\n');
  writer.finish(snapshotAt(3, [{ window: 'A', state: 'closed', done: 0 }, { window: 'B', state: 'closed', done: 0 }]));
  const screen = term.screen();
  expect(screen[0]).toBe('10:00:01 [window A] verified');
  expect(screen[1]).toBe('[2/10] PO1 COMPLETED 2/2 file(s) [window A]');
  expect(screen[2]).toContain('3/10');
  expect(screen.slice(3)).toEqual([expect.stringContaining('POs/min'), expect.stringContaining('windows 0 active'), '  A  closed', '  B  closed']);
  expect(screen.filter((l) => l.startsWith('Coupa downloads'))).toHaveLength(1);
  for (const line of screen) expect(displayWidth(line)).toBeLessThan(80);
  // After finish the block stays and further output goes below it.
  writer.update(snapshotAt(9));
  writer.log('Run passed');
  expect(term.screen().at(-1)).toBe('Run passed');
  expect(term.screen().filter((l) => l.includes('3/10'))).toHaveLength(1);
});

test('redraws at most every minIntervalMs, always ending on the latest state', async () => {
  const out = new Capture(true);
  let now = 0;
  const writer = new TtyProgressWriter(out, { minIntervalMs: 50, now: () => now });
  writer.update(snapshotAt(1));
  expect(out.chunks).toHaveLength(1);
  now = 10;
  writer.update(snapshotAt(2));
  now = 20;
  writer.update(snapshotAt(3));
  expect(out.chunks).toHaveLength(1);
  now = 60;
  await sleep(80);
  expect(out.chunks).toHaveLength(2);
  expect(out.chunks[1]).toContain('3/10');
  expect(out.chunks[1]!.startsWith(ttyErase(3))).toBe(true);
  now = 200;
  writer.update(snapshotAt(4));
  expect(out.chunks).toHaveLength(3);
  writer.finish(snapshotAt(5));
  await sleep(60);
  expect(out.chunks.at(-1)).toContain('5/10');
});

test('plain lines: one at the start, then on window status or target changes and every interval, never ANSI', () => {
  const out = new Capture(false);
  let now = 0;
  const writer = new PlainProgressWriter(out, { everyMs: 30_000, now: () => now });
  const working = [{ window: 'A', state: 'working' as const, poNumber: 'PO1', done: 0 }];
  writer.update(snapshotAt(1, working));
  now = 1000;
  writer.update(snapshotAt(2, [{ window: 'A', state: 'idle', done: 0 }])); // idle/working: no line
  now = 2000;
  writer.update(snapshotAt(2, [{ window: 'A', state: 'idle', done: 0 }, { window: 'B', state: 'parked', done: 0 }]));
  const workingAndParked = [...working, { window: 'B', state: 'parked' as const, done: 0 }];
  now = 20_000;
  writer.update(snapshotAt(3, workingAndParked));
  now = 32_001;
  writer.update(snapshotAt(4, workingAndParked));
  writer.log('[4/10] PO4 COMPLETED');
  writer.finish(snapshotAt(5, workingAndParked));
  writer.update(snapshotAt(6, workingAndParked));
  const lines = out.chunks.join('').split('\n').filter(Boolean);
  expect(lines.map((l) => l.match(/^progress (\d+)\/10/)?.[1] ?? l)).toEqual(['1', '2', '4', '[4/10] PO4 COMPLETED', '5']);
  expect(out.chunks.join('')).not.toMatch(/\u001b|\r/);
});

test('the writer is chosen by whether the output is a terminal', () => {
  expect(createProgressWriter(new Capture(true))).toBeInstanceOf(TtyProgressWriter);
  expect(createProgressWriter(new Capture(false))).toBeInstanceOf(PlainProgressWriter);
});

test('window progress files: state changes at once, byte counts coalesced, the latest one flushed', () => {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'progress-channel-'));
  try {
    const dir = runPaths(stateDir).progressDir;
    const files = new WindowProgressFiles(dir);
    const readWindowProgress = () => files.readAll();
    expect(readWindowProgress()).toEqual([]);
    let now = 1000;
    const a = new WindowProgressPublisher(files, 'A', { minIntervalMs: 250, now: () => now });
    const b = new WindowProgressPublisher(files, 'B', { now: () => now });
    a.publish({ state: 'working', poNumber: 'PO1', file: { name: 'x.pdf', index: 1, count: 2, bytes: 0, totalBytes: 100 } });
    b.publish({ state: 'starting' });
    now = 1100;
    a.publish({ state: 'working', poNumber: 'PO1', file: { name: 'x.pdf', index: 1, count: 2, bytes: 50, totalBytes: 100 } });
    let events = readWindowProgress().sort((x, y) => x.window.localeCompare(y.window));
    expect(events.map((e) => [e.window, e.state, e.file?.bytes])).toEqual([['A', 'working', 0], ['B', 'starting', undefined]]);
    now = 1150;
    a.publish({ state: 'working', poNumber: 'PO1', file: { name: 'x.pdf', index: 1, count: 2, bytes: 80, totalBytes: 100 } });
    a.flush();
    expect(readWindowProgress().find((e) => e.window === 'A')).toMatchObject({ at: 1150, file: { bytes: 80 } });
    now = 1200;
    a.publish({ state: 'working', poNumber: 'PO1', file: { name: 'y.pdf', index: 2, count: 2, bytes: 0 } });
    expect(readWindowProgress().find((e) => e.window === 'A')).toMatchObject({ at: 1200, file: { name: 'y.pdf', index: 2 } });
    now = 1210;
    a.publish({ state: 'parked' });
    const parked = readWindowProgress().find((e) => e.window === 'A')!;
    expect(parked).toEqual({ type: 'window', at: 1210, window: 'A', state: 'parked' });
    // Foreign or damaged files are skipped, not fatal.
    fs.writeFileSync(path.join(dir, 'C.json'), '{"type": "window"');
    fs.writeFileSync(path.join(dir, 'D.json'), JSON.stringify({ type: 'window', window: 'D', state: 'dancing', at: 1 }));
    events = readWindowProgress();
    expect(events.map((e) => e.window).sort()).toEqual(['A', 'B']);
    expect(fs.readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    // Fed to the model, the files give the per-window view.
    const state = new ProgressState();
    events.forEach((e) => state.apply(e));
    expect(state.snapshot(2000).windows.map((w) => `${w.window}:${w.state}`)).toEqual(['A:parked', 'B:starting']);
  } finally {
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
});

test('a coalesced byte count is written by the publisher\'s own timer when no further update comes', async () => {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'progress-channel-'));
  try {
    const files = new WindowProgressFiles(runPaths(stateDir).progressDir);
    const readWindowProgress = () => files.readAll();
    const a = new WindowProgressPublisher(files, 'A', { minIntervalMs: 40 });
    a.publish({ state: 'working', poNumber: 'PO1', file: { name: 'x.pdf', index: 1, count: 1, bytes: 1 } });
    a.publish({ state: 'working', poNumber: 'PO1', file: { name: 'x.pdf', index: 1, count: 1, bytes: 2 } });
    expect(readWindowProgress()[0]!.file!.bytes).toBe(1);
    await sleep(100);
    expect(readWindowProgress()[0]!.file!.bytes).toBe(2);
  } finally {
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
});
