import { stringify } from 'csv-stringify/sync';
import type { InputDelimiter, InputTable } from '../input/input-reader.js';
import type { JobPlan } from '../input/job-plan.js';
import { writeFileAtomicSync } from '../shared/atomic-file.js';
import { OperatorError } from '../shared/operator-error.js';
import type { PoResult, PoStatus } from '../po-result.js';
import { isTrackingColumn, TRACKING_COLUMNS, type TrackingColumn } from './tracking-columns.js';

export { TRACKING_COLUMNS } from './tracking-columns.js';

export interface ReportTable {
  headers: string[];
  rows: string[][];
}

export interface ReportOptions {
  /** ERROR_MESSAGE of POs that have no result, e.g. when the run was stopped early. */
  notProcessedMessage?: string;
}

export class ReportWriteError extends OperatorError {
  constructor(readonly file: string, cause: unknown) {
    const code = cause instanceof Error && 'code' in cause ? ` (${String(cause.code)})` : '';
    super(
      `Could not write the report ${file}${code}`,
      'Check free disk space and write permission on the download folder; the downloaded files and the journal are intact, so rerunning with the same input only rewrites the report.',
      { cause },
    );
  }
}

type TrackingValues = Record<TrackingColumn, string>;

/**
 * One report row per input row, in input order: the operator's columns as they were, then
 * the tracking columns. Tracking columns already in the input (a previous report fed back
 * in) are taken out of the input part, so a report of a report has the same columns.
 */
export function buildReportRows(
  plan: JobPlan,
  table: InputTable,
  results: Map<string, PoResult>,
  options: ReportOptions = {},
): ReportTable {
  const width = table.rows.reduce((widest, row) => Math.max(widest, row.values.length), table.headers.length);
  // Cells beyond the last header are kept under unnamed columns rather than dropped.
  const inputHeaders = Array.from({ length: width }, (_, column) => table.headers[column] ?? '');
  const kept = inputHeaders.map((_, column) => column).filter((column) => !isTrackingColumn(inputHeaders[column]));
  const inputTracking = new Map(
    TRACKING_COLUMNS.map((name) => [name, inputHeaders.findIndex((header) => header.trim().toUpperCase() === name.toUpperCase())]),
  );

  const idByRow = new Map<number, string>();
  for (const po of plan.pos) for (const rowNumber of po.rowNumbers) idByRow.set(rowNumber, po.id);
  const invalidByRow = new Map(plan.invalidRows.map((row) => [row.rowNumber, row]));
  const completed = new Set(plan.completedRows);
  const notProcessed = options.notProcessedMessage ?? 'Not processed in this run';

  const rows = table.rows.map((row) => {
    const cell = (column: number) => row.values[column] ?? '';
    let tracking: TrackingValues;
    const id = idByRow.get(row.rowNumber);
    const invalid = invalidByRow.get(row.rowNumber);
    if (completed.has(row.rowNumber)) {
      tracking = fromEntries((name) => {
        const column = inputTracking.get(name) ?? -1;
        return column >= 0 ? cell(column) : '';
      });
    } else if (invalid) {
      tracking = statusOnly('INVALID_PO_NUMBER', invalid.message);
    } else if (id !== undefined) {
      const result = results.get(id);
      tracking = result ? fromResult(result) : statusOnly('PENDING', notProcessed);
    } else {
      throw new Error(`Row ${row.rowNumber} of ${table.file} is not in the job plan; the plan was built from another table`);
    }
    return [...kept.map(cell), ...TRACKING_COLUMNS.map((name) => tracking[name])];
  });

  return { headers: [...kept.map((column) => inputHeaders[column]), ...TRACKING_COLUMNS], rows };
}

function fromEntries(value: (name: TrackingColumn) => string): TrackingValues {
  return Object.fromEntries(TRACKING_COLUMNS.map((name) => [name, value(name)])) as TrackingValues;
}

function statusOnly(status: PoStatus, message: string): TrackingValues {
  return fromEntries((name) => (name === 'STATUS' ? status : name === 'ERROR_MESSAGE' ? message : ''));
}

