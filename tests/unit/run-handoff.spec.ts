import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { PoHandoff } from '../../support/run-state/handoff-exchange.js';
import { ResultStore } from '../../support/run-state/result-store.js';
import { sessionPaths } from '../../support/run-state/run-paths.js';
import type { RecordedStep } from '../../support/run-state/recorded-steps.js';
import { handOver } from '../../support/run/po-runner.js';
import { deadPid } from './helpers-profile/fake-profile.js';
import { plannedPo, poResult, scratchDir } from './helpers-state/state-fixtures.js';

/**
 * The hand-over exchange between windows (processes in the job; here, two exchanges on one
 * folder stand for two workers): a PO offered by a window that cannot work is taken by
 * exactly one working window, released again when that window fails on it, and its result
 * reaches the window waiting for it.
 */
let dir: string;
let exchange: PoHandoff;
let results: ResultStore;
test.beforeEach(() => {
  dir = scratchDir('handoff');
  const session = sessionPaths(dir);
  exchange = new PoHandoff(session.handoff);
  results = new ResultStore({ journalFile: path.join(dir, 'journal.jsonl'), settledDir: path.join(dir, 'settled'), handbackDir: session.handbackDir, attemptsDir: session.attemptsDir });
});
test.afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

test('an offer is claimed by exactly one window, oldest first, and is open again once released', () => {
  const other = new PoHandoff(sessionPaths(dir).handoff);
  exchange.offer(plannedPo('4100001'), 'C');
  const later = Date.now() + 5;
  while (Date.now() < later);
  exchange.offer(plannedPo('4100002'), 'C');
  expect(exchange.pendingOffers()).toBe(2);
  expect(exchange.claimNext('A')).toEqual({ po: plannedPo('4100001'), from: 'C' });
  expect(other.claimNext('B')).toEqual({ po: plannedPo('4100002'), from: 'C' });
  expect(exchange.claimNext('A')).toBeUndefined();
  expect(exchange.isClaimed('4100001')).toBe(true);
  expect(exchange.hasOffer('4100001')).toBe(false);

  exchange.release('4100001');
  expect(exchange.isClaimed('4100001')).toBe(false);
  exchange.offer(plannedPo('4100001'), 'C');
  expect(other.claimNext('B')?.po.id).toBe('4100001');
});

test('an offer whose offering worker died is dropped; a withdrawn offer is gone; a damaged one is skipped', async () => {
  const offers = sessionPaths(dir).handoff.offersDir;
  fs.writeFileSync(path.join(offers, '4100003.offer'), JSON.stringify({ po: plannedPo('4100003'), from: 'C', pid: await deadPid(), at: new Date().toISOString() }));
  fs.writeFileSync(path.join(offers, '4100004.offer'), '{"po": ');
  expect(exchange.claimNext('A')).toBeUndefined();
  expect(fs.existsSync(path.join(offers, '4100003.offer'))).toBe(false);

  exchange.offer(plannedPo('4100005'), 'C');
  expect(exchange.withdraw('4100005')).toBe(true);
  expect(exchange.withdraw('4100005')).toBe(false);
  expect(exchange.claimNext('A')).toBeUndefined();
});

test('retired windows and working windows are known to every worker', async () => {
  expect(exchange.retiredWindow('C')).toBeUndefined();
  exchange.retire('C', 'verification failed for good\nsecond line');
  expect(exchange.retiredWindow('C')).toMatchObject({ window: 'C', pid: process.pid, reason: 'verification failed for good\nsecond line' });
  expect(exchange.retiredWindowCount()).toBe(1);

  const unregister = exchange.registerWorking('A');
  fs.writeFileSync(path.join(sessionPaths(dir).handoff.workingDir, `B-${await deadPid()}`), '');
  expect(exchange.workingWindows()).toEqual(['A']);
  unregister();
  expect(exchange.workingWindows()).toEqual([]);
});

test('a window hands a PO over and gets the result the working window recorded, its steps replayed as its own', async () => {
  const po = plannedPo('4100006');
  const taker = (async () => {
    for (;;) {
      const claim = exchange.claimNext('A');
      if (claim) {
        const steps: RecordedStep[] = [{ title: 'Open PO page', status: 'passed', durationMs: 1200, steps: [] }];
        results.finish(poResult(claim.po.id, { window: 'A' }), steps);
        exchange.release(claim.po.id);
        return;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const unregister = exchange.registerWorking('A');
  const titles: string[] = [];
  const step = <T>(title: string, body: () => Promise<T>) => {
    titles.push(title);
    return body();
  };
  const result = await handOver(po, 'C', { handoff: exchange, results, log: () => undefined, why: 'window C is parked', pollMs: 20, step });
  unregister();
  await taker;
  expect(result).toMatchObject({ id: '4100006', status: 'COMPLETED', window: 'A' });
  expect(results.readJournal().results.get('4100006')?.window).toBe('A');
  expect(titles).toEqual(['Processed by window A for window C', 'Open PO page (1.2 s)']);
});

test('a PO taken by a window that then failed on it is offered again and done by another', async () => {
  const po = plannedPo('4100007');
  const unregister = exchange.registerWorking('A');
  const waiting = handOver(po, 'C', { handoff: exchange, results, log: () => undefined, why: 'test', pollMs: 20 });
  await expect.poll(() => exchange.hasOffer(po.id)).toBe(true);
  expect(exchange.claimNext('A')?.po.id).toBe(po.id);
  // Window A failed on it: its claim is released, the waiting window offers it again.
  exchange.release(po.id);
  await expect.poll(() => exchange.hasOffer(po.id)).toBe(true);
  expect(exchange.claimNext('B')?.po.id).toBe(po.id);
  results.finish(poResult(po.id, { window: 'B' }));
  exchange.release(po.id);
  expect((await waiting).window).toBe('B');
  unregister();
});

test('with no working window left, the hand-over gives up and withdraws its offer', async () => {
  const po = plannedPo('4100008');
  const error = await handOver(po, 'C', { handoff: exchange, results, log: () => undefined, why: 'window C stopped taking POs', noTakerTimeoutMs: 100, pollMs: 20 }).catch((e: Error) => e);
  expect((error as Error).message).toBe('no working window is left to take PO PO4100008 (window C stopped taking POs)');
  expect(exchange.hasOffer(po.id)).toBe(false);
});

test('a window never takes back a PO it handed over; another window does', () => {
  exchange.offer(plannedPo('4100009'), 'A');
  expect(exchange.claimNext('A')).toBeUndefined();
  expect(exchange.claimNext('B')).toEqual({ po: plannedPo('4100009'), from: 'A' });
});

test('a working window that preferred another one gets its PO back when no other window is left to take it', async () => {
  const po = plannedPo('4100010');
  const unregister = exchange.registerWorking('A');
  // Only window A itself works: nobody else can take it, so it comes back to A after the wait.
  const outcome = await handOver(po, 'A', { handoff: exchange, results, log: () => undefined, why: 'its last attempt failed in window A', takeBack: true, noTakerTimeoutMs: 100, pollMs: 20 });
  unregister();
  expect(outcome).toBeUndefined();
  expect(exchange.hasOffer(po.id)).toBe(false);
});
