import crypto from 'node:crypto';
import path from 'node:path';
import { checkIsFile, InputError, readBytes, readInputFile, type InputTable } from './input-reader.js';
import { noticeOnce } from '../shared/operator-notice.js';
import { readXlsxInput } from './xlsx-reader.js';

/** The operator's PO list, CSV or Excel, chosen by the file's extension; its warnings are told to the operator. */
export async function readInput(file: string): Promise<InputTable> {
  const table = await readTable(file);
  for (const warning of table.warnings) noticeOnce(warning);
  return table;
}

async function readTable(file: string): Promise<InputTable> {
  const extension = path.extname(file).toLowerCase();
  if (extension === '.xlsx') return readXlsxInput(file);
  if (extension === '.csv' || extension === '.txt') return readInputFile(file);
  const absolute = path.resolve(file);
  throw new InputError(`Input file ${absolute} has the unsupported extension "${extension || '(none)'}"; CSV (.csv, .txt) and Excel (.xlsx) are supported`, {
    file: absolute,
    advice:
      extension === '.xls' || extension === '.xlsm' || extension === '.xlsb'
        ? 'Open it in Excel and use File > Save As > "Excel Workbook (*.xlsx)", then point INPUT_CSV at the .xlsx file.'
        : 'Save the PO list as .xlsx (sheet PO_Data) or as CSV and point INPUT_CSV at it.',
  });
}

/**
 * The SHA-256 of the input's bytes, which keys a run (a rerun of the same input resumes
 * it). Cheap and synchronous, so the config can decide the run folder in every process
 * without parsing the file.
 */
export function inputFingerprint(file: string): string {
  const absolute = path.resolve(file);
  checkIsFile(absolute);
  return crypto.createHash('sha256').update(readBytes(absolute)).digest('hex');
}
