import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { readInput } from '../../support/input/read-input.js';
import { buildJobPlan } from '../../support/input/job-plan.js';
import { journalEntryIsSettled, ResultJournal } from '../../support/run-state/journal.js';
import { buildReportRows, reportFileName, writeReportCsv } from '../../support/output/report-csv.js';
import { OperatorError } from '../../support/shared/operator-error.js';
import type { PoResult } from '../../support/po-result.js';
import { frozenPlanFile } from '../../support/run-state/plan-files.js';
import { runPaths } from '../../support/run-state/run-paths.js';

/**
 * A batch split over several machines with `--shard=k/n` comes back as one report. Each
 * shard's run folder (copied from its machine) brings its journal, its Playwright blob
 * report and its Allure results; the merge writes one CSV report over the whole input
 * (every PO once), one Playwright HTML report and one Allure results folder.
 */
export class MergeError extends OperatorError {}

export interface MergedResults {
  results: Map<string, PoResult>;
  /** POs that more than one shard reports (a shard split should never produce any). */
  duplicates: string[];
}

/** Pure: a settled result wins over an unsettled one; between equals, the later one. */
export function mergeJournals(journals: Map<string, PoResult>[]): MergedResults {
  const results = new Map<string, PoResult>();
  const seen = new Map<string, number>();
  for (const journal of journals) {
    for (const [id, result] of journal) {
      seen.set(id, (seen.get(id) ?? 0) + 1);
      const current = results.get(id);
      const better =
        !current ||
        (journalEntryIsSettled(result) && !journalEntryIsSettled(current)) ||
        (journalEntryIsSettled(result) === journalEntryIsSettled(current) && result.finishedAt > current.finishedAt);
      if (better) results.set(id, result);
    }
  }
  return { results, duplicates: [...seen].filter(([, n]) => n > 1).map(([id]) => id) };
}

function inputOf(runFolders: string[]): string {
  for (const folder of runFolders) {
    const plan = frozenPlanFile.read(runPaths(folder).planFile);
    if (plan && fs.existsSync(plan.inputFile)) return plan.inputFile;
  }
  throw new MergeError('The input file of these runs was not found on this machine.', 'Pass it with --input <file> (the same file every shard ran with).');
}

function mergePlaywrightReports(runFolders: string[], out: string): string | undefined {
  const blobs = path.join(out, 'blob-reports');
  fs.rmSync(blobs, { recursive: true, force: true });
  fs.mkdirSync(blobs, { recursive: true });
  runFolders.forEach((folder, i) => {
    const dir = runPaths(folder).blobReportDir;
    if (!fs.existsSync(dir)) return;
    for (const file of fs.readdirSync(dir)) fs.copyFileSync(path.join(dir, file), path.join(blobs, `${i + 1}-${file}`));
  });
  if (fs.readdirSync(blobs).length === 0) return undefined;
  const cli = createRequire(import.meta.url).resolve('@playwright/test/cli');
  const htmlDir = path.join(out, 'playwright-report');
  const merged = spawnSync(process.execPath, [cli, 'merge-reports', '--reporter', 'html', blobs], {
    cwd: out,
    env: { ...process.env, PLAYWRIGHT_HTML_OUTPUT_DIR: htmlDir, PLAYWRIGHT_HTML_OPEN: 'never' },
    encoding: 'utf8',
  });
  if (merged.status !== 0) throw new MergeError(`Merging the Playwright reports failed: ${merged.stderr || merged.stdout}`, 'Check that every shard ran with the same version of this tool.');
  return htmlDir;
}

function mergeAllureResults(runFolders: string[], out: string): string {
  const merged = path.join(out, 'allure-results');
  fs.mkdirSync(merged, { recursive: true });
  for (const folder of runFolders) {
    const dir = runPaths(folder).allureResultsDir;
    if (!fs.existsSync(dir)) continue;
    for (const file of fs.readdirSync(dir)) fs.copyFileSync(path.join(dir, file), path.join(merged, file));
  }
  return merged;
}

export async function mergeShards(options: { runFolders: string[]; out: string; input?: string; now?: Date }) {
  for (const folder of options.runFolders) {
    if (!fs.existsSync(runPaths(folder).journalFile)) {
      throw new MergeError(`${folder} is not a run folder of this tool (no .run-state/journal.jsonl).`, 'Pass the <date>_CoupaDownloads folders the shards created.');
    }
  }
  const inputFile = options.input ?? inputOf(options.runFolders);
  const table = await readInput(inputFile);
  const plan = buildJobPlan(table);
  const merged = mergeJournals(options.runFolders.map((f) => ResultJournal.read(runPaths(f).journalFile).results));
  fs.mkdirSync(options.out, { recursive: true });
  const reportFile = path.join(options.out, reportFileName(options.now ?? new Date()).replace('CoupaDownloads_Report_', 'CoupaDownloads_Report_merged_'));
  writeReportCsv(reportFile, buildReportRows(plan, table, merged.results), { delimiter: table.delimiter });
  return {
    reportFile,
    htmlReport: mergePlaywrightReports(options.runFolders, options.out),
    allureResults: mergeAllureResults(options.runFolders, options.out),
    missing: plan.pos.filter((po) => !merged.results.has(po.id)).map((po) => po.poNumber),
    duplicates: merged.duplicates,
    total: plan.pos.length,
  };
}
