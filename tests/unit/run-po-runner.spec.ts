import fs from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test } from '@playwright/test';
import type { PoJobContext } from '../../support/coupa/po-context.js';
import type { PlannedPo } from '../../support/input/job-plan.js';
import type { PoResult } from '../../support/po-result.js';
import { PoHandoff } from '../../support/run-state/handoff-exchange.js';
import { ResultStore } from '../../support/run-state/result-store.js';
import { sessionPaths } from '../../support/run-state/run-paths.js';
import { PoLocks } from '../../support/run/po-lock.js';
import { PoRunner, type RunnerWindow } from '../../support/run/po-runner.js';
import type { Settings } from '../../support/settings.js';
import { plannedPo, plantLock, poResult, scratchDir } from './helpers-state/state-fixtures.js';

/**
 * The PO runner with a fake window: no browser, a PO "processed" by a stand-in that works
 * the way the real one does (steps, a __WORK folder renamed at the end), so what the runner
 * does around it is tested alone: locks, results, hand-backs, the window's counts.
 */
let dir: string;
let runRoot: string;
let results: ResultStore;
let handoff: PoHandoff;
let lockDir: (id: string) => string;
let logs: string[];
test.beforeEach(() => {
  dir = scratchDir('po-runner');
  runRoot = path.join(dir, 'run');
  const session = sessionPaths(path.join(dir, 'session'));
  results = new ResultStore({ journalFile: path.join(runRoot, 'journal.jsonl'), settledDir: path.join(runRoot, 'settled'), handbackDir: session.handbackDir, attemptsDir: session.attemptsDir });
  handoff = new PoHandoff(session.handoff);
  lockDir = (id) => path.join(dir, 'locks', `${id}.lock`);
  logs = [];
});
test.afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

class FakeWindow implements RunnerWindow {
  readonly record = { posDone: 0, posFailed: 0 };
  saves = 0;
  faultsInjected = 0;
  /** Stands in for the window's browser: aborting it is the browser closing. */
  readonly browser = new AbortController();
  constructor(readonly letter: string) {}
  get signal(): AbortSignal {
    return this.browser.signal;
  }
  get page(): Page {
    return {} as Page;
  }
  save(): void {
    this.saves++;
  }
  async beforePo(): Promise<void> {
    this.faultsInjected++;
  }
}

/** Stands in for the real PO processing: two steps writing into the PO's __WORK folder, then the rename to its final name. */
function fakeProcessing(options: { between?: (po: PlannedPo) => void | Promise<void>; fail?: Error } = {}) {
  const processed: string[] = [];
  const process = async (ctx: PoJobContext, po: PlannedPo): Promise<PoResult> => {
    processed.push(po.id);
    const work = path.join(ctx.runRoot, `${po.poNumber}__WORK`);
    await ctx.step('Open PO page', async () => fs.mkdirSync(work, { recursive: true }));
    await options.between?.(po);
    if (options.fail) throw options.fail;
    await ctx.step('Download a.pdf', async () => fs.writeFileSync(path.join(work, 'a.pdf'), 'pdf'));
    const final = path.join(ctx.runRoot, `${po.poNumber}_COMPLETED`);
    fs.renameSync(work, final);
    return poResult(po.id, { window: ctx.window, downloadFolder: final });
  };
  return { process, processed };
}

function runner(window: RunnerWindow, processPo: ReturnType<typeof fakeProcessing>['process']): PoRunner {
  return new PoRunner({
    window,
    settings: {} as Settings,
    runRoot,
    results,
    locks: new PoLocks(lockDir, { runRoot, window: window.letter }),
    handoff,
    log: (message) => logs.push(message),
    progress: { publish: () => undefined },
    processPo,
  });
}

const step = <T>(_title: string, body: () => Promise<T>) => body();

test('a PO is processed under its lock: journaled, settled, handed back, counted; the lock is freed', async () => {
  const window = new FakeWindow('A');
  const fake = fakeProcessing();
  const result = await runner(window, fake.process).process(plannedPo('4100001'), step);
  expect(result).toMatchObject({ id: '4100001', status: 'COMPLETED', window: 'A' });
  expect(results.readJournal().results.get('4100001')).toEqual(result);
  expect(results.settledInFolder('4100001')).toEqual(result);
  expect(results.thisRun('4100001')).toEqual(result);
  expect(window.record).toEqual({ posDone: 1, posFailed: 0 });
  expect(window.faultsInjected).toBe(1);
  expect(window.saves).toBe(1);
  expect(fs.existsSync(lockDir('4100001'))).toBe(false);
});

test('a PO another live run holds is LOCKED, not opened, and journaled as such', async () => {
  plantLock(lockDir('4100002'), { pid: process.pid, details: { runRoot: '/runs/other', window: 'C' } });
  const fake = fakeProcessing();
  const result = await runner(new FakeWindow('A'), fake.process).process(plannedPo('4100002'), step);
  expect(result.status).toBe('LOCKED');
  expect(result.errorMessage).toContain(`process ${process.pid}`);
  expect(result.errorMessage).toContain('run folder /runs/other');
  expect(fake.processed).toEqual([]);
  expect(results.readJournal().results.get('4100002')?.status).toBe('LOCKED');
  expect(results.thisRun('4100002')?.status).toBe('LOCKED');
});

