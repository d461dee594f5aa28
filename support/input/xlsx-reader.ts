import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type ExcelJS from 'exceljs';
import { checkCompoundFile } from '../shared/compound-file-check.js';
import { inflatesWithin, readZipDirectory, ZipStructureError, type ZipEntry } from '../shared/zip-entries.js';
import { InputError, PO_NUMBER_COLUMN, type InputRow, type InputTable } from './input-reader.js';

/** The sheet operators keep their PO list in (matched ignoring case). */
export const PO_SHEET = 'PO_Data';

const OLE_SIGNATURE = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
/**
 * exceljs holds a workbook's unpacked XML many times over (about 25 times: 27 MB of sheet
 * XML, 100,000 rows of five columns, take 700 MB), so a small file that unpacks to much
 * more is refused before it is loaded. A longer list fits in a CSV file.
 */
export const MAX_UNPACKED_BYTES = 32 * 1024 * 1024;

/**
 * Reads the `PO_Data` sheet of an Excel workbook into the same table the CSV reader
 * makes: header row 1 (trimmed), one row per non-blank Excel row numbered as Excel
 * numbers it, every cell as the text the operator sees. Whether a PO_NUMBER column exists
 * is the job plan's check, as for CSV input.
 */
export async function readXlsxInput(file: string): Promise<InputTable> {
  const absolute = path.resolve(file);
  const bytes = readBytes(absolute);
  const sheets = (await loadWorkbook(bytes, absolute)).worksheets;
  const worksheet = sheets.find((candidate) => candidate.name.trim().toLowerCase() === PO_SHEET.toLowerCase());
  if (!worksheet) {
    const names = sheets.map((candidate) => `"${candidate.name}"`);
    throw new InputError(`Workbook ${absolute} has no sheet named ${PO_SHEET} (sheets found: ${names.length ? names.join(', ') : 'none'})`, {
      file: absolute,
      advice: `Rename the sheet that holds the PO list to ${PO_SHEET}, or copy the list into a sheet of that name.`,
    });
  }

  const cellsOf = (rowNumber: number): string[] => {
    const row = worksheet.getRow(rowNumber);
    const cells: string[] = [];
    for (let column = 1; column <= row.cellCount; column++) {
      const cell = row.getCell(column);
      // A merged range shows its value once, in its top-left cell.
      cells.push(cell.isMerged && cell.master !== cell ? '' : cellText(cell.value));
    }
    while (cells.length > 0 && cells[cells.length - 1]!.trim() === '') cells.pop();
    return cells;
  };

  const headers = worksheet.rowCount >= 1 ? cellsOf(1).map((header) => header.trim()) : [];
  if (headers.length === 0) {
    throw new InputError(`Sheet ${PO_SHEET} of ${absolute} is empty: it contains no PO rows`, {
      file: absolute,
      advice: `Put a header row with a ${PO_NUMBER_COLUMN} column in row 1 of ${PO_SHEET} and one PO number per row below it.`,
    });
  }

  const rows: InputRow[] = [];
  for (let rowNumber = 2; rowNumber <= worksheet.rowCount; rowNumber++) {
    const cells = cellsOf(rowNumber);
    if (cells.length === 0) continue;
    const values = cells.length >= headers.length ? cells : [...cells, ...Array<string>(headers.length - cells.length).fill('')];
    rows.push({ rowNumber, values });
  }
  if (rows.length === 0) {
    throw new InputError(`Sheet ${PO_SHEET} of ${absolute} contains no PO rows (only the header row)`, {
      file: absolute,
      advice: `Add one PO number per row under the ${PO_NUMBER_COLUMN} header.`,
    });
  }

  return {
    file: absolute,
    format: 'xlsx',
    // A workbook's text is Unicode and has no delimiter; these are what a CSV report of it uses.
    encoding: 'utf-8',
    delimiter: ',',
    headers,
    rows,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    warnings: [],
  };
}

function readBytes(file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? String(error.code) : '';
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new InputError(`Input file not found: ${file}`, {
        file,
        advice: 'Set INPUT_CSV (in .env or the environment) to the path of your PO list, or put the file at that path.',
        cause: error,
      });
    }
    if (code === 'EISDIR') {
      throw new InputError(`Input path ${file} is a directory, not a file`, { file, advice: 'Set INPUT_CSV to the workbook itself, not the folder that contains it.' });
    }
    throw new InputError(`Input file ${file} cannot be read${code ? ` (${code})` : ''}`, {
      file,
      advice: 'Check that your user may read the file and that no other program (Excel) has it locked; close it and retry.',
      cause: error,
    });
  }
}

