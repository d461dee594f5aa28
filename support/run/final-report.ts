import path from 'node:path';
import { readInput } from '../input/read-input.js';
import { buildJobPlan } from '../input/job-plan.js';
import { ResultJournal } from '../output/journal.js';
import { buildReportRows, reportFileName, writeReportCsv } from '../output/report-csv.js';
import { reportXlsxFileName, writeReportXlsx } from '../output/report-xlsx.js';
import type { PoResult, PoStatus } from '../po-result.js';
import { markRunComplete, type RunLocation } from './run-location.js';

export interface FinalReport {
  reportFile: string;
  /** The Excel report, written when the input was an Excel workbook (the CSV report is written too). */
  reportXlsxFile?: string;
  results: PoResult[];
  /** Report rows by status (a duplicate PO row counts once per row, as the report shows it). */
  rowsByStatus: Partial<Record<PoStatus, number>>;
  plannedPos: number;
  unfinishedPos: number;
  complete: boolean;
}

/**
 * Builds the report from the input and the journal alone, so the report of a resumed
 * run covers every PO, including those finished before the interruption, and the input
 * file is only ever read.
 */
export async function writeFinalReport(location: RunLocation, inputFile: string, now = new Date()): Promise<FinalReport> {
  const table = await readInput(inputFile);
  const plan = buildJobPlan(table);
  const results = ResultJournal.read(location.journalFile).results;
  const report = buildReportRows(plan, table, results);
  const reportFile = path.join(location.runRoot, reportFileName(now));
  writeReportCsv(reportFile, report, { delimiter: table.delimiter });
  const reportXlsxFile = table.format === 'xlsx' ? path.join(location.runRoot, reportXlsxFileName(now)) : undefined;
  if (reportXlsxFile) await writeReportXlsx(reportXlsxFile, report);

  const statusColumn = report.headers.indexOf('STATUS');
  const rowsByStatus: Partial<Record<PoStatus, number>> = {};
  for (const row of report.rows) {
    const status = row[statusColumn] as PoStatus;
    rowsByStatus[status] = (rowsByStatus[status] ?? 0) + 1;
  }
  const unfinishedPos = plan.pos.filter((po) => !results.has(po.id)).length;
  const complete = unfinishedPos === 0;
  if (complete) markRunComplete(location);
  return {
    reportFile,
    reportXlsxFile,
    results: plan.pos.flatMap((po) => results.get(po.id) ?? []),
    rowsByStatus,
    plannedPos: plan.pos.length,
    unfinishedPos,
    complete,
  };
}
