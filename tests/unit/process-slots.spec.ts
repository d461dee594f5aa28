import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test, expect } from '@playwright/test';
import { acquireSlot, ranksAhead, SlotWaitAbandoned, type SlotWait } from '../../support/shared/process-slots.js';
import { peakOverlap, type Span } from '../helpers/spans.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const projectRoot = path.resolve(here, '..', '..');
const holderScript = path.join(here, 'helpers-state', 'slot-holder.ts');

let root: string;
test.beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'slots-'));
});
test.afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

interface Holder {
  child: ChildProcess;
  acquired: Promise<void>;
  span: () => Span | undefined;
}

function startHolder(dir: string, limit: number, hold: string, options: { staleMs?: number; rank?: number; graceMs?: number } = {}): Holder {
  const extra = options.rank === undefined ? (options.staleMs ? [String(options.staleMs)] : []) : [String(options.staleMs ?? '-'), String(options.rank), String(options.graceMs ?? 5_000)];
  const child = spawn(process.execPath, ['--import', 'tsx', holderScript, dir, String(limit), hold, ...extra], {
    cwd: projectRoot,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const acquired = new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('acquired')) resolve();
    });
    child.once('exit', (code) => (out.includes('acquired') ? resolve() : reject(new Error(`holder exited with ${code} before acquiring`))));
  });
  const span = () => {
    const line = /^span (.+)$/m.exec(out);
    return line ? (JSON.parse(line[1]!) as Span) : undefined;
  };
  return { child, acquired, span };
}

const exited = (child: ChildProcess): Promise<number | null> =>
  child.exitCode !== null ? Promise.resolve(child.exitCode) : new Promise((resolve) => child.once('exit', (code) => resolve(code)));

function killAll(holders: Holder[]): void {
  for (const h of holders) if (h.child.exitCode === null && h.child.signalCode === null) h.child.kill('SIGKILL');
}

test('peakOverlap counts overlapping holders', () => {
  expect(peakOverlap([])).toBe(0);
  expect(peakOverlap([{ start: 1, end: 5 }, { start: 2, end: 3 }])).toBe(2);
  expect(peakOverlap([{ start: 1, end: 2 }, { start: 3, end: 4 }])).toBe(1);
  expect(peakOverlap([{ start: 1, end: 5 }, { start: 5, end: 9 }])).toBe(1);
  expect(peakOverlap([{ start: 1, end: 4 }, { start: 2, end: 4 }, { start: 3, end: 4 }])).toBe(3);
});

test('ranksAhead: lower ranks waiting go first; rank 0 also before it arrives, until the grace is over', () => {
  const queue = (waiting: number[], taken: number[]) => ({ waiting: new Set(waiting), taken: new Set(taken) });
  expect(ranksAhead(0, queue([1, 2], []), false)).toBe(0);
  expect(ranksAhead(2, queue([0, 1, 2], []), true)).toBe(2);
  // Rank 0 not arrived: waited for within the grace, not after it; a rank 1 not arrived is never waited for.
  expect(ranksAhead(2, queue([2], []), false)).toBe(1);
  expect(ranksAhead(2, queue([2], []), true)).toBe(0);
  expect(ranksAhead(3, queue([3], [0]), false)).toBe(0);
  // A rank that took a slot once and waits again (a window back after parking) still goes first.
  expect(ranksAhead(3, queue([1, 3], [0, 1, 2]), true)).toBe(1);
});

test('six worker processes share two slots: never more than two at once', async () => {
  test.setTimeout(60_000);
  const dir = path.join(root, 'slots');
  const holders = Array.from({ length: 6 }, () => startHolder(dir, 2, '400'));
  try {
    await Promise.all(holders.map((h) => h.acquired));
    expect(await Promise.all(holders.map((h) => exited(h.child)))).toEqual([0, 0, 0, 0, 0, 0]);
  } finally {
    killAll(holders);
  }
  const spans = holders.map((h) => h.span());
  expect(spans.every((s) => s && s.end - s.start >= 400)).toBe(true);
  expect(peakOverlap(spans as Span[])).toBe(2);
});

