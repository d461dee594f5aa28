import path from 'node:path';
import type { FullConfig, FullResult, Reporter, Suite, TestCase, TestResult } from '@playwright/test/reporter';
import { PO_RESULT_ATTACHMENT, poFromAnnotations } from '../fixtures/po-test-annotations.js';
import { loadSignalFromEnv } from '../support/load/resource-monitor.js';
import { gateFileFor, LoadGovernor, type GovernorSummary } from '../support/load/window-gate.js';
import { ResultJournal } from '../support/output/journal.js';
import { resultWithoutFiles, type PoResult } from '../support/po-result.js';
import { ProgressState } from '../support/progress/progress-state.js';
import { createProgressWriter, type ProgressWriter } from '../support/progress/progress-writer.js';
import { readWindowProgress, windowProgressDirFor } from '../support/progress/window-progress-channel.js';
import { writeFinalReport } from '../support/run/final-report.js';
import { publishedRunLocation, type RunLocation } from '../support/run/run-location.js';
import { loadSettings, type Settings } from '../support/settings.js';
import { enrichAllureResults } from '../support/report/allure-enrichment.js';
import { buildRunSummary, formatRunSummary, writeRunSummary } from '../support/report/run-summary.js';
import { readWindowRecords } from '../support/window/window-record.js';
import { writeAllureWindowResults, writeWindowSummaryJson } from '../support/window/window-summary.js';

/**
 * The operator's view of the run: live progress (redrawn in a terminal, a line now and then
 * in a log), the window logs, a line per finished PO, the load governor that parks and
 * brings back windows, and at the end the CSV report written from the journal and the
 * per-window summary. It also journals the POs whose test failed for good (a crashed
 * window cannot journal its own failure).
 */
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

export default class JobReporter implements Reporter {
  private total = 0;
  private done = 0;
  private started = Date.now();
  private readonly state = new ProgressState();
  private readonly writer: ProgressWriter = createProgressWriter(process.stdout);
  private governor: LoadGovernor | undefined;
  private poll: NodeJS.Timeout | undefined;
  private location: RunLocation | undefined;
  private settings: Settings | undefined;
  private shard: FullConfig['shard'] = null;
  private workers = 0;

  printsToStdio(): boolean {
    return true;
  }

  onBegin(config: FullConfig, suite: Suite): void {
    this.total = suite.allTests().length;
    this.started = Date.now();
    this.shard = config.shard;
    this.workers = config.workers;
    this.location = publishedRunLocation();
    this.settings = loadSettings();
    this.state.apply({ type: 'run-started', at: this.started, total: this.total, maxWindows: config.workers });
    this.writer.log(
      `Coupa downloads: ${this.total} PO(s) with up to ${config.workers} window(s)` +
        (this.location ? ` → ${this.location.runRoot}${this.location.resumed ? ' (resuming an interrupted run)' : ''}` : ''),
    );
    if (!this.location || this.total === 0) return;
    this.governor = this.startGovernor(config.workers, this.location, this.settings);
    const progressDir = windowProgressDirFor(this.location.stateDir);
    this.poll = setInterval(() => {
      for (const event of readWindowProgress(progressDir)) this.state.apply(event);
      this.writer.update(this.state.snapshot(Date.now()));
    }, 250);
  }

  /**
   * Load-adaptive concurrency (FR-006, PR-004): the governor samples CPU and memory and
   * publishes how many windows may take POs; the windows read it before each PO.
   */
  private startGovernor(workers: number, location: RunLocation, settings: Settings): LoadGovernor {
    const governor = new LoadGovernor({
      file: gateFileFor(location.stateDir),
      signal: loadSignalFromEnv(),
      controller: {
        maxWindows: workers,
        limits: { cpuPercent: settings.cpuLimitPercent, memoryPercent: settings.memoryLimitPercent },
        cooldownMs: settings.loadCooldownMs,
        holdMs: settings.loadRaiseAfterMs,
      },
      onSample: (sample, target) => {
        this.state.apply({ type: 'load', at: sample.at, cpuPercent: sample.cpuPercent, memoryPercent: sample.memoryPercent });
        this.state.apply({ type: 'target', at: sample.at, target });
      },
      onChange: (change) =>
        this.writer.log(
          `[load] CPU ${change.cpuPercent.toFixed(0)}%, memory ${change.memoryPercent.toFixed(0)}%: windows taking POs ${change.from} → ${change.to} (${change.reason})`,
        ),
      onError: (error) => this.writer.log(`[load] ${(error as Error).message.split('\n')[0]}`),
    });
    void governor.start(settings.loadSampleMs);
    return governor;
  }