function fromResult(result: PoResult): TrackingValues {
  return {
    STATUS: result.status,
    SUPPLIER: result.supplier,
    ATTACHMENTS_FOUND: String(result.attachmentsFound),
    ATTACHMENTS_DOWNLOADED: String(result.attachmentsDownloaded),
    AttachmentName: result.files.map((file) => file.name).join(';\n'),
    LAST_PROCESSED: formatLocalTimestamp(new Date(result.finishedAt)),
    ERROR_MESSAGE: result.errorMessage,
    DOWNLOAD_FOLDER: result.downloadFolder,
    COUPA_URL: result.coupaUrl,
  };
}

/** `YYYY-MM-DD HH:MM:SS` in the machine's time zone, as the operators' tool wrote it. */
export function formatLocalTimestamp(date: Date): string {
  if (Number.isNaN(date.getTime())) return '';
  const { year, month, day, hours, minutes, seconds } = localParts(date);
  return `${year}-${month}-${day} ${hours}:${minutes}:${seconds}`;
}

/** `CoupaDownloads_Report_YYYYmmdd-HHMMSS.csv`, local time. */
export function reportFileName(date: Date): string {
  const { year, month, day, hours, minutes, seconds } = localParts(date);
  return `CoupaDownloads_Report_${year}${month}${day}-${hours}${minutes}${seconds}.csv`;
}

function localParts(date: Date) {
  const pad = (value: number) => String(value).padStart(2, '0');
  return {
    year: String(date.getFullYear()),
    month: pad(date.getMonth() + 1),
    day: pad(date.getDate()),
    hours: pad(date.getHours()),
    minutes: pad(date.getMinutes()),
    seconds: pad(date.getSeconds()),
  };
}

/**
 * What a spreadsheet skips before it looks for a formula (spaces of every kind, NBSP, line
 * breaks, zero-width space), then a formula character in its ASCII, full-width (`＝`) or
 * small (`﹦`) form, which East Asian input methods type and some spreadsheets fold.
 */
const FORMULA_START = /^[\s\u200b]*[=+\-@\uff1d\uff0b\uff0d\uff20\ufe66\ufe62\ufe63\ufe6b]/u;
const PLAIN_NUMBER = /^\s*[-+]?\d+([.,]\d+)?\s*$/;

/**
 * Spreadsheets execute cells starting with `=`, `+`, `-` or `@`, also after leading white
 * space, and skip a leading tab or CR: an attachment or supplier name must not become a
 * formula (CSV injection). A leading `'` makes Excel show the text as typed. Plain numbers
 * such as `-12.50` cannot be formulas and are left alone so amounts stay numbers.
 */
export function neutralizeFormula(value: string): string {
  if (PLAIN_NUMBER.test(value)) return value;
  return FORMULA_START.test(value) || /^[\t\r]/.test(value) ? `'${value}` : value;
}

/**
 * Written for Excel (UTF-8 with BOM, CRLF, the input's delimiter) and re-readable as input.
 * Written to a temporary file and renamed, so a report on disk is always complete.
 */
export function writeReportCsv(file: string, table: ReportTable, options: { delimiter: InputDelimiter }): void {
  const text = stringify([table.headers, ...table.rows].map((row) => row.map(neutralizeFormula)), {
    delimiter: options.delimiter,
    record_delimiter: '\r\n',
    bom: true,
    // csv-stringify only quotes line breaks equal to the record delimiter; a bare `\n` inside
    // AttachmentName must be quoted too or the row would split when read back.
    quoted_match: /[\r\n]/,
  });
  writeReportFile(file, text);
}

/**
 * Writes a report through a temporary file, flushed and renamed, so a report on disk is
 * always whole; a failure removes the temporary file and names the report.
 */
export function writeReportFile(file: string, data: string | Buffer): void {
  try {
    writeFileAtomicSync(file, data, { durable: true });
  } catch (error) {
    throw new ReportWriteError(file, error);
  }
}
