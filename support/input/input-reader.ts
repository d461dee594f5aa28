import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import { OperatorError } from '../shared/operator-error.js';

export type InputEncoding = 'utf-8' | 'utf-8-bom' | 'windows-1252';
export type InputDelimiter = ',' | ';';

export interface InputRow {
  /** Spreadsheet row: the header is row 1, the first data row is 2 (a quoted multi-line cell stays one row). */
  rowNumber: number;
  /** Aligned with `headers`; missing cells are ''. Cells beyond the last header are kept at the end. */
  values: string[];
}

export interface InputTable {
  file: string;
  format: 'csv' | 'xlsx';
  encoding: InputEncoding;
  delimiter: InputDelimiter;
  headers: string[];
  rows: InputRow[];
  /** Of the raw bytes, so a resumed run can tell whether the input changed. */
  sha256: string;
  /** What the operator should know but that does not stop the run, each naming the file and rows. */
  warnings: string[];
}

export const PO_NUMBER_COLUMN = 'PO_NUMBER';

export class InputError extends OperatorError {
  readonly file: string;
  readonly rowNumber: number | undefined;

  constructor(message: string, details: { file: string; rowNumber?: number; advice: string; cause?: unknown }) {
    super(message, details.advice, { cause: details.cause });
    this.file = details.file;
    this.rowNumber = details.rowNumber;
  }
}

const SUPPORTED_EXTENSIONS = new Set(['.csv', '.txt']);
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const REPLACEMENT = '\ufffd';

/** Index of the first header equal to `name`, ignoring case and surrounding spaces; -1 when absent. */
export function findColumn(headers: readonly string[], name: string): number {
  const wanted = name.trim().toUpperCase();
  return headers.findIndex((header) => header.trim().toUpperCase() === wanted);
}

/** `A`, `B`, … `Z`, `AA`: the column as Excel names it. */
function columnLetter(index: number): string {
  let letters = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  return letters;
}

/** The one PO_NUMBER column; none, or two of them (which would be a guess), stop the run. */
export function poNumberColumn(headers: readonly string[], file: string): number {
  const matches = headers.flatMap((header, index) => (header.trim().toUpperCase() === PO_NUMBER_COLUMN ? [index] : []));
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) {
    const named = matches.map((index) => `${columnLetter(index)} ("${headers[index]}")`).join(' and ');
    throw new InputError(`Input file ${file} has ${matches.length} ${PO_NUMBER_COLUMN} columns, ${named}: it is not clear which one holds the PO numbers`, {
      file,
      rowNumber: 1,
      advice: `Keep one ${PO_NUMBER_COLUMN} column: rename or delete the others in the first row.`,
    });
  }
  const found = headers.filter((header) => header !== '').map((header) => `"${header}"`);
  throw new InputError(`Input file ${file} has no ${PO_NUMBER_COLUMN} column (columns found: ${found.length ? found.join(', ') : 'none'})`, {
    file,
    rowNumber: 1,
    advice: `Name the column holding the PO numbers ${PO_NUMBER_COLUMN} in the first row (any case).`,
  });
}

/**
 * Reads the operator's input sheet. Synchronous because Playwright loads the job's spec
 * file (which generates one test per PO) synchronously, in the runner and in every worker.
 */
export function readInputFile(file: string): InputTable {
  const absolute = path.resolve(file);
  checkIsFile(absolute);
  checkExtension(absolute);
  const bytes = readBytes(absolute);
  const { text, encoding, damaged } = decode(bytes, absolute);

  if (text.trim() === '') {
    throw new InputError(`Input file ${absolute} is empty: it contains no PO rows`, {
      file: absolute,
      advice: `Put a header row with a ${PO_NUMBER_COLUMN} column and one PO number per row in it.`,
    });
  }

  const delimiter = sniffDelimiter(text);
  const records = parseRecords(text, delimiter, absolute);
  const headers = (records[0] ?? []).map((header) => header.trim());

  poNumberColumn(headers, absolute);

  const rows: InputRow[] = [];
  records.slice(1).forEach((record, index) => {
    // Blank lines and rows of empty cells (`;;;` from Excel) are not rows an operator meant,
    // but they still occupy a spreadsheet row, so numbering counts them.
    if (record.every((cell) => cell.trim() === '')) return;
    const values = record.length >= headers.length ? record : [...record, ...Array<string>(headers.length - record.length).fill('')];
    rows.push({ rowNumber: index + 2, values });
  });

  if (rows.length === 0) {
    throw new InputError(`Input file ${absolute} contains no PO rows (only the header row)`, {
      file: absolute,
      advice: `Add one PO number per row under the ${PO_NUMBER_COLUMN} header.`,
    });
  }

  return {
    file: absolute,
    format: 'csv',
    encoding,
    delimiter,
    headers,
    rows,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    warnings: damaged ? [damagedBytesWarning(absolute, records)] : [],
  };
}

/** Which spreadsheet rows hold the bytes that were not UTF-8 (shown as U+FFFD); the header is row 1. */
function damagedBytesWarning(file: string, records: string[][]): string {
  const rows = records.flatMap((record, index) => (record.some((cell) => cell.includes(REPLACEMENT)) ? [index + 1] : []));
  const where = rows.length === 1 ? `row ${rows[0]}` : `rows ${rows.join(', ')}`;
  return (
    `Input file ${file} is UTF-8 except for ${where}, which ${rows.length === 1 ? 'has' : 'have'} bytes that are not valid UTF-8; ` +
    `they read as "${REPLACEMENT}". Check ${where} (the rest of the file is read as it is), and save the file again as "CSV UTF-8".`
  );
}

