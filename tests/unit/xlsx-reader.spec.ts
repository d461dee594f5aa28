import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import CFB from 'cfb';
import ExcelJS from 'exceljs';
import { InputError } from '../../support/input/input-reader.js';
import { buildJobPlan } from '../../support/input/job-plan.js';
import { readInput } from '../../support/input/read-input.js';
import { readXlsxInput } from '../../support/input/xlsx-reader.js';
import { handMadeZip } from './helpers-input/hand-made-zip.js';

const csvFixture = (name: string) => path.resolve(import.meta.dirname, '../fixtures/input', name);

let scratch: string;
test.beforeEach(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'xlsx-reader-'));
});
test.afterEach(() => {
  fs.rmSync(scratch, { recursive: true, force: true });
});

type Rows = ExcelJS.CellValue[][];

/** A workbook written by exceljs, which stores cells the way Excel does (shared strings, cached formula results, date serials). */
async function workbook(name: string, sheets: Record<string, Rows>, decorate?: (workbook: ExcelJS.Workbook) => void): Promise<string> {
  const book = new ExcelJS.Workbook();
  for (const [sheetName, rows] of Object.entries(sheets)) {
    const sheet = book.addWorksheet(sheetName);
    rows.forEach((row, index) => {
      if (row.length > 0) sheet.getRow(index + 1).values = row;
    });
  }
  decorate?.(book);
  const file = path.join(scratch, name);
  await book.xlsx.writeFile(file);
  return file;
}

async function inputError(action: Promise<unknown>): Promise<InputError> {
  try {
    await action;
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return error as InputError;
  }
  throw new Error('expected an InputError');
}

test('cells read as the operator sees them; Excel row numbers; blank rows skipped but counted', async () => {
  const file = await workbook(
    'pos.xlsx',
    {
      Notes: [['read me']],
      po_data: [
        ['  PO_NUMBER ', 'Amount', 'Ordered', 'Doubled', 'Label', 'Supplier', 'Link', 'Approved', 'Check'],
        [4100001, 12.5, new Date(Date.UTC(2024, 2, 5)), { formula: 'A2*2', result: 8200002 }, { formula: 'CONCAT("PO","1")', result: 'PO1' }, { richText: [{ text: 'Müller ' }, { text: '& Söhne', font: { bold: true } }] }, { text: 'open in Coupa', hyperlink: 'https://coupa.example/order_headers/1' }, true, { error: '#N/A' }],
        [],
        [15262984, 0.1 + 0.2, new Date(Date.UTC(2024, 2, 5, 13, 45, 10)), { formula: 'A4*2' }, 'PM 15262984', '', '', false, 1e-7],
        ['', '', '', '', '', ''],
        [123456789012345680, 1e21, null, null, null, null, null, null, null, 'beyond the headers'],
      ],
    },
  );
  const table = await readXlsxInput(file);
  expect(table).toMatchObject({ file, format: 'xlsx', encoding: 'utf-8', delimiter: ',' });
  expect(table.sha256).toBe(createHash('sha256').update(fs.readFileSync(file)).digest('hex'));
  expect(table.headers).toEqual(['PO_NUMBER', 'Amount', 'Ordered', 'Doubled', 'Label', 'Supplier', 'Link', 'Approved', 'Check']);
  expect(table.rows).toEqual([
    { rowNumber: 2, values: ['4100001', '12.5', '2024-03-05', '8200002', 'PO1', 'Müller & Söhne', 'open in Coupa', 'TRUE', '#N/A'] },
    { rowNumber: 4, values: ['15262984', '0.3', '2024-03-05 13:45:10', '', 'PM 15262984', '', '', 'FALSE', '0.0000001'] },
    { rowNumber: 6, values: ['123456789012345680', '1000000000000000000000', '', '', '', '', '', '', '', 'beyond the headers'] },
  ]);
});

