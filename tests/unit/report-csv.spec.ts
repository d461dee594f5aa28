import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { readInputFile, type InputTable } from '../../support/input/input-reader.js';
import { buildJobPlan } from '../../support/input/job-plan.js';
import type { PoResult } from '../../support/po-result.js';
import {
  buildReportRows,
  formatLocalTimestamp,
  neutralizeFormula,
  reportFileName,
  ReportWriteError,
  TRACKING_COLUMNS,
  writeReportCsv,
} from '../../support/output/report-csv.js';

const fixture = (name: string) => path.resolve(import.meta.dirname, '../fixtures/input', name);

let scratch: string;
test.beforeEach(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'report-csv-'));
});
test.afterEach(() => {
  fs.rmSync(scratch, { recursive: true, force: true });
});

/** Runs `action` with the process in a fixed time zone, so local-time formatting is checkable. */
function inTimeZone<T>(zone: string, action: () => T): T {
  const previous = process.env.TZ;
  process.env.TZ = zone;
  try {
    return action();
  } finally {
    if (previous === undefined) delete process.env.TZ;
    else process.env.TZ = previous;
  }
}

function result(id: string, overrides: Partial<PoResult> = {}): PoResult {
  return {
    id,
    poNumber: `PO${id}`,
    status: 'COMPLETED',
    supplier: 'Acme',
    attachmentsFound: 2,
    attachmentsDownloaded: 2,
    files: [
      { name: 'quote.pdf', bytes: 10, sha256: 'a', source: 'PO' },
      { name: 'mail.msg', bytes: 20, sha256: 'b', source: 'PO' },
    ],
    finishedAt: '2025-03-04T05:06:07.000Z',
    errorMessage: '',
    downloadFolder: `/runs/Acme/PO${id}_COMPLETED`,
    coupaUrl: `http://127.0.0.1/order_headers/${id}`,
    window: 'A',
    durationMs: 1000,
    convertedPdfs: [],
    ...overrides,
  };
}

const column = (report: { headers: string[] }, name: string) => report.headers.indexOf(name);

test('tracking columns in the order of WORKFLOW.md', () => {
  expect([...TRACKING_COLUMNS]).toEqual([
    'STATUS',
    'SUPPLIER',
    'ATTACHMENTS_FOUND',
    'ATTACHMENTS_DOWNLOADED',
    'AttachmentName',
    'LAST_PROCESSED',
    'ERROR_MESSAGE',
    'DOWNLOAD_FOLDER',
    'COUPA_URL',
  ]);
});

test('every input row in order, with its PO result, invalid rows, kept COMPLETED rows and pending POs', () => {
  const table = readInputFile(fixture('completed-duplicates.csv'));
  const plan = buildJobPlan(table);
  const results = new Map([['4100002', result('4100002', { status: 'PARTIAL', attachmentsDownloaded: 1, errorMessage: '1 of 2 files failed' })]]);
  const report = inTimeZone('UTC', () => buildReportRows(plan, table, results));

  expect(report.headers).toEqual(['PO_NUMBER', 'Comment', ...TRACKING_COLUMNS]);
  const view = report.rows.map((row) => [row[0], row[column(report, 'STATUS')], row[column(report, 'ERROR_MESSAGE')]]);
  expect(view).toEqual([
    ['PO4100001', 'COMPLETED', ''],
    ['PO4100002', 'PARTIAL', '1 of 2 files failed'],
    ['pm 4100002', 'PARTIAL', '1 of 2 files failed'],
    ['4100002', 'PARTIAL', '1 of 2 files failed'],
    ['PO4100003', ' completed ', ''],
    ['PO123', 'INVALID_PO_NUMBER', expect.stringContaining('"PO123"')],
    ['XY4100004', 'INVALID_PO_NUMBER', expect.stringContaining('unknown prefix')],
    ['', 'INVALID_PO_NUMBER', expect.stringContaining('empty')],
    ['PO41A0005', 'INVALID_PO_NUMBER', expect.stringContaining('must be digits')],
    ['PO4100006', 'PENDING', 'Not processed in this run'],
  ]);

  const partial = report.rows[1];
  expect(partial.slice(2)).toEqual([
    'PARTIAL',
    'Acme',
    '2',
    '1',
    'quote.pdf;\nmail.msg',
    '2025-03-04 05:06:07',
    '1 of 2 files failed',
    '/runs/Acme/PO4100002_COMPLETED',
    'http://127.0.0.1/order_headers/4100002',
  ]);
  expect(report.rows[0][1]).toBe('done before');
  expect(report.rows.every((row) => row.length === report.headers.length)).toBe(true);
});

