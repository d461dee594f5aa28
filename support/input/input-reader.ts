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

/** Index of the first header equal to `name`, ignoring case and surrounding spaces; -1 when absent. */
export function findColumn(headers: readonly string[], name: string): number {
  const wanted = name.trim().toUpperCase();
  return headers.findIndex((header) => header.trim().toUpperCase() === wanted);
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
  const { text, encoding } = decode(bytes, absolute);

  if (text.trim() === '') {
    throw new InputError(`Input file ${absolute} is empty: it contains no PO rows`, {
      file: absolute,
      advice: `Put a header row with a ${PO_NUMBER_COLUMN} column and one PO number per row in it.`,
    });
  }

  const delimiter = sniffDelimiter(text);
  const records = parseRecords(text, delimiter, absolute);
  const headers = (records[0] ?? []).map((header) => header.trim());

  if (findColumn(headers, PO_NUMBER_COLUMN) < 0) {
    const found = headers.filter((header) => header !== '').map((header) => `"${header}"`);
    throw new InputError(
      `Input file ${absolute} has no ${PO_NUMBER_COLUMN} column (columns found: ${found.length ? found.join(', ') : 'none'})`,
      {
        file: absolute,
        rowNumber: 1,
        advice: `Name the column holding the PO numbers ${PO_NUMBER_COLUMN} in the first row (any case).`,
      },
    );
  }

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
  };
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

function decode(bytes: Buffer, file: string): { text: string; encoding: InputEncoding } {
  if (bytes.subarray(0, 3).equals(UTF8_BOM)) {
    return { text: bytes.subarray(3).toString('utf8'), encoding: 'utf-8-bom' };
  }
  // Excel's "Unicode Text" export; decoding it as Windows-1252 would turn every header into noise.
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
    throw new InputError(`Input file ${file} is UTF-16 encoded, which is not supported`, {
      file,
      advice: 'In Excel use File > Save As > "CSV UTF-8 (Comma delimited)".',
    });
  }
  const utf8 = strictUtf8(bytes);
  if (utf8 !== undefined) return { text: utf8, encoding: 'utf-8' };
  // Not valid UTF-8: Excel's legacy "CSV (Comma delimited)" export on Western Windows.
  return { text: iconv.decode(bytes, 'windows-1252'), encoding: 'windows-1252' };
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