test('shared formulas give their cached results; a merged range shows its value once', async () => {
  const file = await workbook('shared.xlsx', { PO_Data: [['PO_NUMBER', 'Twice', 'Region', 'Country']] }, (book) => {
    const sheet = book.getWorksheet('PO_Data')!;
    sheet.getCell('A2').value = 4100001;
    sheet.getCell('A3').value = 4100002;
    sheet.getCell('B2').value = { formula: 'A2*2', result: 8200002, shareType: 'shared', ref: 'B2:B3' } as ExcelJS.CellValue;
    sheet.getCell('B3').value = { sharedFormula: 'B2', result: 8200004 } as ExcelJS.CellValue;
    sheet.getCell('C2').value = 'EU';
    sheet.mergeCells('C2:D3');
  });
  const table = await readXlsxInput(file);
  expect(table.rows).toEqual([
    { rowNumber: 2, values: ['4100001', '8200002', 'EU', ''] },
    { rowNumber: 3, values: ['4100002', '8200004', '', ''] },
  ]);
});

test('the job plan works on a workbook as on a CSV: numeric PO cells, hierarchy columns, COMPLETED rows skipped', async () => {
  const file = await workbook('plan.xlsx', {
    PO_Data: [
      ['PO_NUMBER', 'Buyer', '<|>', 'Region', 'Country', 'STATUS'],
      [4100001, 'ann', null, 'EU', 'France'],
      ['pm 4100002', 'bob', null, 'US', null, 'completed'],
      ['PO4100003', 'cy', null, 'APAC', 'Japan'],
      [41, 'dan'],
    ],
  });
  const plan = buildJobPlan(await readXlsxInput(file));
  expect(plan.pos.map((po) => [po.title, po.rowNumbers, po.hierarchy])).toEqual([
    ['PO4100001', [2], ['EU', 'France']],
    ['PO4100003', [4], ['APAC', 'Japan']],
  ]);
  expect(plan.completedRows).toEqual([3]);
  expect(plan.invalidRows.map((row) => row.rowNumber)).toEqual([5]);
});