test('the message for POs without a result can be set', () => {
  const table = readInputFile(fixture('utf8-bom.csv'));
  const report = buildReportRows(buildJobPlan(table), table, new Map(), { notProcessedMessage: 'Run stopped by the operator' });
  expect(report.rows.map((row) => row.slice(-9, -7).concat(row[column(report, 'ERROR_MESSAGE')]))).toEqual([
    ['PENDING', '', 'Run stopped by the operator'],
    ['PENDING', '', 'Run stopped by the operator'],
  ]);
});

test('a report with extra cells keeps them under unnamed columns and stays rectangular', () => {
  const table = readInputFile(fixture('ragged.csv'));
  const report = buildReportRows(buildJobPlan(table), table, new Map());
  expect(report.headers).toEqual(['PO_NUMBER', 'A', 'B', '', '', ...TRACKING_COLUMNS]);
  expect(report.rows.map((row) => row.slice(0, 5))).toEqual([
    ['PO4100001', '', '', '', ''],
    ['PO4100002', 'a', 'b', 'extra1', 'extra2'],
    ['PO4100003', 'a', 'b', '', ''],
  ]);
});

test('LAST_PROCESSED is local time', () => {
  const date = new Date('2025-12-31T23:59:58Z');
  expect(inTimeZone('Asia/Kolkata', () => formatLocalTimestamp(date))).toBe('2026-01-01 05:29:58');
  expect(inTimeZone('America/New_York', () => formatLocalTimestamp(date))).toBe('2025-12-31 18:59:58');
  expect(formatLocalTimestamp(new Date('not a date'))).toBe('');
});

test('report file name uses local time', () => {
  expect(inTimeZone('Asia/Kolkata', () => reportFileName(new Date('2025-03-04T05:06:07Z')))).toBe(
    'CoupaDownloads_Report_20250304-103607.csv',
  );
});

test.describe('neutralizeFormula', () => {
  const cases: Array<[value: string, written: string]> = [
    ['=HYPERLINK("http://evil")', `'=HYPERLINK("http://evil")`],
    ['+1+cmd|/C calc', `'+1+cmd|/C calc`],
    ['-2+3', `'-2+3`],
    ['@SUM(A1)', `'@SUM(A1)`],
    ['\t=1', `'\t=1`],
    ['\r=1', `'\r=1`],
    ['-12.50', '-12.50'],
    ['+33', '+33'],
    ['-1,5', '-1,5'],
    ['Acme = best', 'Acme = best'],
    ['', ''],
    ["'=already", "'=already"],
    [' =1+1', "' =1+1"],
    ['\u00a0=HYPERLINK("http://evil")', '\'\u00a0=HYPERLINK("http://evil")'],
    ['\n=cmd', "'\n=cmd"],
    ['\u3000\u200b+cmd', "'\u3000\u200b+cmd"],
    ['\uff1dSUM(A1)', "'\uff1dSUM(A1)"],
    [' \uff0b1', "' \uff0b1"],
    ['\uff0d2', "'\uff0d2"],
    ['\uff20SUM(A1)', "'\uff20SUM(A1)"],
    ['\ufe66cmd', "'\ufe66cmd"],
    [' -12.50', ' -12.50'],
    [' Acme', ' Acme'],
    ['a.pdf;\n=b.pdf', 'a.pdf;\n=b.pdf'],
  ];
  for (const [value, written] of cases) {
    test(`${JSON.stringify(value)} → ${JSON.stringify(written)}`, () => {
      expect(neutralizeFormula(value)).toBe(written);
    });
  }
});

