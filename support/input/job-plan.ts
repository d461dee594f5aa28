import { isTrackingColumn } from '../output/tracking-columns.js';
import { findColumn, poNumberColumn, type InputDelimiter, type InputTable } from './input-reader.js';
import { parsePoNumber } from './po-number.js';

export interface PlannedPo {
  id: string;
  /** As written in the PO's first row, upper-cased and without spaces. */
  poNumber: string;
  /** Test title of the PO in the job run. */
  title: string;
  /** Every input row naming this PO, in input order. */
  rowNumbers: number[];
  /** Raw cells of the folder-level columns (after `<|>`) of the PO's first row; null when the supplier is the folder level. */
  hierarchy: string[] | null;
}

export interface InvalidRow {
  rowNumber: number;
  value: string;
  message: string;
}

export interface JobPlan {
  inputFile: string;
  inputSha256: string;
  headers: string[];
  delimiter: InputDelimiter;
  pos: PlannedPo[];
  invalidRows: InvalidRow[];
  /** Rows whose STATUS already was COMPLETED: left as they are. */
  completedRows: number[];
  rowsByPo: Record<string, number[]>;
}

export const STATUS_COLUMN = 'STATUS';
export const HIERARCHY_SEPARATOR = '<|>';

/**
 * Turns the input table into the list of POs to process. Pure and deterministic: the
 * Playwright runner and every worker build the plan from the same bytes and must generate
 * the same tests in the same order.
 */
export function buildJobPlan(table: InputTable): JobPlan {
  const poColumn = poNumberColumn(table.headers, table.file);
  const statusColumn = findColumn(table.headers, STATUS_COLUMN);
  const levelColumns = hierarchyColumns(table.headers);

  const byId = new Map<string, PlannedPo>();
  const invalidRows: InvalidRow[] = [];
  const completedRows: number[] = [];

  for (const row of table.rows) {
    if (statusColumn >= 0 && row.values[statusColumn].trim().toUpperCase() === 'COMPLETED') {
      completedRows.push(row.rowNumber);
      continue;
    }
    const value = row.values[poColumn];
    const parsed = parsePoNumber(value);
    if (!parsed.ok) {
      invalidRows.push({ rowNumber: row.rowNumber, value, message: parsed.reason });
      continue;
    }
    const known = byId.get(parsed.id);
    if (known) {
      known.rowNumbers.push(row.rowNumber);
      continue;
    }
    byId.set(parsed.id, {
      id: parsed.id,
      poNumber: parsed.poNumber,
      title: poTitle(parsed.id, parsed.poNumber),
      rowNumbers: [row.rowNumber],
      hierarchy: levelColumns ? levelColumns.map((column) => row.values[column]) : null,
    });
  }

  const pos = [...byId.values()];
  return {
    inputFile: table.file,
    inputSha256: table.sha256,
    headers: table.headers,
    delimiter: table.delimiter,
    pos,
    invalidRows,
    completedRows,
    rowsByPo: Object.fromEntries(pos.map((po) => [po.id, po.rowNumbers])),
  };
}

/**
 * The title keeps the operator's prefix when there is one (PM15262984) and otherwise reads
 * `PO<id>`, so it always contains the digits (`--grep 15262984` selects it) and is unique
 * because duplicates were merged by id before titles are made.
 */
function poTitle(id: string, poNumber: string): string {
  return /^[A-Z]/.test(poNumber) ? poNumber : `PO${id}`;
}

/**
 * Columns after `<|>` are folder levels. A report fed back in as input has the tracking
 * columns (and unnamed columns for stray cells) after them; those are not levels, or a
 * resumed run would file its POs in different folders.
 */
function hierarchyColumns(headers: readonly string[]): number[] | null {
  const separator = headers.indexOf(HIERARCHY_SEPARATOR);
  if (separator < 0) return null;
  const levels: number[] = [];
  for (let column = separator + 1; column < headers.length; column += 1) {
    if (headers[column] !== '' && !isTrackingColumn(headers[column])) levels.push(column);
  }
  return levels.length > 0 ? levels : null;
}
