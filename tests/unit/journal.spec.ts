import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, test } from '@playwright/test';
import { journalEntryIsSettled, ResultJournal } from '../../support/run-state/journal.js';
import { PO_STATUSES, type PoResult, type PoStatus } from '../../support/po-result.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');

let scratch: string;
let file: string;
test.beforeEach(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'journal-'));
  file = path.join(scratch, 'state', 'journal.jsonl');
});
test.afterEach(() => {
  fs.rmSync(scratch, { recursive: true, force: true });
});

function result(id: string, status: PoStatus = 'COMPLETED', window = 'A'): PoResult {
  return {
    // Deliberately not `id` first: the journal must put it first itself.
    status,
    id,
    poNumber: `PO${id}`,
    supplier: 'Acme "quoted" {"id":"fake"}',
    attachmentsFound: 1,
    attachmentsDownloaded: 1,
    files: [{ name: 'a.pdf', bytes: 3, sha256: 'abc', source: 'PO' }],
    convertedPdfs: [],
    finishedAt: '2025-03-04T05:06:07.000+01:00',
    errorMessage: '',
    downloadFolder: '/runs/x',
    coupaUrl: `http://127.0.0.1/order_headers/${id}`,
    window,
    durationMs: 5,
  };
}

test('a missing journal reads as empty', () => {
  expect(ResultJournal.read(file)).toEqual({ results: new Map(), skippedLines: 0 });
});

test('appends one line per result, creating the folder; the last entry of an id wins', () => {
  const journal = new ResultJournal(file);
  journal.append(result('4100001', 'TIMEOUT'));
  journal.append(result('4100002'));
  journal.append(result('4100001', 'COMPLETED', 'B'));
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  expect(lines).toHaveLength(4);
  expect(lines[3]).toBe('');
  expect(lines.slice(0, 3).every((line) => line.startsWith('{"id":'))).toBe(true);

  const { results, skippedLines } = ResultJournal.read(file);
  expect(skippedLines).toBe(0);
  expect([...results.keys()]).toEqual(['4100002', '4100001']);
  expect(results.get('4100001')).toEqual(result('4100001', 'COMPLETED', 'B'));
});

test('a LOCKED entry (another run had the PO) never replaces a result, but stands alone', () => {
  const journal = new ResultJournal(file);
  journal.append(result('4100001', 'COMPLETED', 'A'));
  journal.append(result('4100001', 'LOCKED', 'B'));
  journal.append(result('4100002', 'LOCKED', 'B'));
  const { results } = ResultJournal.read(file);
  expect(results.get('4100001')?.status).toBe('COMPLETED');
  expect(results.get('4100002')?.status).toBe('LOCKED');
});

test('a second journal object on the same file appends, never truncates', () => {
  new ResultJournal(file).append(result('4100001'));
  new ResultJournal(file).append(result('4100002'));
  expect([...ResultJournal.read(file).results.keys()]).toEqual(['4100001', '4100002']);
});

test.describe('reading survives damage', () => {
  const good1 = JSON.stringify(result('4100001'));
  const { id, ...rest } = result('4100002');
  // As the journal writes it: `id` first.
  const good2 = JSON.stringify({ id, ...rest });
  const cases: Array<[label: string, text: string, ids: string[], skipped: number]> = [
    ['blank lines and CRLF', `\n${good1}\r\n\n   \n${good2}\n\n`, ['4100001', '4100002'], 0],
    ['torn last line (killed mid-write)', `${good1}\n${good2.slice(0, 40)}`, ['4100001'], 1],
    ['torn line with the next entry glued to it', `${good2.slice(0, 50)}${good2.replace('4100002', '4100003')}\n${good1}\n`, ['4100003', '4100001'], 1],
    ['garbage and foreign JSON', `not json\n${good1}\n{"id":"x"}\n[1,2]\nnull\n{"id":"","poNumber":"","status":"COMPLETED","files":[],"finishedAt":""}\n`, ['4100001'], 5],
    ['unknown status', JSON.stringify({ ...result('4100001'), status: 'DONE' }), [], 1],
    ['NUL bytes from a crash', `${good1}\n\u0000\u0000\u0000\n`, ['4100001'], 1],
  ];
  for (const [label, text, ids, skipped] of cases) {
    test(label, () => {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
      const { results, skippedLines } = ResultJournal.read(file);
      expect([...results.keys()]).toEqual(ids);
      expect(skippedLines).toBe(skipped);
    });
  }

  test('an append after a torn line is still readable', () => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${JSON.stringify(result('4100001'))}\n{"id":"4100002","status":"COMP`);
    new ResultJournal(file).append(result('4100003'));
    const { results, skippedLines } = ResultJournal.read(file);
    expect([...results.keys()]).toEqual(['4100001', '4100003']);
    expect(skippedLines).toBe(1);
  });
});

test.describe('journalEntryIsSettled', () => {
  const settled = new Set(['COMPLETED', 'NO_ATTACHMENTS', 'PO_NOT_FOUND', 'PR_NOT_ACCESSIBLE']);
  for (const status of PO_STATUSES) {
    test(status, () => {
      expect(journalEntryIsSettled(result('4100001', status))).toBe(settled.has(status));
    });
  }
});

test('several processes appending at once never lose or mix lines', async () => {
  const processes = 4;
  const perProcess = 150;
  const child = path.join(scratch, 'append-child.ts');
  // Lines of a few hundred bytes up to ~150 KB, so some exceed the 64 KB pipe-buffer size.
  fs.writeFileSync(
    child,
    `import { ResultJournal } from ${JSON.stringify(pathToFileURL(path.join(repoRoot, 'support/run-state/journal.ts')).href)};
const [file, window, count] = process.argv.slice(2);
const journal = new ResultJournal(file);
for (let i = 0; i < Number(count); i += 1) {
  const id = String(1000000 + Number(window.charCodeAt(0)) * 1000 + i);
  const padding = 'x'.repeat(i % 50 === 0 ? 150_000 : (i * 37) % 2000);
  journal.append({ id, poNumber: 'PO' + id, status: 'COMPLETED', supplier: padding, attachmentsFound: 0,
    attachmentsDownloaded: 0, files: [], convertedPdfs: [], finishedAt: new Date().toISOString(), errorMessage: '', downloadFolder: '',
    coupaUrl: '', window, durationMs: i });
}
`,
  );
  const exits = await Promise.all(
    ['A', 'B', 'C', 'D'].slice(0, processes).map(
      (window) =>
        new Promise<number | null>((resolve, reject) => {
          const run = spawn(process.execPath, ['--import', 'tsx', child, file, window, String(perProcess)], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
          run.on('error', reject);
          run.on('exit', resolve);
        }),
    ),
  );
  expect(exits).toEqual(Array(processes).fill(0));

  const lines = fs.readFileSync(file, 'utf8').split('\n');
  expect(lines.pop()).toBe('');
  expect(lines).toHaveLength(processes * perProcess);
  for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
  const { results, skippedLines } = ResultJournal.read(file);
  expect(skippedLines).toBe(0);
  expect(results.size).toBe(processes * perProcess);
  for (const window of ['A', 'B', 'C', 'D']) {
    const mine = [...results.values()].filter((entry) => entry.window === window).map((entry) => entry.durationMs);
    expect(mine).toEqual(Array.from({ length: perProcess }, (_, i) => i));
  }
});
