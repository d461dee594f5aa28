import path from 'node:path';
import { InputError, readInputFile, type InputTable } from './input-reader.js';
import { readXlsxInput } from './xlsx-reader.js';

/** The operator's PO list, CSV or Excel, chosen by the file's extension. */
export async function readInput(file: string): Promise<InputTable> {
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