test('written for Excel: BOM, CRLF, the input delimiter, quoted line breaks, neutralised cells', () => {
  const file = path.join(scratch, 'report.csv');
  writeReportCsv(file, { headers: ['PO_NUMBER', 'AttachmentName', 'SUPPLIER'], rows: [['PO4100001', 'a.pdf;\nb.pdf', '=evil;x']] }, { delimiter: ';' });
  const bytes = fs.readFileSync(file);
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  expect(bytes.subarray(3).toString('utf8')).toBe('PO_NUMBER;AttachmentName;SUPPLIER\r\nPO4100001;"a.pdf;\nb.pdf";"\'=evil;x"\r\n');
  expect(fs.readdirSync(scratch)).toEqual(['report.csv']);
});

test('a report that cannot be written says where, and leaves no temporary file', () => {
  const blocker = path.join(scratch, 'not-a-folder');
  fs.writeFileSync(blocker, '');
  const file = path.join(blocker, 'report.csv');
  expect(() => writeReportCsv(file, { headers: ['a'], rows: [] }, { delimiter: ',' })).toThrow(ReportWriteError);
  try {
    writeReportCsv(file, { headers: ['a'], rows: [] }, { delimiter: ',' });
  } catch (error) {
    expect((error as ReportWriteError).message).toContain(file);
  }
  expect(fs.readdirSync(scratch)).toEqual(['not-a-folder']);
});

test('a failed rename removes the temporary file', () => {
  const occupied = path.join(scratch, 'report.csv');
  fs.mkdirSync(path.join(occupied, 'inside'), { recursive: true });
  expect(() => writeReportCsv(occupied, { headers: ['a'], rows: [['1']] }, { delimiter: ',' })).toThrow(ReportWriteError);
  expect(fs.readdirSync(scratch)).toEqual(['report.csv']);
});

function roundTrip(table: InputTable, results: Map<string, PoResult>, name: string): InputTable {
  const report = buildReportRows(buildJobPlan(table), table, results);
  const file = path.join(scratch, name);
  writeReportCsv(file, report, { delimiter: table.delimiter });
  return readInputFile(file);
}

for (const source of ['completed-duplicates.csv', 'windows-1252.csv', 'hierarchy.csv', 'crlf-quoted.csv']) {
  test(`a report of ${source} fed back in resumes the batch`, () => {
    const input = readInputFile(fixture(source));
    const firstPlan = buildJobPlan(input);
    const [done, ...rest] = firstPlan.pos;
    const results = new Map<string, PoResult>([[done.id, result(done.id, { supplier: '=cmd|calc', files: [
      { name: '-b.msg', bytes: 1, sha256: 'y', source: 'PO' },
      { name: 'a.pdf', bytes: 1, sha256: 'x', source: 'PR' },
    ] })]]);

    const report1 = roundTrip(input, results, 'report1.csv');
    expect(report1.encoding).toBe('utf-8-bom');
    expect(report1.delimiter).toBe(input.delimiter);
    const secondPlan = buildJobPlan(report1);
    expect(secondPlan.pos.map((po) => [po.id, po.rowNumbers, po.hierarchy])).toEqual(rest.map((po) => [po.id, po.rowNumbers, po.hierarchy]));
    expect(secondPlan.completedRows).toEqual([...firstPlan.completedRows, ...done.rowNumbers].sort((a, b) => a - b));
    expect(secondPlan.invalidRows.map((row) => row.rowNumber)).toEqual(firstPlan.invalidRows.map((row) => row.rowNumber));

    const doneRow = report1.rows.find((row) => row.rowNumber === done.rowNumbers[0]);
    expect(doneRow?.values[report1.headers.indexOf('AttachmentName')]).toBe("'-b.msg;\na.pdf");
    expect(doneRow?.values[report1.headers.indexOf('SUPPLIER')]).toBe("'=cmd|calc");
    // The operator's own cells survive unchanged, multi-line ones included.
    const inputColumns = input.headers.filter((header) => header.toUpperCase() !== 'STATUS');
    for (const row of input.rows) {
      const reported = report1.rows.find((candidate) => candidate.rowNumber === row.rowNumber);
      for (const header of inputColumns) {
        expect(reported?.values[report1.headers.indexOf(header)]).toBe(row.values[input.headers.indexOf(header)]);
      }
    }

    const report2 = roundTrip(report1, new Map(), 'report2.csv');
    expect(report2.headers).toEqual(report1.headers);
    const completedAgain = report2.rows.find((row) => row.rowNumber === done.rowNumbers[0]);
    expect(completedAgain?.values).toEqual(doneRow?.values);
  });
}
