import path from 'node:path';
import { expect, test } from '@playwright/test';
import { InputError, readInputFile, type InputTable } from '../../support/input/input-reader.js';
import { buildJobPlan } from '../../support/input/job-plan.js';

const fixture = (name: string) => path.resolve(import.meta.dirname, '../fixtures/input', name);

function table(headers: string[], rows: string[][]): InputTable {
  return {
    file: '/data/input.csv',
    format: 'csv',
    encoding: 'utf-8',
    delimiter: ',',
    headers,
    rows: rows.map((values, index) => ({ rowNumber: index + 2, values })),
    sha256: 'abc',
    warnings: [],
  };
}

test('COMPLETED rows are skipped, duplicates merged across prefixes, invalid rows listed', () => {
  const plan = buildJobPlan(readInputFile(fixture('completed-duplicates.csv')));
  expect(plan.completedRows).toEqual([2, 6]);
  expect(plan.pos).toEqual([
    { id: '4100002', poNumber: 'PO4100002', title: 'PO4100002', rowNumbers: [3, 4, 5], hierarchy: null },
    { id: '4100006', poNumber: 'PO4100006', title: 'PO4100006', rowNumbers: [11], hierarchy: null },
  ]);
  expect(plan.invalidRows.map(({ rowNumber, value }) => [rowNumber, value])).toEqual([
    [7, 'PO123'],
    [8, 'XY4100004'],
    [9, ''],
    [10, 'PO41A0005'],
  ]);
  expect(plan.invalidRows[0].message).toContain('"PO123"');
  expect(plan.invalidRows[1].message).toContain('unknown prefix');
  expect(plan.rowsByPo).toEqual({ '4100002': [3, 4, 5], '4100006': [11] });
  expect(plan.headers).toEqual(['PO_NUMBER', 'STATUS', 'Comment']);
  expect(plan.delimiter).toBe(',');
});

test('plan metadata comes from the table', () => {
  const input = readInputFile(fixture('semicolon.csv'));
  const plan = buildJobPlan(input);
  expect(plan.inputFile).toBe(input.file);
  expect(plan.inputSha256).toBe(input.sha256);
  expect(plan.delimiter).toBe(';');
});

test('<|> columns are folder levels taken from the PO\'s first row, raw', () => {
  const plan = buildJobPlan(readInputFile(fixture('hierarchy.csv')));
  expect(plan.pos.map((po) => [po.id, po.rowNumbers, po.hierarchy])).toEqual([
    ['4100001', [2, 4], ['EU', 'France']],
    ['4100002', [3], ['US', '']],
  ]);
});

test.describe('hierarchy columns', () => {
  const cases: Array<[label: string, headers: string[], row: string[], hierarchy: string[] | null]> = [
    ['no separator: supplier level', ['PO_NUMBER', 'Region'], ['PO4100001', 'EU'], null],
    ['separator as last column', ['PO_NUMBER', '<|>'], ['PO4100001', ''], null],
    ['separator first', ['<|>', 'Region', 'PO_NUMBER'], ['', 'EU', 'PO4100001'], ['EU', 'PO4100001']],
    [
      'tracking columns of a report fed back in are not levels',
      ['PO_NUMBER', '<|>', 'Region', 'STATUS', 'SUPPLIER', 'attachmentname', 'COUPA_URL'],
      ['PO4100001', '', 'EU', 'FAILED', 'Acme', 'a.pdf', 'http://x'],
      ['EU'],
    ],
    ['unnamed columns are not levels', ['PO_NUMBER', '<|>', 'Region', ''], ['PO4100001', '', 'EU', 'x'], ['EU']],
  ];
  for (const [label, headers, row, hierarchy] of cases) {
    test(label, () => {
      expect(buildJobPlan(table(headers, [row])).pos[0].hierarchy).toEqual(hierarchy);
    });
  }
});

test.describe('titles contain the digits and keep a letter prefix', () => {
  const cases: Array<[raw: string, title: string]> = [
    ['PO4100001', 'PO4100001'],
    ['pm 4100001', 'PM4100001'],
    ['4100001', 'PO4100001'],
  ];
  for (const [raw, title] of cases) {
    test(`${raw} → ${title}`, () => {
      const [po] = buildJobPlan(table(['PO_NUMBER'], [[raw]])).pos;
      expect(po.title).toBe(title);
      expect(po.title).toContain(po.id);
    });
  }
});

test('the first row decides the PO number and title of a duplicate', () => {
  const plan = buildJobPlan(table(['PO_NUMBER'], [['4100001'], ['PM4100001'], ['po4100001']]));
  expect(plan.pos).toEqual([{ id: '4100001', poNumber: '4100001', title: 'PO4100001', rowNumbers: [2, 3, 4], hierarchy: null }]);
});

test('STATUS matching is case-insensitive on header and value; other statuses are processed', () => {
  const plan = buildJobPlan(
    table(['po_number', 'status'], [['PO4100001', 'Completed'], ['PO4100002', 'COMPLETED_LATER'], ['PO4100003', 'FAILED']]),
  );
  expect(plan.completedRows).toEqual([2]);
  expect(plan.pos.map((po) => po.id)).toEqual(['4100002', '4100003']);
});

test('a COMPLETED row does not stop another row of the same PO from running', () => {
  const plan = buildJobPlan(table(['PO_NUMBER', 'STATUS'], [['PO4100001', 'COMPLETED'], ['PO4100001', 'FAILED']]));
  expect(plan.completedRows).toEqual([2]);
  expect(plan.pos.map((po) => po.rowNumbers)).toEqual([[3]]);
});

test('titles are unique and the plan is deterministic for the same bytes', () => {
  const first = buildJobPlan(readInputFile(fixture('completed-duplicates.csv')));
  const second = buildJobPlan(readInputFile(fixture('completed-duplicates.csv')));
  expect(second).toEqual(first);
  const titles = first.pos.map((po) => po.title);
  expect(new Set(titles).size).toBe(titles.length);
});

test('a table without PO_NUMBER is refused', () => {
  expect(() => buildJobPlan(table(['Order'], [['PO4100001']]))).toThrow(InputError);
});