async function loadWorkbook(bytes: Buffer, file: string): Promise<ExcelJS.Workbook> {
  // An .xlsx is a zip; Excel wraps a password-protected one in an OLE compound file.
  if (bytes.subarray(0, OLE_SIGNATURE.length).equals(OLE_SIGNATURE)) {
    const structure = checkCompoundFile(bytes);
    if (structure.ok && structure.rootNames.includes('EncryptedPackage')) {
      throw new InputError(`Workbook ${file} is password-protected, so it cannot be read`, {
        file,
        advice: 'Open it in Excel, remove the password (File > Info > Protect Workbook > Encrypt with Password, clear it) and save it, or save an unprotected copy.',
      });
    }
    throw new InputError(`Input file ${file} is an old-format Excel file (.xls) or another Office document, not an .xlsx workbook`, {
      file,
      advice: 'Open it in Excel and use File > Save As > "Excel Workbook (*.xlsx)".',
    });
  }
  checkUnpackedSize(bytes, file);
  // Loaded only for an Excel input: exceljs costs ~0.3 CPU-s to load, in every process that imports it.
  const { default: Excel } = await import('exceljs');
  const workbook = new Excel.Workbook();
  try {
    // exceljs types its Buffer parameter as an ArrayBuffer; at run time it takes Node's Buffer.
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch (error) {
    throw new InputError(`Input file ${file} cannot be read as an Excel workbook (${error instanceof Error ? error.message : String(error)})`, {
      file,
      advice: 'The file is damaged or is not an .xlsx workbook. Open it in Excel and save it again as "Excel Workbook (*.xlsx)", or export the list as CSV.',
      cause: error,
    });
  }
  return workbook;
}

/** Sizes from the zip's central directory first; then each entry must really unpack to no more than it declares. */
function checkUnpackedSize(bytes: Buffer, file: string): void {
  let entries: ZipEntry[];
  let honest: boolean;
  try {
    entries = readZipDirectory(bytes);
    const declared = entries.reduce((total, entry) => total + entry.uncompressedSize, 0);
    if (declared > MAX_UNPACKED_BYTES) throw tooLarge(file, `unpacks to ${megabytes(declared)}`);
    honest = entries.every((entry) => inflatesWithin(bytes, entry, entry.uncompressedSize));
  } catch (error) {
    if (!(error instanceof ZipStructureError)) throw error;
    throw new InputError(`Input file ${file} cannot be read as an Excel workbook (${error.message})`, {
      file,
      advice: 'The file is damaged or is not an .xlsx workbook. Open it in Excel and save it again as "Excel Workbook (*.xlsx)", or export the list as CSV.',
      cause: error,
    });
  }
  if (!honest) throw tooLarge(file, 'unpacks to more than its own table of contents declares');
}

function tooLarge(file: string, what: string): InputError {
  return new InputError(`Workbook ${file} ${what}; workbooks that unpack to more than ${megabytes(MAX_UNPACKED_BYTES)} are not loaded (they would take gigabytes of memory)`, {
    file,
    advice: `If the PO list really is that long, save sheet ${PO_SHEET} as "CSV UTF-8 (Comma delimited)" and point INPUT_CSV at the .csv file; otherwise the workbook is damaged or not what it seems: open it in Excel and save it again.`,
  });
}

const megabytes = (bytes: number) => `${Math.round(bytes / (1024 * 1024))} MB`;

/**
 * A cell as the operator reads it: whole numbers in full (no `.0`, no `1.5E+7`), other
 * numbers to Excel's 15 significant digits, dates as ISO `YYYY-MM-DD` (with the time when
 * there is one), formulas as their last computed value, rich text and links as their text.
 */
export function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return numberText(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) return dateText(value);
  if ('richText' in value) return value.richText.map((run) => run.text).join('');
  if ('error' in value) return value.error;
  if ('hyperlink' in value) return cellText(value.text as ExcelJS.CellValue);
  if ('formula' in value || 'sharedFormula' in value) return cellText(value.result);
  return '';
}

function numberText(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return BigInt(value).toString();
  const shown = Number(value.toPrecision(15));
  const text = String(shown);
  return text.includes('e') ? shown.toFixed(20).replace(/\.?0+$/, '') : text;
}

/** exceljs gives dates as UTC instants that carry the wall-clock time Excel shows. */
function dateText(date: Date): string {
  if (Number.isNaN(date.getTime())) return '';
  const iso = date.toISOString();
  const time = iso.slice(11, 19);
  return time === '00:00:00' ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${time}`;
}
