import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import ExcelJS from 'exceljs';
import { buildJobPlan } from '../../support/input/job-plan.js';
import { readXlsxInput } from '../../support/input/xlsx-reader.js';
import { buildReportRows, ReportWriteError, TRACKING_COLUMNS, type ReportTable } from '../../support/output/report-csv.js';
import { reportXlsxFileName, writeReportXlsx } from '../../support/output/report-xlsx.js';
import type { PoResult } from '../../support/po-result.js';

let scratch: string;
test.beforeEach(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'xlsx-report-'));
});
test.afterEach(() => {
  fs.rmSync(scratch, { recursive: true, force: true });
});

async function openSheet(file: string): Promise<ExcelJS.Worksheet> {
  const book = new ExcelJS.Workbook();
  await book.xlsx.readFile(file);
  expect(book.worksheets.map((sheet) => sheet.name)).toEqual(['PO_Data']);
  return book.worksheets[0]!;
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
      { name: 'RE_ Delivery date confirmation.msg', bytes: 20, sha256: 'b', source: 'PO' },
    ],
    finishedAt: '2025-03-04T05:06:07.000Z',
    errorMessage: '',
    downloadFolder: `/runs/EU/France/PO${id}_COMPLETED`,
    coupaUrl: `http://127.0.0.1/order_headers/${id}`,
    window: 'A',
    durationMs: 1000,
    convertedPdfs: [],
    ...overrides,
  };
}

test('sheet PO_Data with a bold, filled, frozen, filtered header; columns sized; AttachmentName wrapped', async () => {
  const table: ReportTable = {
    headers: ['PO_NUMBER', 'Note', 'AttachmentName', 'ERROR_MESSAGE'],
    rows: [
      ['PO4100001', 'short', 'quote.pdf;\nRE_ Delivery date confirmation.msg', ''],
      ['PO4100002', 'x'.repeat(200), '', 'Timed out'],
    ],
  };
  const file = path.join(scratch, 'report.xlsx');
  await writeReportXlsx(file, table);
  const sheet = await openSheet(file);

  expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
  expect(sheet.autoFilter).toBe('A1:D1');
  const header = sheet.getRow(1);
  expect(header.values).toEqual([undefined, ...table.headers]);
  expect(header.getCell(1).font?.bold).toBe(true);
  expect(header.getCell(4).fill).toMatchObject({ type: 'pattern', pattern: 'solid' });

  expect(sheet.getColumn(1).width).toBe(11);
  expect(sheet.getColumn(2).width).toBe(60);
  expect(sheet.getColumn(3).width).toBe('RE_ Delivery date confirmation.msg'.length + 2);
  expect(sheet.getColumn(4).width).toBe('ERROR_MESSAGE'.length + 2);
  expect(sheet.getCell('C2').value).toBe('quote.pdf;\nRE_ Delivery date confirmation.msg');
  expect(sheet.getCell('C2').alignment).toMatchObject({ wrapText: true });
  expect(sheet.getCell('D2').alignment?.wrapText).toBeUndefined();
});

test('values a spreadsheet would execute stay text; whole numbers become numbers; oversized and invalid text is made safe', async () => {
  const hostile = ['=HYPERLINK("http://evil.example","click")', '+cmd|calc', '-2+3', '@SUM(A1)', '=1+1', ' =1+1', '\u00a0=1+1', '\n=1+1', '\uff1dSUM(A1)'];
  const table: ReportTable = {
    headers: ['PO_NUMBER', 'Value'],
    rows: [
      ...hostile.map((value) => ['4100001', value]),
      ['4100002', '007'],
      ['4100003', '-12'],
      ['4100004', '1234567890123456'],
      ['4100005', `bell\x07 and nul\x00 gone`],
      ['4100006', 'y'.repeat(40_000)],
    ],
  };
  const file = path.join(scratch, 'report.xlsx');
  await writeReportXlsx(file, table);
  const sheet = await openSheet(file);

  hostile.forEach((value, index) => {
    const cell = sheet.getCell(index + 2, 2);
    expect(cell.type, value).toBe(ExcelJS.ValueType.String);
    expect(cell.value).toBe(value);
    expect(cell.formula).toBeUndefined();
  });
  expect(sheet.getCell('A2').value).toBe(4100001);
  expect(sheet.getCell(hostile.length + 2, 2).value).toBe('007');
  expect(sheet.getCell(hostile.length + 3, 2).value).toBe(-12);
  expect(sheet.getCell(hostile.length + 4, 2).value).toBe('1234567890123456');
  expect(sheet.getCell(hostile.length + 5, 2).value).toBe('bell and nul gone');
  const long = sheet.getCell(hostile.length + 6, 2).value as string;
  expect(long).toHaveLength(32_767);
  expect(long.endsWith('y…')).toBe(true);
});

