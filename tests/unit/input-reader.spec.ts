import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { findColumn, InputError, readInputFile } from '../../support/input/input-reader.js';

const fixtures = path.resolve(import.meta.dirname, '../fixtures/input');
const fixture = (name: string) => path.join(fixtures, name);
const rowsOf = (file: string) => readInputFile(fixture(file)).rows.map((row) => [row.rowNumber, ...row.values]);

let scratch: string;
test.beforeEach(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'input-reader-'));
});
test.afterEach(() => {
  fs.rmSync(scratch, { recursive: true, force: true });
});

function catchInputError(action: () => unknown): InputError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return error as InputError;
  }
  throw new Error('expected an InputError');
}

test.describe('encodings and delimiters', () => {
  const cases: Array<{ file: string; encoding: string; delimiter: string; headers: string[]; rows: unknown[][] }> = [
    {
      file: 'utf8-bom.csv',
      encoding: 'utf-8-bom',
      delimiter: ',',
      headers: ['PO_NUMBER', 'Supplier Name', 'Note'],
      rows: [
        [2, 'PO4100001', 'Société Générale', 'café'],
        [3, 'PM4100002', 'Zürich AG', 'naïve'],
      ],
    },
    {
      file: 'utf8-plain.csv',
      encoding: 'utf-8',
      delimiter: ',',
      headers: ['po_number', 'Comment'],
      rows: [
        [2, '4100001', '日本語 ok'],
        [3, '  po 4100 002  ', ''],
      ],
    },
    {
      file: 'windows-1252.csv',
      encoding: 'windows-1252',
      delimiter: ';',
      headers: ['PO_NUMBER', 'Fournisseur', 'Montant'],
      rows: [
        [2, 'PO4100001', 'François & Fils', '100€'],
        [3, 'PO4100002', 'Café du Marché', '1,5'],
      ],
    },
    {
      file: 'semicolon.csv',
      encoding: 'utf-8',
      delimiter: ';',
      headers: ['Region', 'PO_NUMBER', 'Amount'],
      rows: [
        [2, 'EU', 'PO4100001', '1,50'],
        [3, 'EU', 'PO4100002', '2;5'],
      ],
    },
    {
      file: 'crlf-quoted.csv',
      encoding: 'utf-8',
      delimiter: ',',
      headers: ['PO_NUMBER', 'Description', 'Owner'],
      rows: [
        [2, 'PO4100001', 'Line one\r\nline two, with comma', 'Ann'],
        [3, 'PO4100002', 'He said "hi"', 'Bob'],
        [4, 'PO4100003', 'multi\nline LF', 'Cy'],
      ],
    },
  ];
  for (const expected of cases) {
    test(expected.file, () => {
      const table = readInputFile(fixture(expected.file));
      expect(table.format).toBe('csv');
      expect(table.encoding).toBe(expected.encoding);
      expect(table.delimiter).toBe(expected.delimiter);
      expect(table.headers).toEqual(expected.headers);
      expect(table.rows.map((row) => [row.rowNumber, ...row.values])).toEqual(expected.rows);
      expect(table.file).toBe(fixture(expected.file));
      expect(table.sha256).toBe(createHash('sha256').update(fs.readFileSync(fixture(expected.file))).digest('hex'));
    });
  }
});

test('ragged rows are padded, extra cells kept, blank rows skipped but counted', () => {
  expect(rowsOf('ragged.csv')).toEqual([
    [2, 'PO4100001', '', ''],
    [4, 'PO4100002', 'a', 'b', 'extra1', 'extra2'],
    [6, 'PO4100003', 'a', 'b'],
  ]);
});

test('header names are trimmed and duplicate names keep their own values', () => {
  const table = readInputFile(fixture('duplicate-headers.csv'));
  expect(table.headers).toEqual(['po_number', 'Note', 'Note']);
  expect(table.rows[0].values).toEqual(['PO4100001', 'first note', 'second note']);
});

test('a relative path is resolved and .txt is accepted', () => {
  const file = path.join(scratch, 'list.txt');
  fs.writeFileSync(file, 'PO_NUMBER\nPO4100001\n');
  const relative = path.relative(process.cwd(), file);
  expect(readInputFile(relative).file).toBe(file);
});

