import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ExcelJS from 'exceljs';
import { readInputFile } from '../../support/input/input-reader.js';
import { PO_SHEET } from '../../support/input/xlsx-reader.js';

/**
 * The sample input as an Excel workbook (`data/sample/demo-input.xlsx`), made from the sample
 * CSV so the two never say different things: sheet PO_Data, the CSV's header and rows as
 * text (a PO number stays `4100003`, never the number 4100003). A unit test reads both with
 * the job's readers and fails when they differ: run this again after changing the CSV:
 * `npx tsx tooling/samples/sample-workbook.ts`.
 */
const SAMPLE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'data', 'sample');
export const SAMPLE_CSV = path.join(SAMPLE_DIR, 'demo-input.csv');
export const SAMPLE_XLSX = path.join(SAMPLE_DIR, 'demo-input.xlsx');

export async function writeSampleWorkbook(csvFile: string, xlsxFile: string): Promise<void> {
  const table = readInputFile(csvFile);
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet(PO_SHEET, { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.addRow(table.headers).font = { bold: true };
  for (const row of table.rows) sheet.addRow(row.values);
  table.headers.forEach((header, index) => {
    sheet.getColumn(index + 1).width = Math.min(90, Math.max(header.length, ...table.rows.map((row) => (row.values[index] ?? '').length)) + 2);
  });
  await workbook.xlsx.writeFile(xlsxFile);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  await writeSampleWorkbook(SAMPLE_CSV, SAMPLE_XLSX);
  process.stdout.write(`${SAMPLE_XLSX} written from ${SAMPLE_CSV}\n`);
}
