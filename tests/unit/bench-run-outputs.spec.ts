import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, expect } from '@playwright/test';
import { ResultJournal } from '../../support/run-state/journal.js';
import { resultWithoutFiles, type PoResult } from '../../support/po-result.js';
import { verifyDownloads } from '../../tooling/bench/download-verification.js';
import { findRunRoot, readBaselineOutputs, readJobOutputs } from '../../tooling/bench/run-outputs.js';
import { attachmentContent, generateBatch, ONLY_COMPLETED, type SimPo } from '../../tooling/simulator/index.js';

let dir: string;
test.beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-outputs-'));
});
test.afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const writeJson = (file: string, value: unknown) => {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(value));
};

const windowRecord = (window: string, startedAt: string, totalStartMs: number, extra: Record<string, unknown> = {}) => ({
  window,
  parallelIndex: window.charCodeAt(0) - 65,
  workerIndex: 0,
  kind: window === 'A' ? 'base' : 'clone',
  userDataDir: `/p/${window}`,
  state: 'closed',
  verification: [{ method: 'session', ok: true }],
  timings: { slotWaitMs: 0, cloneMs: window === 'A' ? 0 : 120, launchWaitMs: 0, launchMs: 700, verifyMs: 800, totalStartMs },
  posDone: 5,
  startedAt,
  // Fields the benchmark does not read are ignored.
  somethingNew: { nested: true },
  ...extra,
});

test('the job\'s run folder: journal, windows with their ready time, the governor\'s changes, the HTML report', () => {
  const downloads = path.join(dir, 'downloads');
  const runRoot = path.join(downloads, '20260105-09h00_CoupaDownloads');
  fs.mkdirSync(path.join(downloads, 'unrelated'), { recursive: true });
  const journal = new ResultJournal(path.join(runRoot, '.run-state', 'journal.jsonl'));
  journal.append(resultWithoutFiles({ id: '5000001', poNumber: 'PO5000001' }, { status: 'COMPLETED', window: 'A' }));
  journal.append(resultWithoutFiles({ id: '5000002', poNumber: 'PO5000002' }, { status: 'FAILED', window: 'B' }));
  writeJson(path.join(runRoot, 'window-summary.json'), {
    windows: [
      windowRecord('A', '2026-01-05T09:00:01.000Z', 1500),
      windowRecord('B', '2026-01-05T09:00:01.200Z', 2300),
      windowRecord('C', '2026-01-05T09:00:01.300Z', 0, { state: 'failed' }),
      windowRecord('D', '2026-01-05T09:00:01.400Z', 900, { verification: [{ method: 'session', ok: false }] }),
    ],
  });
  writeJson(path.join(runRoot, 'run-summary.json'), {
    reports: { htmlReport: path.join(runRoot, 'playwright-report'), runSummary: 'x' },
    load: { peakCpuPercent: 99, changes: [{ at: 1, from: 4, to: 3 }, { at: 2, from: 3, to: 2 }, { at: 3, from: 2, to: 4 }] },
  });

  expect(findRunRoot(downloads)).toBe(runRoot);
  expect(findRunRoot(path.join(dir, 'missing'))).toBeUndefined();
  const outputs = readJobOutputs(runRoot);
  expect(outputs.results.map((r) => `${r.id} ${r.status}`)).toEqual(['5000001 COMPLETED', '5000002 FAILED']);
  expect(outputs.starts.map((s) => [s.window, s.readyAt])).toEqual([
    ['A', Date.parse('2026-01-05T09:00:02.500Z')],
    ['B', Date.parse('2026-01-05T09:00:03.500Z')],
    // Failed, or not every verification method passed: never ready.
    ['C', undefined],
    ['D', undefined],
  ]);
  expect(outputs.starts[1]).toMatchObject({ kind: 'clone', userDataDir: '/p/B', cloneMs: 120, launchMs: 700, verifyMs: 800, totalStartMs: 2300, posDone: 5 });
  expect(outputs.governor).toEqual({ changes: 3, lowestWindows: 2 });
  expect(outputs.htmlReport).toBe(path.join(runRoot, 'playwright-report'));
});