test('ordered waiters that arrive in reverse order: rank 0 first although it came last, then the others by rank', async () => {
  test.setTimeout(60_000);
  const dir = path.join(root, 'launch');
  const holders: Holder[] = [];
  try {
    // Rank 3 comes first and rank 0 last, as workers that finish loading in any order; all wait for rank 0.
    for (const rank of [3, 2, 1, 0]) {
      holders.unshift(startHolder(dir, 1, '250', { rank, graceMs: 20_000 }));
      await new Promise((r) => setTimeout(r, 150));
    }
    expect(await Promise.all(holders.map((h) => exited(h.child)))).toEqual([0, 0, 0, 0]);
  } finally {
    killAll(holders);
  }
  const spans = holders.map((h) => h.span()!);
  expect(peakOverlap(spans)).toBe(1);
  for (let rank = 1; rank < 4; rank++) expect(spans[rank]!.start, `rank ${rank} after rank ${rank - 1}`).toBeGreaterThanOrEqual(spans[rank - 1]!.end);
  expect(fs.readdirSync(dir).filter((f) => f.startsWith('waiting-')), 'no ticket is left behind').toEqual([]);
});

test('rank 0 that never arrives holds the queue for the grace only; a dead waiter holds it not at all', async () => {
  const dir = path.join(root, 'launch');
  const started = Date.now();
  const waits: SlotWait[] = [];
  const release = await acquireSlot(dir, { limit: 1, pollMs: 50, order: { rank: 2, leaderGraceMs: 600 }, onWait: (w) => waits.push(w) });
  expect(Date.now() - started).toBeGreaterThanOrEqual(600);
  expect(waits[0]).toMatchObject({ ahead: 1, busySlots: 0 });
  await release();

  // Ranks 0 and 1 launched earlier; rank 1 waits again, but its process is gone (a killed worker): it does not count.
  fs.writeFileSync(path.join(dir, 'taken-0'), '');
  fs.writeFileSync(path.join(dir, 'taken-1'), '');
  const gone = spawn(process.execPath, ['-e', '0']);
  await exited(gone);
  fs.writeFileSync(path.join(dir, 'waiting-1'), String(gone.pid));
  const again = Date.now();
  const second = await acquireSlot(dir, { limit: 1, pollMs: 50, order: { rank: 3, leaderGraceMs: 10_000 } });
  expect(Date.now() - again, 'ranks 0..2 all took a slot before; the dead waiter holds nothing').toBeLessThan(2_000);
  await second();
});

test('a waiter that is no longer wanted gives up and leaves no ticket; a killed holder\'s slot is taken over once stale', async () => {
  test.setTimeout(60_000);
  const dir = path.join(root, 'slots');
  const holder = startHolder(dir, 1, 'forever', { staleMs: 2_000 });
  try {
    await holder.acquired;
    let wanted = 3;
    const abandoned = await acquireSlot(dir, { limit: 1, pollMs: 50, order: { rank: 1, leaderGraceMs: 0 }, stillWanted: () => wanted-- > 0 }).catch((e: unknown) => e);
    expect(abandoned).toBeInstanceOf(SlotWaitAbandoned);
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('waiting-'))).toEqual([]);

    holder.child.kill('SIGKILL');
    await exited(holder.child);
    const waits: SlotWait[] = [];
    const started = Date.now();
    const release = await acquireSlot(dir, { limit: 1, pollMs: 100, staleMs: 2_000, onWait: (w) => waits.push(w) });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(waits.length).toBeGreaterThan(0);
    expect(waits[0]!.busySlots).toBe(1);
    await release();
    await release();
    const again = await acquireSlot(dir, { limit: 1, pollMs: 100, staleMs: 2_000 });
    await again();
  } finally {
    killAll([holder]);
  }
});