export function checkIsFile(file: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (error) {
    if (isErrno(error, 'ENOENT') || isErrno(error, 'ENOTDIR')) {
      throw new InputError(`Input file not found: ${file}`, {
        file,
        advice: 'Set INPUT_CSV (in .env or the environment) to the path of your PO list, or put the file at that path.',
        cause: error,
      });
    }
    throw unreadable(file, error);
  }
  if (stat.isDirectory()) {
    throw new InputError(`Input path ${file} is a directory, not a file`, {
      file,
      advice: 'Set INPUT_CSV to the CSV file itself, not the folder that contains it.',
    });
  }
}

export function readBytes(file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (error) {
    throw unreadable(file, error);
  }
}

function unreadable(file: string, error: unknown): InputError {
  const code = error instanceof Error && 'code' in error ? ` (${String(error.code)})` : '';
  return new InputError(`Input file ${file} cannot be read${code}`, {
    file,
    advice: 'Check that your user may read the file and that no other program (Excel) has it locked; close it and retry.',
    cause: error,
  });
}

function checkExtension(file: string): void {
  const extension = path.extname(file).toLowerCase();
  if (SUPPORTED_EXTENSIONS.has(extension)) return;
  const excel = extension === '.xlsx' || extension === '.xls' || extension === '.xlsm';
  throw new InputError(
    excel
      ? `Input file ${file} is an Excel workbook, which the CSV reader cannot read`
      : `Input file ${file} has the unsupported extension "${extension || '(none)'}"; expected .csv or .txt`,
    {
      file,
      advice: excel
        ? `Workbooks are read from .xlsx files with a ${PO_NUMBER_COLUMN} column on sheet PO_Data; save other Excel formats as "Excel Workbook (*.xlsx)" or "CSV UTF-8 (Comma delimited)".`
        : 'Export the PO list as CSV (.csv) and point INPUT_CSV at it.',
    },
  );
}

function decode(bytes: Buffer, file: string): { text: string; encoding: InputEncoding; damaged: boolean } {
  const bom = bytes.subarray(0, 3).equals(UTF8_BOM);
  // Excel's "Unicode Text" export; decoding it as Windows-1252 would turn every header into noise.
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
    throw new InputError(`Input file ${file} is UTF-16 encoded, which is not supported`, {
      file,
      advice: 'In Excel use File > Save As > "CSV UTF-8 (Comma delimited)".',
    });
  }
  const body = bom ? bytes.subarray(3) : bytes;
  const encoding = bom ? 'utf-8-bom' : 'utf-8';
  const utf8 = strictUtf8(body);
  if (utf8 !== undefined) return { text: utf8, encoding, damaged: false };
  // Not valid UTF-8: Excel's legacy "CSV (Comma delimited)" export on Western Windows, unless
  // the file says it is UTF-8 (BOM) or is UTF-8 text (accented letters as UTF-8) with a few
  // stray bytes, which read as Windows-1252 would turn every "Müller" into "MÃ¼ller".
  const lenient = new TextDecoder('utf-8', { ignoreBOM: true }).decode(body);
  const stray = lenient.split(REPLACEMENT).length - 1;
  const multiByte = (lenient.match(/[^\u0000-\u007f\ufffd]/gu) ?? []).length;
  if (bom || (multiByte > 0 && multiByte >= stray)) return { text: lenient, encoding, damaged: true };
  return { text: iconv.decode(bytes, 'windows-1252'), encoding: 'windows-1252', damaged: false };
}

function strictUtf8(bytes: Buffer): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/** European Excel writes `;` because `,` is its decimal separator; the header line decides. */
function sniffDelimiter(text: string): InputDelimiter {
  const headerLine = text.split(/\r\n|\n|\r/, 1)[0];
  const count = (character: string) => headerLine.split(character).length - 1;
  return count(';') > count(',') ? ';' : ',';
}

function parseRecords(text: string, delimiter: InputDelimiter, file: string): string[][] {
  let lastCompleteLine = 0;
  try {
    return parse(text, {
      delimiter,
      relax_column_count: true,
      // A stray `"` inside an unquoted cell (12" pipe) is data, not a syntax error.
      relax_quotes: true,
      skip_empty_lines: false,
      on_record: (record: string[], context) => {
        lastCompleteLine = context.lines;
        return record;
      },
    }) as string[][];
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? String(error.code) : '';
    const startLine = lastCompleteLine + 1;
    const problem =
      code === 'CSV_QUOTE_NOT_CLOSED'
        ? `a quoted cell opened on line ${startLine} is never closed`
        : `it is not valid CSV near line ${startLine} (${error instanceof Error ? error.message : String(error)})`;
    throw new InputError(`Input file ${file} cannot be parsed: ${problem}`, {
      file,
      advice: `Open ${path.basename(file)} in a text editor, fix the quotes around line ${startLine}, or re-export it from Excel.`,
      cause: error,
    });
  }
}

function isErrno(error: unknown, code: string): boolean {
  return error instanceof Error && 'code' in error && error.code === code;
}