test('a PO another run in the folder settled meanwhile is taken as done, not done again', async () => {
  const earlier = poResult('4100003', { window: 'B' });
  new ResultStore({ journalFile: path.join(runRoot, 'journal.jsonl'), settledDir: path.join(runRoot, 'settled'), handbackDir: path.join(dir, 'other-session'), attemptsDir: path.join(dir, 'other-attempts') }).finish(earlier);
  const fake = fakeProcessing();
  const result = await runner(new FakeWindow('A'), fake.process).process(plannedPo('4100003'), step);
  expect(result).toEqual(earlier);
  expect(fake.processed).toEqual([]);
  expect(results.thisRun('4100003')).toEqual(earlier);
  expect(logs.join('\n')).toContain('already COMPLETED by window B of another run');
});

test('a window fault fails the PO: nothing is journaled, the window counts a failed PO, the lock is freed', async () => {
  const window = new FakeWindow('A');
  const fake = fakeProcessing({ fail: new Error('Target page, context or browser has been closed') });
  await expect(runner(window, fake.process).process(plannedPo('4100004'), step)).rejects.toThrow('browser has been closed');
  expect(results.readJournal().results.size).toBe(0);
  expect(results.thisRun('4100004')).toBeUndefined();
  expect(window.record).toEqual({ posDone: 0, posFailed: 1 });
  expect(fs.existsSync(lockDir('4100004'))).toBe(false);
});

test('a PO whose window\'s browser closes under it (its time limit passed) stops at its next step and records nothing', async () => {
  const window = new FakeWindow('A');
  const fake = fakeProcessing({ between: () => window.browser.abort(new Error('the window\'s browser was closed by the job')) });
  await expect(runner(window, fake.process).process(plannedPo('4100006'), step)).rejects.toThrow('closed by the job');
  expect(fs.existsSync(path.join(runRoot, 'PO4100006_COMPLETED')), 'no final folder').toBe(false);
  expect(results.readJournal().results.size).toBe(0);
  expect(results.thisRun('4100006')).toBeUndefined();
  expect(window.record).toEqual({ posDone: 0, posFailed: 1 });
  expect(fs.existsSync(lockDir('4100006'))).toBe(false);
});

test('a PO whose lock another run took over mid-way stops there: no final folder, LOCKED, the new holder\'s lock kept', async () => {
  const window = new FakeWindow('A');
  let successor = '';
  const fake = fakeProcessing({
    between: (po) => {
      fs.rmSync(lockDir(po.id), { recursive: true });
      successor = plantLock(lockDir(po.id), { pid: process.pid, details: { runRoot: '/runs/other', window: 'C' } }).token;
    },
  });
  const result = await runner(window, fake.process).process(plannedPo('4100005'), step);
  expect(result.status).toBe('LOCKED');
  expect(result.errorMessage).toMatch(/lock was taken over by process \d+ on .+, window C, run folder \/runs\/other while window A processed it/);
  expect(fs.existsSync(path.join(runRoot, 'PO4100005_COMPLETED')), 'stopped before the rename').toBe(false);
  expect(fs.readdirSync(path.join(runRoot, 'PO4100005__WORK')), 'nothing downloaded after the takeover').toEqual([]);
  expect(JSON.parse(fs.readFileSync(path.join(lockDir('4100005'), 'owner.json'), 'utf8')).token).toBe(successor);
  expect(window.record.posDone).toBe(0);
});

test('POs handed over by other windows are served one by one, their steps kept with their results; one that fails is released for another window', async () => {
  handoff.offer(plannedPo('4100006'), 'C');
  handoff.offer(plannedPo('4100007'), 'C');
  const fake = fakeProcessing();
  const around: string[] = [];
  const served = await runner(new FakeWindow('A'), fake.process).serveHandoffs(async (claim, serve) => {
    around.push(`${claim.po.id} from ${claim.from}`);
    return serve();
  });
  expect(served).toBe(2);
  expect(around.sort()).toEqual(['4100006 from C', '4100007 from C']);
  expect(fake.processed.sort()).toEqual(['4100006', '4100007']);
  expect(results.thisRun('4100006')?.window).toBe('A');
  expect(results.stepsOf('4100006').map((s) => [s.title, s.status])).toEqual([
    ['Open PO page', 'passed'],
    ['Download a.pdf', 'passed'],
  ]);
  expect(handoff.isClaimed('4100006')).toBe(false);

  handoff.offer(plannedPo('4100008'), 'C');
  const failing = fakeProcessing({ fail: new Error('window gone') });
  await expect(runner(new FakeWindow('B'), failing.process).serveHandoffs()).rejects.toThrow('window gone');
  expect(handoff.isClaimed('4100008')).toBe(false);
  expect(results.stepsOf('4100008'), 'no result, no steps').toEqual([]);
  expect(logs).toContain('PO PO4100008: taken over from window C');
});

test('a PO processed in its own test reports its steps there and keeps none with its result', async () => {
  const titles: string[] = [];
  await runner(new FakeWindow('A'), fakeProcessing().process).process(plannedPo('4100009'), (title, body) => {
    titles.push(title);
    return body();
  });
  expect(titles).toEqual(['Open PO page', 'Download a.pdf']);
  expect(results.stepsOf('4100009')).toEqual([]);
});
