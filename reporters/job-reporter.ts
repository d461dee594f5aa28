import path from 'node:path';
import type { FullConfig, FullResult, Reporter, Suite, TestCase, TestResult } from '@playwright/test/reporter';
import { ResultJournal } from '../support/output/journal.js';
import type { PoResult } from '../support/po-result.js';
import { writeFinalReport } from '../support/run/final-report.js';
import { publishedRunLocation } from '../support/run/run-location.js';
import { loadSettings } from '../support/settings.js';
import { formatWindowTable, readWindowRecords, writeAllureWindowResults, writeWindowSummaryJson } from '../support/window/window-summary.js';
import { PO_RESULT_ATTACHMENT, poFromAnnotations } from '../fixtures/po-test-annotations.js';

/**
 * The operator's view of the run in the terminal: one line per finished PO, window logs
 * as they come, and at the end the CSV report written from the journal. It also journals
 * the POs whose test failed for good (a crashed window cannot journal its own failure).
 */
export default class JobReporter implements Reporter {
  private total = 0;
  private done = 0;
  private started = Date.now();

  printsToStdio(): boolean {
    return true;
  }

  onBegin(config: FullConfig, suite: Suite): void {
    this.total = suite.allTests().length;
    this.started = Date.now();
    const location = publishedRunLocation();
    process.stdout.write(
      `Coupa downloads: ${this.total} PO(s) with up to ${config.workers} window(s)` +
        (location ? ` → ${location.runRoot}${location.resumed ? ' (resuming an interrupted run)' : ''}` : '') +
        '\n',
    );
  }

  onStdOut(chunk: string | Buffer): void {
    process.stdout.write(chunk);
  }

  onStdErr(chunk: string | Buffer): void {
    process.stderr.write(chunk);
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    const attachment = result.attachments.find((a) => a.name === PO_RESULT_ATTACHMENT);
    const po = poFromAnnotations(test.annotations);
    const finalAttempt = result.status === 'passed' || result.status === 'skipped' || result.retry >= test.retries;
    if (attachment?.body) {
      const outcome = JSON.parse(attachment.body.toString('utf8')) as PoResult;
      this.done++;
      this.line(`${outcome.poNumber} ${outcome.status} ${outcome.attachmentsDownloaded}/${outcome.attachmentsFound} file(s) [window ${outcome.window}]`);
      return;
    }
    if (!po || result.status === 'interrupted' || result.status === 'skipped') return;
    const reason = (result.error?.message ?? result.status).split('\n')[0];
    if (!finalAttempt) {
      this.line(`${po.poNumber} attempt ${result.retry + 1} failed (${reason}); its window restarts and the PO is retried`);
      return;
    }
    this.done++;
    const location = publishedRunLocation();
    if (location) {
      new ResultJournal(location.journalFile).append({
        id: po.id,
        poNumber: po.poNumber,
        status: 'FAILED',
        supplier: '',
        attachmentsFound: 0,
        attachmentsDownloaded: 0,
        files: [],
        convertedPdfs: [],
        finishedAt: new Date().toISOString(),
        errorMessage: `Failed after ${result.retry + 1} attempt(s): ${reason}`,
        downloadFolder: '',
        coupaUrl: '',
        window: '',
        durationMs: result.duration,
      });
    }
    this.line(`${po.poNumber} FAILED after ${result.retry + 1} attempt(s): ${reason}`);
  }

  async onEnd(result: FullResult): Promise<void> {
    const location = publishedRunLocation();
    if (!location) return;
    const settings = loadSettings();
    const report = await writeFinalReport(location, settings.inputCsv);
    const windows = readWindowRecords(location.windowsDir);
    writeWindowSummaryJson(path.join(location.runRoot, 'window-summary.json'), windows);
    writeAllureWindowResults(location.allureResultsDir, windows);
    if (windows.length) process.stdout.write(`\nWindows:\n${formatWindowTable(windows)}\n`);
    const minutes = (Date.now() - this.started) / 60_000;
    const counts = Object.entries(report.rowsByStatus)
      .map(([status, n]) => `${status} ${n}`)
      .join(', ');
    process.stdout.write(
      `\nRun ${result.status}: ${this.done} PO(s) processed in ${minutes.toFixed(1)} min` +
        (minutes > 0 && this.done ? ` (${(this.done / minutes).toFixed(1)} POs/min)` : '') +
        `\nReport rows: ${counts || 'none'}` +
        `\nFiles and report: ${location.runRoot}\nReport: ${report.reportFile}\n` +
        (report.reportXlsxFile ? `Excel report: ${report.reportXlsxFile}\n` : '') +
        (report.complete ? '' : `${report.unfinishedPos} PO(s) unfinished: run the same command again to resume.\n`),
    );
  }

  private line(text: string): void {
    process.stdout.write(`[${this.done}/${this.total}] ${text}\n`);
  }
}
