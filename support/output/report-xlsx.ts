import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type ExcelJS from 'exceljs';
import { PO_SHEET } from '../input/xlsx-reader.js';
import type { PoStatus } from '../po-result.js';
import { reportFileName, ReportWriteError, writeReportFile, type ReportTable } from './report-csv.js';

const HEADER_FILL = 'FFD9E1F2';
const MIN_WIDTH = 8;
const MAX_WIDTH = 60;
/** Excel refuses a workbook with a longer cell. */
const MAX_CELL_CHARACTERS = 32_767;
/** Whole numbers Excel holds exactly and shows as typed: no sign-less leading zero, at most 15 digits. */
const WHOLE_NUMBER = /^(0|-?[1-9]\d{0,14})$/;
/** Characters XML 1.0 cannot carry; one in a cell would make Excel call the file damaged. */
const XML_INVALID = /[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]/g;
const WRAPPED_COLUMNS = new Set(['ATTACHMENTNAME']);
/** Excel's own Good / Neutral / Bad cell styles, for the statuses the run summary colours too. */
const STATUS_STYLES: Partial<Record<PoStatus, { fill: string; font: string }>> = {
  COMPLETED: { fill: 'FFC6EFCE', font: 'FF006100' },
  PARTIAL: { fill: 'FFFFEB9C', font: 'FF9C5700' },
  TIMEOUT: { fill: 'FFFFEB9C', font: 'FF9C5700' },
  FAILED: { fill: 'FFFFC7CE', font: 'FF9C0006' },
};
const LINK_FONT: Partial<ExcelJS.Font> = { color: { argb: 'FF0563C1' }, underline: true };
/** LAST_PROCESSED as the CSV report writes it (local time). */
const LOCAL_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

/** `CoupaDownloads_Report_YYYYmmdd-HHMMSS.xlsx`, the CSV report's name with the workbook extension. */
export function reportXlsxFileName(date: Date): string {
  return reportFileName(date).replace(/\.csv$/, '.xlsx');
}

/**
 * The report as a workbook for operators whose input was one: sheet PO_Data (so the
 * report can be fed back in as input), a bold frozen header row with a filter, columns
 * sized to their content, AttachmentName wrapped onto one line per file, STATUS coloured,
 * the PO folder and the Coupa page as links, LAST_PROCESSED as a date. Every other value
 * is written as a text cell, never as a formula, so a supplier or file name starting with
 * `=` stays text; whole numbers are written as numbers so PO numbers and counts are not
 * flagged as "number stored as text". Written to a temporary file and renamed, so a
 * report on disk is always complete.
 */
export async function writeReportXlsx(file: string, table: ReportTable): Promise<void> {
  // Loaded only when an Excel report is written: exceljs costs ~0.3 CPU-s to load.
  const { default: Excel } = await import('exceljs');
  const workbook = new Excel.Workbook();
  const sheet = workbook.addWorksheet(PO_SHEET, { views: [{ state: 'frozen', ySplit: 1 }] });

  const header = sheet.addRow(table.headers.map(cleanText));
  header.eachCell((cell) => {
    cell.font = { bold: true };
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: HEADER_FILL } };
    cell.border = { bottom: { style: 'thin' } };
    cell.alignment = { vertical: 'top' };
  });
  for (const values of table.rows) {
    sheet.addRow(values.map((value) => (WHOLE_NUMBER.test(value) ? Number(value) : cleanText(value))));
  }

  const width = Math.max(table.headers.length, ...table.rows.map((row) => row.length));
  for (let index = 0; index < width; index++) {
    const column = sheet.getColumn(index + 1);
    const texts = [table.headers[index] ?? '', ...table.rows.map((row) => row[index] ?? '')];
    const longestLine = Math.max(...texts.flatMap((text) => text.split('\n').map((line) => line.length)));
    column.width = Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, longestLine + 2));
    if (WRAPPED_COLUMNS.has((table.headers[index] ?? '').trim().toUpperCase())) {
      column.eachCell((cell, rowNumber) => {
        if (rowNumber > 1) cell.alignment = { wrapText: true, vertical: 'top' };
      });
    }
  }
  if (width > 0) sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: width } };
  styleTrackingCells(sheet, table);

  let bytes: Buffer;
  try {
    bytes = Buffer.from(await workbook.xlsx.writeBuffer());
  } catch (error) {
    throw new ReportWriteError(file, error);
  }
  writeReportFile(file, bytes);
}

function cleanText(value: string): string {
  const text = value.replace(XML_INVALID, '');
  return text.length > MAX_CELL_CHARACTERS ? `${text.slice(0, MAX_CELL_CHARACTERS - 1)}…` : text;
}

/** Column number (1-based) of a tracking column, or 0. */
function columnOf(table: ReportTable, name: string): number {
  return table.headers.findIndex((header) => header.trim().toUpperCase() === name) + 1;
}

function eachValue(sheet: ExcelJS.Worksheet, table: ReportTable, name: string, style: (cell: ExcelJS.Cell, value: string) => void): void {
  const column = columnOf(table, name);
  if (!column) return;
  table.rows.forEach((row, index) => {
    const value = row[column - 1] ?? '';
    if (value) style(sheet.getCell(index + 2, column), value);
  });
}

function styleTrackingCells(sheet: ExcelJS.Worksheet, table: ReportTable): void {
  eachValue(sheet, table, 'STATUS', (cell, value) => {
    const style = STATUS_STYLES[value as PoStatus];
    if (!style) return;
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: style.fill } };
    cell.font = { color: { argb: style.font } };
  });
  eachValue(sheet, table, 'DOWNLOAD_FOLDER', (cell, value) => link(cell, value, folderUrl(value)));
  eachValue(sheet, table, 'COUPA_URL', (cell, value) => link(cell, value, /^https?:\/\//i.test(value) ? value : undefined));
  eachValue(sheet, table, 'LAST_PROCESSED', (cell, value) => {
    const parts = LOCAL_TIMESTAMP.exec(value);
    if (!parts) return;
    const [year, month, day, hours, minutes, seconds] = parts.slice(1).map(Number);
    // Excel dates carry no time zone: the cell holds the local wall-clock time the CSV report shows.
    cell.value = new Date(Date.UTC(year, month - 1, day, hours, minutes, seconds));
    cell.numFmt = 'yyyy-mm-dd hh:mm:ss';
  });
}

/** A folder of this machine (a report fed back in from another machine may name folders it cannot reach). */
function folderUrl(folder: string): string | undefined {
  return path.isAbsolute(folder) ? pathToFileURL(folder).href : undefined;
}

function link(cell: ExcelJS.Cell, text: string, target: string | undefined): void {
  if (!target) return;
  cell.value = { text: cleanText(text), hyperlink: target };
  cell.font = LINK_FONT;
}