test('round trip: an Excel input, its report fed back in keeps every column and skips the COMPLETED rows', async () => {
  const input = path.join(scratch, 'input.xlsx');
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet('PO_Data');
  sheet.addRow(['PO_NUMBER', 'Buyer', 'Ordered', '<|>', 'Region', 'Country']);
  sheet.addRow([4100001, 'ann', new Date(Date.UTC(2024, 2, 5)), null, 'EU', 'France']);
  sheet.addRow(['PO4100002', '=evil()', null, null, 'US', 'Texas']);
  sheet.addRow(['PM4100003', 'cy', null, null, 'APAC', 'Japan']);
  sheet.addRow(['PO12', 'bad number']);
  await book.xlsx.writeFile(input);

  const table = await readXlsxInput(input);
  const plan = buildJobPlan(table);
  const results = new Map([
    ['4100001', result('4100001')],
    ['4100002', result('4100002', { status: 'NO_ATTACHMENTS', attachmentsFound: 0, attachmentsDownloaded: 0, files: [], errorMessage: 'The PO has no attachments' })],
  ]);
  const report = buildReportRows(plan, table, results);
  const reportFile = path.join(scratch, reportXlsxFileName(new Date(2025, 2, 4, 5, 6, 7)));
  expect(path.basename(reportFile)).toBe('CoupaDownloads_Report_20250304-050607.xlsx');
  await writeReportXlsx(reportFile, report);

  const again = await readXlsxInput(reportFile);
  expect(again.headers).toEqual(['PO_NUMBER', 'Buyer', 'Ordered', '<|>', 'Region', 'Country', ...TRACKING_COLUMNS]);
  expect(again.rows.map((row) => row.rowNumber)).toEqual([2, 3, 4, 5]);
  expect(again.rows.map((row) => row.values.slice(0, 6))).toEqual(table.rows.map((row) => [...row.values, '', '', '', '', '', ''].slice(0, 6)));
  const status = again.headers.indexOf('STATUS');
  expect(again.rows.map((row) => row.values[status])).toEqual(['COMPLETED', 'NO_ATTACHMENTS', 'PENDING', 'INVALID_PO_NUMBER']);
  expect(again.rows[0]!.values[again.headers.indexOf('AttachmentName')]).toBe('quote.pdf;\nRE_ Delivery date confirmation.msg');

  const resumed = buildJobPlan(again);
  expect(resumed.completedRows).toEqual([2]);
  expect(resumed.pos.map((po) => [po.title, po.hierarchy])).toEqual([
    ['PO4100002', ['US', 'Texas']],
    ['PM4100003', ['APAC', 'Japan']],
  ]);
  expect(buildReportRows(resumed, again, new Map()).headers).toEqual(again.headers);
});

