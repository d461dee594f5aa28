import path from 'node:path';
import { buildReportRows, reportFileName, writeReportCsv } from '../output/report-csv.js';
import { reportXlsxFileName, writeReportXlsx } from '../output/report-xlsx.js';
import type { PoResult, PoStatus } from '../po-result.js';
import { ResultJournal } from '../run-state/journal.js';
import { reportBasisFile } from '../run-state/plan-files.js';
import { markRunComplete } from '../run-state/run-folder.js';
import type { RunState } from '../run-state/run-state.js';

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
 * Builds the report from the input as the global setup read it and from the journal, so
 * the report of a resumed run covers every PO, including those finished before the
 * interruption; the input file itself is read once per run, by the global setup.
 */
export async function writeFinalReport(state: RunState, now = new Date()): Promise<FinalReport> {
  const { table, plan } = reportBasisFile.require(state.paths.reportBasisFile);
  const results = ResultJournal.read(state.paths.journalFile).results;
  const report = buildReportRows(plan, table, results);
  const reportFile = path.join(state.paths.runRoot, reportFileName(now));
  writeReportCsv(reportFile, report, { delimiter: table.delimiter });
  const reportXlsxFile = table.format === 'xlsx' ? path.join(state.paths.runRoot, reportXlsxFileName(now)) : undefined;
  if (reportXlsxFile) await writeReportXlsx(reportXlsxFile, report);

  const statusColumn = report.headers.indexOf('STATUS');
  const rowsByStatus: Partial<Record<PoStatus, number>> = {};
  for (const row of report.rows) {
    const status = row[statusColumn] as PoStatus;
    rowsByStatus[status] = (rowsByStatus[status] ?? 0) + 1;
  }
  const unfinishedPos = plan.pos.filter((po) => !results.has(po.id)).length;
  const complete = unfinishedPos === 0;
  if (complete) markRunComplete(state.handle);
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