  onStdOut(chunk: string | Buffer): void {
    this.writer.log(chunk.toString().replace(/\n$/, ''));
  }

  onStdErr(chunk: string | Buffer): void {
    this.writer.log(chunk.toString().replace(/\n$/, ''));
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    const attachment = result.attachments.find((a) => a.name === PO_RESULT_ATTACHMENT);
    const po = poFromAnnotations(test.annotations);
    const finalAttempt = result.status === 'passed' || result.status === 'skipped' || result.retry >= test.retries;
    if (attachment?.body) {
      const outcome = JSON.parse(attachment.body.toString('utf8')) as PoResult;
      this.finished(outcome.poNumber, outcome.status, outcome.window);
      this.line(`${outcome.poNumber} ${outcome.status} ${outcome.attachmentsDownloaded}/${outcome.attachmentsFound} file(s) [window ${outcome.window}]`);
      return;
    }
    if (!po || result.status === 'interrupted' || result.status === 'skipped') return;
    const reason = (result.error?.message ?? result.status).split('\n')[0];
    if (!finalAttempt) {
      this.line(`${po.poNumber} attempt ${result.retry + 1} failed (${reason}); its window restarts and the PO is retried`);
      return;
    }
    this.finished(po.poNumber, 'FAILED');
    if (this.location) {
      new ResultJournal(this.location.journalFile).append(
        resultWithoutFiles(po, {
          status: 'FAILED',
          window: '',
          errorMessage: `Failed after ${result.retry + 1} attempt(s): ${reason}`,
          durationMs: result.duration,
        }),
      );
    }
    this.line(`${po.poNumber} FAILED after ${result.retry + 1} attempt(s): ${reason}`);
  }

  private finished(poNumber: string, status: PoResult['status'], window?: string): void {
    this.done++;
    this.state.apply({ type: 'po-finished', at: Date.now(), poNumber, status, ...(window ? { window } : {}) });
  }

  async onEnd(result: FullResult): Promise<void> {
    clearInterval(this.poll);
    const load: GovernorSummary | undefined = await this.governor?.stop();
    this.writer.finish(this.state.snapshot(Date.now()));
    const location = this.location;
    if (!location || !this.settings) return;
    const report = await writeFinalReport(location, this.settings.inputCsv);
    const windows = readWindowRecords(location.windowsDir);
    const windowSummary = path.join(location.runRoot, 'window-summary.json');
    writeWindowSummaryJson(windowSummary, windows);
    writeAllureWindowResults(location.allureResultsDir, windows);
    enrichAllureResults(location.allureResultsDir, {
      results: report.results,
      environment: { settings: this.settings, workers: this.workers, windows, plannedPos: report.plannedPos },
    });
    const summary = buildRunSummary({
      results: report.results,
      rowsByStatus: report.rowsByStatus,
      windows,
      startedAt: new Date(this.started),
      endedAt: new Date(),
      plannedPos: report.plannedPos,
      unfinishedPos: report.unfinishedPos,
      ...(load ? { load } : {}),
      paths: {
        runRoot: location.runRoot,
        reportCsv: report.reportFile,
        ...(report.reportXlsxFile ? { reportXlsx: report.reportXlsxFile } : {}),
        htmlReport: location.htmlReportDir,
        allureResults: location.allureResultsDir,
        windowSummary,
        runSummary: path.join(location.runRoot, 'run-summary.json'),
      },
    });
    writeRunSummary(summary.reports.runSummary, summary);
    process.stdout.write(
      `\n${formatRunSummary(summary, { color: !!process.stdout.isTTY })}\n` +
        (load ? formatLoadChanges(load) : '') +
        `Run ${result.status}.\n` +
        (this.shard
          ? `This was shard ${this.shard.current}/${this.shard.total}: the other shards' POs are in their own run folders; ` +
            'bring the folders together and run npm run merge-shards -- <folders…> for one report.\n'
          : report.complete
            ? ''
            : `${report.unfinishedPos} PO(s) unfinished: run the same command again to resume.\n`),
    );
  }

  private line(text: string): void {
    this.writer.log(`[${this.done}/${this.total}] ${text}`);
  }
}