test('the delimiter is sniffed from the header line only', () => {
  const file = path.join(scratch, 'mixed.csv');
  fs.writeFileSync(file, 'PO_NUMBER,Note\nPO4100001,"a;b;c;d"\n');
  const table = readInputFile(file);
  expect(table.delimiter).toBe(',');
  expect(table.rows[0].values).toEqual(['PO4100001', 'a;b;c;d']);
});

test('a stray quote inside an unquoted cell is data', () => {
  const file = path.join(scratch, 'inch.csv');
  fs.writeFileSync(file, 'PO_NUMBER,Item\nPO4100001,12" pipe\n');
  expect(readInputFile(file).rows[0].values).toEqual(['PO4100001', '12" pipe']);
});

test.describe('findColumn', () => {
  const cases: Array<[headers: string[], name: string, index: number]> = [
    [['PO_NUMBER'], 'PO_NUMBER', 0],
    [['a', ' po_number '], 'PO_NUMBER', 1],
    [['Status', 'STATUS'], 'status', 0],
    [['PO NUMBER'], 'PO_NUMBER', -1],
    [[], 'PO_NUMBER', -1],
  ];
  for (const [headers, name, index] of cases) {
    test(`${JSON.stringify(headers)} / ${name} → ${index}`, () => {
      expect(findColumn(headers, name)).toBe(index);
    });
  }
});

test.describe('input errors name the file and say what to do', () => {
  test('missing file', () => {
    const file = path.join(scratch, 'nope.csv');
    const error = catchInputError(() => readInputFile(file));
    expect(error.message).toBe(`Input file not found: ${file}`);
    expect(error.advice).toContain('INPUT_CSV');
    expect(error.file).toBe(file);
  });

  test('missing file inside a path that is a file', () => {
    const parent = path.join(scratch, 'plain');
    fs.writeFileSync(parent, '');
    const error = catchInputError(() => readInputFile(path.join(parent, 'input.csv')));
    expect(error.message).toContain('Input file not found');
  });

  test('a directory', () => {
    const error = catchInputError(() => readInputFile(scratch));
    expect(error.message).toContain(`${scratch} is a directory`);
    expect(error.advice).toContain('INPUT_CSV');
  });

  test('an empty file', () => {
    const error = catchInputError(() => readInputFile(fixture('empty.csv')));
    expect(error.message).toContain(fixture('empty.csv'));
    expect(error.message).toContain('contains no PO rows');
  });

  test('a file of blank lines', () => {
    const file = path.join(scratch, 'blank.csv');
    fs.writeFileSync(file, '\r\n  \r\n');
    expect(catchInputError(() => readInputFile(file)).message).toContain('contains no PO rows');
  });

  test('header only', () => {
    const error = catchInputError(() => readInputFile(fixture('header-only.csv')));
    expect(error.message).toContain(fixture('header-only.csv'));
    expect(error.message).toContain('contains no PO rows');
  });

  test('header and rows of empty cells only', () => {
    const file = path.join(scratch, 'empty-cells.csv');
    fs.writeFileSync(file, 'Region;PO_NUMBER\n;\n;\n');
    expect(catchInputError(() => readInputFile(file)).message).toContain('contains no PO rows');
  });

  test('missing PO_NUMBER column lists the headers found', () => {
    const error = catchInputError(() => readInputFile(fixture('missing-column.csv')));
    expect(error.message).toContain(fixture('missing-column.csv'));
    expect(error.message).toContain('no PO_NUMBER column');
    expect(error.message).toContain('"Order", "Supplier"');
    expect(error.rowNumber).toBe(1);
  });

  test('unclosed quote names the line where the cell opened', () => {
    const error = catchInputError(() => readInputFile(fixture('unclosed-quote.csv')));
    expect(error.message).toContain(fixture('unclosed-quote.csv'));
    expect(error.message).toContain('opened on line 3 is never closed');
    expect(error.advice).toContain('line 3');
  });

  const unsupported: Array<[name: string, message: RegExp]> = [
    ['input.xlsx', /Excel workbook, which the CSV reader cannot read/],
    ['input.XLS', /Excel workbook/],
    ['input.json', /unsupported extension "\.json"/],
    ['input', /unsupported extension "\(none\)"/],
  ];
  for (const [name, message] of unsupported) {
    test(`unsupported extension: ${name}`, () => {
      const file = path.join(scratch, name);
      fs.writeFileSync(file, 'PO_NUMBER\nPO4100001\n');
      const error = catchInputError(() => readInputFile(file));
      expect(error.message).toMatch(message);
      expect(error.message).toContain(file);
      expect(error.advice).toMatch(/CSV/);
    });
  }

  test('UTF-16 text is refused instead of read as noise', () => {
    const file = path.join(scratch, 'unicode.txt');
    fs.writeFileSync(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('PO_NUMBER\r\nPO4100001\r\n', 'utf16le')]));
    expect(catchInputError(() => readInputFile(file)).message).toContain('UTF-16');
  });
});