test.describe('workbooks the job cannot use stop the run with a message naming the file', () => {
  test('no PO_Data sheet: the sheets it has are listed', async () => {
    const file = await workbook('other.xlsx', { Sheet1: [['PO_NUMBER'], [4100001]], 'Bestellungen 2024': [['x']] });
    const error = await inputError(readXlsxInput(file));
    expect(error.message).toBe(`Workbook ${file} has no sheet named PO_Data (sheets found: "Sheet1", "Bestellungen 2024")`);
    expect(error.advice).toContain('Rename the sheet');
  });

  test('an empty sheet, and a sheet with only the header row', async () => {
    const empty = await workbook('empty.xlsx', { PO_Data: [] });
    expect((await inputError(readXlsxInput(empty))).message).toBe(`Sheet PO_Data of ${empty} is empty: it contains no PO rows`);
    const headerOnly = await workbook('header.xlsx', { PO_Data: [['PO_NUMBER', 'Comment'], [], ['', '  ']] });
    expect((await inputError(readXlsxInput(headerOnly))).message).toBe(`Sheet PO_Data of ${headerOnly} contains no PO rows (only the header row)`);
  });

  test('no PO_NUMBER column is found by the job plan, as for CSV', async () => {
    const file = await workbook('nocolumn.xlsx', { PO_Data: [['Order', 'Comment'], [4100001, 'x']] });
    const table = await readXlsxInput(file);
    const error = (() => {
      try {
        buildJobPlan(table);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toBe(`Input file ${file} has no PO_NUMBER column (columns found: "Order", "Comment")`);
  });

  test('two PO_NUMBER columns: the file and both columns are named', async () => {
    const file = await workbook('twice.xlsx', { PO_Data: [['PO_NUMBER', 'Supplier', 'Comment', ' po_number'], [4100001, 'x', '', 4100002]] });
    const table = await readXlsxInput(file);
    expect(() => buildJobPlan(table)).toThrow(`Input file ${file} has 2 PO_NUMBER columns, A ("PO_NUMBER") and D ("po_number"): it is not clear which one holds the PO numbers`);
  });

  test('a workbook that unpacks to more than 32 MB is refused before it is loaded, whatever its table of contents claims', async () => {
    const sheet = Buffer.alloc(40 * 1024 * 1024, ' ');
    const huge = path.join(scratch, 'huge.xlsx');
    fs.writeFileSync(huge, handMadeZip([{ name: '[Content_Types].xml', data: Buffer.from('<Types/>') }, { name: 'xl/worksheets/sheet1.xml', data: sheet }]));
    expect(fs.statSync(huge).size, 'a small file').toBeLessThan(100_000);
    const refused = await inputError(readXlsxInput(huge));
    expect(refused.message).toBe(`Workbook ${huge} unpacks to 40 MB; workbooks that unpack to more than 32 MB are not loaded (they would take gigabytes of memory)`);
    expect(refused.advice).toContain('CSV UTF-8');

    const lying = path.join(scratch, 'lying.xlsx');
    fs.writeFileSync(lying, handMadeZip([{ name: 'xl/worksheets/sheet1.xml', data: sheet, declaredSize: 1_000 }]));
    expect((await inputError(readXlsxInput(lying))).message).toBe(
      `Workbook ${lying} unpacks to more than its own table of contents declares; workbooks that unpack to more than 32 MB are not loaded (they would take gigabytes of memory)`,
    );

    const zip64 = path.join(scratch, 'zip64.xlsx');
    fs.writeFileSync(zip64, handMadeZip([{ name: 'xl/worksheets/sheet1.xml', data: sheet, zip64: true }]));
    expect((await inputError(readXlsxInput(zip64))).message).toContain('unpacks to 40 MB');
  });

  test('password-protected, old .xls, damaged, missing, a folder', async () => {
    const ole = (streams: string[]) => {
      const container = CFB.utils.cfb_new();
      for (const name of streams) CFB.utils.cfb_add(container, `/${name}`, Buffer.alloc(5000, 1));
      return CFB.write(container, { type: 'buffer' }) as Buffer;
    };
    const encrypted = path.join(scratch, 'locked.xlsx');
    fs.writeFileSync(encrypted, ole(['EncryptionInfo', 'EncryptedPackage']));
    const locked = await inputError(readXlsxInput(encrypted));
    expect(locked.message).toBe(`Workbook ${encrypted} is password-protected, so it cannot be read`);
    expect(locked.advice).toContain('remove the password');

    const legacy = path.join(scratch, 'old.xlsx');
    fs.writeFileSync(legacy, ole(['Workbook']));
    expect((await inputError(readXlsxInput(legacy))).message).toContain('is an old-format Excel file (.xls)');

    const damaged = path.join(scratch, 'damaged.xlsx');
    const good = fs.readFileSync(await workbook('good.xlsx', { PO_Data: [['PO_NUMBER'], [4100001]] }));
    fs.writeFileSync(damaged, good.subarray(0, Math.floor(good.length / 2)));
    const broken = await inputError(readXlsxInput(damaged));
    expect(broken.message).toMatch(new RegExp(`^Input file ${damaged.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} cannot be read as an Excel workbook \\(.+\\)$`));
    expect(broken.advice).toContain('save it again');

    const missing = path.join(scratch, 'missing.xlsx');
    expect((await inputError(readXlsxInput(missing))).message).toBe(`Input file not found: ${missing}`);
    const folder = path.join(scratch, 'folder.xlsx');
    fs.mkdirSync(folder);
    expect((await inputError(readXlsxInput(folder))).message).toBe(`Input path ${folder} is a directory, not a file`);
  });
});

test('readInput picks the reader by extension and names the supported formats otherwise', async () => {
  const xlsx = await workbook('Input.XLSX', { PO_Data: [['PO_NUMBER'], [4100001]] });
  expect((await readInput(xlsx)).format).toBe('xlsx');
  expect(await readInput(csvFixture('utf8-bom.csv'))).toMatchObject({ format: 'csv', encoding: 'utf-8-bom' });
  const txt = path.join(scratch, 'list.TXT');
  fs.copyFileSync(csvFixture('utf8-plain.csv'), txt);
  expect((await readInput(txt)).format).toBe('csv');

  for (const [name, advice] of [
    ['list.xls', 'Excel Workbook (*.xlsx)'],
    ['list.xlsm', 'Excel Workbook (*.xlsx)'],
    ['list.ods', 'Save the PO list as .xlsx'],
    ['list', 'Save the PO list as .xlsx'],
  ] as const) {
    const file = path.join(scratch, name);
    fs.writeFileSync(file, 'PO_NUMBER\n4100001\n');
    const error = await inputError(readInput(file));
    expect(error.message).toContain('CSV (.csv, .txt) and Excel (.xlsx) are supported');
    expect(error.advice, name).toContain(advice);
  }
});