test('a run folder without summaries (a run that stopped early) reads as empty; a summary of another shape is an error', () => {
  const runRoot = path.join(dir, '20260105-09h00_CoupaDownloads');
  fs.mkdirSync(runRoot);
  expect(readJobOutputs(runRoot)).toEqual({ root: runRoot, results: [], starts: [], governor: undefined, htmlReport: undefined });
  writeJson(path.join(runRoot, 'run-summary.json'), { load: { changes: 'none' } });
  // The governor's account is optional and of the governor's own making: an unknown shape is left out.
  expect(readJobOutputs(runRoot).governor).toBeUndefined();
  writeJson(path.join(runRoot, 'window-summary.json'), { windows: [{ window: 'A' }] });
  expect(() => readJobOutputs(runRoot)).toThrow(/window-summary\.json does not have the shape the benchmark reads/);
});

test('the peer\'s folder: its journal and its one browser, ready with all its pages', () => {
  const out = path.join(dir, 'peer');
  new ResultJournal(path.join(out, 'journal.jsonl')).append(resultWithoutFiles({ id: '5000001', poNumber: 'PO5000001' }, { status: 'COMPLETED', window: 'P1' }));
  writeJson(path.join(out, 'baseline-summary.json'), {
    pages: 4, pos: 1, startedAt: '2026-01-05T09:00:00.300Z', launchedMs: 400, signedInMs: 1100, readyMs: 1250, endedAt: '2026-01-05T09:00:09.000Z',
  });
  const outputs = readBaselineOutputs(out);
  expect(outputs.results).toHaveLength(1);
  expect(outputs.starts).toEqual([
    expect.objectContaining({ window: 'browser', readyAt: Date.parse('2026-01-05T09:00:01.550Z'), launchMs: 400, verifyMs: 700, totalStartMs: 1250, posDone: 1 }),
  ]);
  expect(outputs.governor).toBeUndefined();
  expect(readBaselineOutputs(path.join(dir, 'nothing')).starts).toEqual([]);
});

test('verification: expected outcome and byte-exact files, converted PDFs aside; every kind of shortfall is named', () => {
  const pos: SimPo[] = generateBatch({ count: 6, seed: 3, attachmentsPerPo: 2, statusShares: ONLY_COMPLETED }).pos;
  const results: PoResult[] = pos.map((po, i) => {
    const folder = path.join(dir, `PO${po.id}_COMPLETED`);
    fs.mkdirSync(folder);
    po.attachments.forEach((a, k) => fs.writeFileSync(path.join(folder, `${k}-${a.fileName}`), attachmentContent(a)));
    fs.writeFileSync(path.join(folder, 'mail.pdf'), 'converted');
    const result = resultWithoutFiles({ id: po.id, poNumber: `PO${po.id}` }, { status: 'COMPLETED', window: 'A', downloadFolder: folder, convertedPdfs: ['mail.pdf'] });
    return { ...result, finishedAt: new Date(1000 * i).toISOString() };
  });
  const all = verifyDownloads(pos, results);
  expect(all).toMatchObject({ pos: 6, verified: 6, files: 12, problems: [] });
  expect(all.bytes).toBe(pos.flatMap((p) => p.attachments).reduce((sum, a) => sum + a.size, 0));

  // A truncated file, a missing folder, a wrong status, a missing result, an extra file.
  const first = pos[0]!.attachments[0]!;
  fs.writeFileSync(path.join(results[0]!.downloadFolder, `0-${first.fileName}`), attachmentContent(first).subarray(1));
  fs.rmSync(results[1]!.downloadFolder, { recursive: true });
  results[2] = { ...results[2]!, status: 'PARTIAL', errorMessage: 'cut off' };
  fs.writeFileSync(path.join(results[4]!.downloadFolder, 'extra.bin'), 'x');
  const broken = verifyDownloads(pos, results.filter((_, i) => i !== 3), 10);
  expect(broken.verified).toBe(1);
  expect(broken.problems).toEqual([
    `PO ${pos[0]!.id}: 2 file(s) on disk, 2 served; contents differ`,
    `PO ${pos[1]!.id}: PO folder ${results[1]!.downloadFolder} is missing`,
    `PO ${pos[2]!.id}: PARTIAL, expected COMPLETED (cut off)`,
    `PO ${pos[3]!.id}: no result`,
    `PO ${pos[4]!.id}: 3 file(s) on disk, 2 served; contents differ`,
  ]);
  expect(verifyDownloads(pos, [], 2).problems).toHaveLength(2);
});