test.describe('a UTF-8 file with a few bytes that are not UTF-8', () => {
  const utf8 = (text: string) => Buffer.from(text, 'utf8');
  const stray = Buffer.from([0xe9]);

  test('is read as UTF-8, not as Windows-1252, and the rows with the stray bytes are named', () => {
    const file = path.join(scratch, 'mostly-utf8.csv');
    fs.writeFileSync(
      file,
      Buffer.concat([utf8('PO_NUMBER;Note;<|>;Supplier\r\nPO4100001;a;;Müller GmbH\r\nPO4100002;Caf'), stray, utf8(';;Søren\r\nPO4100003;"two\r\nlines";;Ærø\r\nPO4100004;x'), stray, utf8(';;y\r\n')]),
    );
    const table = readInputFile(file);
    expect(table.encoding).toBe('utf-8');
    expect(table.rows.map((row) => row.values[3])).toEqual(['Müller GmbH', 'Søren', 'Ærø', 'y']);
    expect(table.rows[1]!.values[1]).toBe('Caf\ufffd');
    expect(table.warnings).toEqual([
      `Input file ${file} is UTF-8 except for rows 3, 5, which have bytes that are not valid UTF-8; they read as "\ufffd". ` +
        'Check rows 3, 5 (the rest of the file is read as it is), and save the file again as "CSV UTF-8".',
    ]);
  });

  test('with a BOM the file is UTF-8 whatever the bytes, and a stray byte is named too', () => {
    const file = path.join(scratch, 'bom.csv');
    fs.writeFileSync(file, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8('PO_NUMBER,Note\nPO4100001,'), stray, utf8('\n')]));
    const table = readInputFile(file);
    expect(table.encoding).toBe('utf-8-bom');
    expect(table.warnings).toEqual([expect.stringContaining('UTF-8 except for row 2, which has bytes')]);
  });

  test('a Windows-1252 file stays Windows-1252, without a warning', () => {
    const file = path.join(scratch, 'legacy.csv');
    fs.writeFileSync(file, Buffer.from('PO_NUMBER;Supplier\r\nPO4100001;M\xfcller & S\xf6hne\r\nPO4100002;Caf\xe9\r\n', 'latin1'));
    const table = readInputFile(file);
    expect(table.encoding).toBe('windows-1252');
    expect(table.rows.map((row) => row.values[1])).toEqual(['Müller & Söhne', 'Café']);
    expect(table.warnings).toEqual([]);
    expect(readInputFile(fixture('utf8-plain.csv')).warnings).toEqual([]);
  });
});

test('two PO_NUMBER columns stop the run, naming the file and both columns', () => {
  const file = path.join(scratch, 'twice.csv');
  fs.writeFileSync(file, 'po_number;Supplier;PO_NUMBER \r\nPO4100001;Acme;PO4100002\r\n');
  const error = catchInputError(() => readInputFile(file));
  expect(error.message).toBe(`Input file ${file} has 2 PO_NUMBER columns, A ("po_number") and C ("PO_NUMBER"): it is not clear which one holds the PO numbers`);
  expect(error.advice).toContain('Keep one PO_NUMBER column');
  expect(error.rowNumber).toBe(1);
});
