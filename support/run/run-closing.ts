import path from 'node:path';
import type { FullConfig } from '@playwright/test';
import type { GovernorSummary } from '../load/window-gate.js';
import { resultWithoutFiles } from '../po-result.js';
import { enrichAllureResults } from '../report/allure-enrichment.js';
import { buildRunSummary, formatRunSummary, writeRunSummary } from '../report/run-summary.js';
import { writeRunTimeline, type LoadSample } from '../report/run-timeline.js';
import { closingFile, type Closing } from '../run-state/closing.js';
import { journalEntryIsSettled } from '../run-state/journal.js';
import { loadSamplesFile } from '../run-state/load-files.js';
import type { FrozenPlan } from '../run-state/plan-files.js';
import type { RunState } from '../run-state/run-state.js';
import type { Settings } from '../settings.js';
import { writeAllureWindowResults, writeWindowSummaryJson } from '../window/window-summary.js';
import { writeFinalReport } from './final-report.js';

/**
 * The end of a run, done by the job itself (the global setup's teardown), whatever
 * reporters the command line chose: POs whose every attempt died with its worker are
 * journaled FAILED, then the CSV/XLSX report, the window and run summaries, the timeline
 * and the Allure results are written, and the terminal summary is kept for the job's
 * reporter to print (printed here when that reporter is not in the run).
 */
export interface RunClosingInput {
  state: RunState;
  settings: Settings;
  config: FullConfig;
  plan: FrozenPlan;
  startedAt: Date;
  load?: GovernorSummary;
}

/**
 * A worker killed in the middle of a PO cannot record that the PO failed. Once the PO has
 * no result in this run and every attempt Playwright grants it has started, it has failed
 * for good: journaled FAILED, so the report says so and a resumed run tries it again.
 */
export function journalSpentAttempts(state: RunState, plan: FrozenPlan, retries: number): number {
  const results = state.results();
  let journaled = 0;
  for (const po of plan.pos) {
    if (results.thisRun(po.id)) continue;
    const attempts = results.attempts(po.id);
    const started = attempts.filter((a) => a.event === 'started');
    if (started.length < retries + 1) continue;
    const failures = attempts.flatMap((a) => (a.event === 'failed' ? [a.reason] : []));
    const reason = failures.at(-1) ?? 'the window\'s worker ended while it processed the PO (crashed or killed)';
    results.finish(
      resultWithoutFiles(po, { status: 'FAILED', window: started.at(-1)!.window, errorMessage: `Failed after ${started.length} attempt(s): ${reason}` }),
    );
    journaled++;
  }
  return journaled;
}

/** The load governor's decisions (time, load, old → new active windows), for the end of the run. */
function formatLoadChanges(load: GovernorSummary): string {
  const head =
    `Load: peak CPU ${load.peakCpuPercent.toFixed(0)}%, memory ${load.peakMemoryPercent.toFixed(0)}% ` +
    `(limits ${load.options.limits.cpuPercent}% / ${load.options.limits.memoryPercent}%); ${load.changes.length} change(s) of the windows taking POs\n`;
  return (
    head +
    load.changes
      .map((c) => `  ${new Date(c.at).toTimeString().slice(0, 8)}  CPU ${c.cpuPercent.toFixed(0)}%, memory ${c.memoryPercent.toFixed(0)}%: ${c.from} → ${c.to} (${c.reason})\n`)
      .join('')
  );
}

/** Whether the job's own reporter (which prints the closing summary after its live display) is among the run's reporters. */
export function hasJobReporter(config: FullConfig): boolean {
  return config.reporter.some(([name]) => /job-reporter(\.[cm]?[jt]s)?$/.test(name));
}

export async function closeRun(input: RunClosingInput): Promise<Closing> {
  const { state, settings, config, load } = input;
  journalSpentAttempts(state, input.plan, config.projects[0]?.retries ?? 0);
  const report = await writeFinalReport(state);
  const windows = state.windowRecords().all();
  const paths = state.paths;
  const endedAt = new Date();
  writeWindowSummaryJson(paths.windowSummaryFile, windows);
  writeAllureWindowResults(paths.allureResultsDir, windows);
  enrichAllureResults(paths.allureResultsDir, {
    results: report.results,
    environment: { settings, workers: config.workers, windows, plannedPos: report.plannedPos },
  });
  writeRunTimeline(paths.timelineFile, {
    title: path.basename(paths.runRoot),
    windows,
    results: report.results,
    load: readLoadSamples(paths.loadSamplesFile),
    startedAt: input.startedAt,
    endedAt,
  });
  const summary = buildRunSummary({
    results: report.results,
    rowsByStatus: report.rowsByStatus,
    windows,
    startedAt: input.startedAt,
    endedAt,
    plannedPos: report.plannedPos,
    unfinishedPos: report.unfinishedPos,
    ...(load ? { load } : {}),
    paths: {
      runRoot: paths.runRoot,
      reportCsv: report.reportFile,
      ...(report.reportXlsxFile ? { reportXlsx: report.reportXlsxFile } : {}),
      htmlReport: paths.htmlReportDir,
      allureResults: paths.allureResultsDir,
      windowSummary: paths.windowSummaryFile,
      runSummary: paths.runSummaryFile,
      timeline: paths.timelineFile,
    },
  });
  writeRunSummary(paths.runSummaryFile, summary);
  const settled = new Set(report.results.filter(journalEntryIsSettled).map((r) => r.id));
  const closing: Closing = {
    summary: `${formatRunSummary(summary, { color: !!process.stdout.isTTY })}\n${load ? formatLoadChanges(load) : ''}`,
    shardAdvice: config.shard
      ? `This was shard ${config.shard.current}/${config.shard.total}: the other shards' POs are in their own run folders; ` +
        'bring the folders together and run npm run merge-shards -- <folders…> for one report.\n'
      : '',
    unsettled: input.plan.pos.filter((po) => !settled.has(po.id)).map((po) => po.id),
  };
  closingFile.write(paths.closingFile, closing);
  if (!hasJobReporter(config)) {
    const unfinished = !config.shard && !report.complete ? `${report.unfinishedPos} PO(s) unfinished: run the same command again to resume.\n` : '';
    process.stdout.write(`\n${closing.summary}${closing.shardAdvice}${unfinished}`);
  }
  return closing;
}

/** The load over the run for the timeline; a picture without it is still worth drawing. */
function readLoadSamples(file: string): LoadSample[] {
  try {
    return loadSamplesFile.read(file)?.points ?? [];
  } catch {
    return [];
  }
}