test('STATUS is coloured, the PO folder and the Coupa page are links, LAST_PROCESSED is a date; fed back in, the text is as before', async () => {
  const input = path.join(scratch, 'input.xlsx');
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet('PO_Data');
  sheet.addRow(['PO_NUMBER']);
  for (const id of ['4100001', '4100002', '4100003', '4100004']) sheet.addRow([`PO${id}`]);
  await book.xlsx.writeFile(input);
  const table = await readXlsxInput(input);
  const finishedAt = new Date(2025, 2, 4, 5, 6, 7).toISOString();
  const results = new Map([
    ['4100001', result('4100001', { finishedAt })],
    ['4100002', result('4100002', { status: 'PARTIAL', finishedAt, downloadFolder: 'relative/PO4100002_PARTIAL' })],
    ['4100003', result('4100003', { status: 'FAILED', finishedAt, coupaUrl: 'javascript:alert(1)' })],
    ['4100004', result('4100004', { status: 'NO_ATTACHMENTS', finishedAt })],
  ]);
  const report = buildReportRows(buildJobPlan(table), table, results);
  const file = path.join(scratch, 'report.xlsx');
  await writeReportXlsx(file, report);
  const out = await openSheet(file);
  const column = (name: string) => report.headers.indexOf(name) + 1;

  const fill = (row: number) => (out.getCell(row, column('STATUS')).fill as ExcelJS.FillPattern | undefined)?.fgColor?.argb;
  expect([2, 3, 4, 5].map(fill)).toEqual(['FFC6EFCE', 'FFFFEB9C', 'FFFFC7CE', undefined]);

  expect(out.getCell(2, column('DOWNLOAD_FOLDER')).value).toEqual({ text: '/runs/EU/France/PO4100001_COMPLETED', hyperlink: 'file:///runs/EU/France/PO4100001_COMPLETED' });
  expect(out.getCell(2, column('COUPA_URL')).value).toEqual({ text: 'http://127.0.0.1/order_headers/4100001', hyperlink: 'http://127.0.0.1/order_headers/4100001' });
  // Only a folder of this machine and a web page become links.
  expect(out.getCell(3, column('DOWNLOAD_FOLDER')).value).toBe('relative/PO4100002_PARTIAL');
  expect(out.getCell(4, column('COUPA_URL')).value).toBe('javascript:alert(1)');

  const processed = out.getCell(2, column('LAST_PROCESSED'));
  expect(processed.type).toBe(ExcelJS.ValueType.Date);
  expect(processed.value).toEqual(new Date(Date.UTC(2025, 2, 4, 5, 6, 7)));
  expect(processed.numFmt).toBe('yyyy-mm-dd hh:mm:ss');

  const again = await readXlsxInput(file);
  expect(again.rows.map((row) => row.values)).toEqual(report.rows.map((row) => row.map((cell) => (/^\d+$/.test(cell) ? String(Number(cell)) : cell))));
});

test('written through a temporary file: an existing report is replaced whole, a failed write is a ReportWriteError and leaves no temporary file', async () => {
  const file = path.join(scratch, 'nested', 'report.xlsx');
  await writeReportXlsx(file, { headers: ['PO_NUMBER'], rows: [['1']] });
  await writeReportXlsx(file, { headers: ['PO_NUMBER'], rows: [['2']] });
  expect((await openSheet(file)).getCell('A2').value).toBe(2);
  expect(fs.readdirSync(path.dirname(file))).toEqual(['report.xlsx']);

  const blocked = path.join(scratch, 'not-a-folder');
  fs.writeFileSync(blocked, '');
  const error = await writeReportXlsx(path.join(blocked, 'report.xlsx'), { headers: ['PO_NUMBER'], rows: [] }).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(ReportWriteError);
  expect((error as ReportWriteError).message).toMatch(/^Could not write the report .+report\.xlsx \((ENOTDIR|EEXIST)\)$/);

  // The rename fails after the temporary file was written: it is removed again.
  const occupied = path.join(scratch, 'occupied.xlsx');
  fs.mkdirSync(occupied);
  fs.writeFileSync(path.join(occupied, 'keep'), '');
  await expect(writeReportXlsx(occupied, { headers: ['PO_NUMBER'], rows: [['1']] })).rejects.toThrow(ReportWriteError);
  expect(fs.readdirSync(scratch).filter((f) => f.endsWith('.tmp'))).toEqual([]);
});
