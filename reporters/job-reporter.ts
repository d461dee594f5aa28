import { stripVTControlCharacters } from 'node:util';
import type { FullConfig, FullResult, Reporter, Suite, TestCase, TestResult } from '@playwright/test/reporter';
import { PO_RESULT_ATTACHMENT, poFromAnnotations, poIdsOf } from '../support/run/po-test-annotations.js';
import { closedRunVerdict } from '../support/run/run-verdict.js';
import type { PoResult } from '../support/po-result.js';
import { ProgressState } from '../support/progress/progress-state.js';
import { RunLog, showDetail } from '../support/progress/run-log.js';
import { createProgressWriter, type ProgressWriter } from '../support/progress/progress-writer.js';
import { closingFile } from '../support/run-state/closing.js';
import { parsePoResult } from '../support/run-state/po-result-schema.js';
import { readGate } from '../support/run-state/load-files.js';
import { RunState } from '../support/run-state/run-state.js';

/**
 * The operator's view of the run: live progress (redrawn in a terminal, a line now and then
 * in a log), the window logs, a line per finished PO and the load governor's decisions as
 * they happen, and at the end the run summary the job's teardown wrote; every line but the
 * progress also in the run folder's run.log, and only per-PO lines, progress and summary on
 * the terminal with QUIET=true. It only reports:
 * the job (global setup and teardown, fixtures) runs the governor, journals every PO and
 * writes the reports, whichever reporters the command line chose.
 */
export default class JobReporter implements Reporter {
  private total = 0;
  private done = 0;
  private readonly state = new ProgressState();
  // Past the run log: the progress block is redrawn in place, the log gets the lines (say).
  private readonly writer: ProgressWriter = createProgressWriter(RunLog.current()?.terminal ?? process.stdout);
  private poll: NodeJS.Timeout | undefined;
  private run: RunState | undefined;
  private loadSeenAt = 0;
  private loadChangesSeen = 0;
  private selected: Set<string> | undefined;

  printsToStdio(): boolean {
    return true;
  }

  onBegin(config: FullConfig, suite: Suite): void {
    this.total = suite.allTests().length;
    this.selected = poIdsOf(suite);
    this.run = RunState.published();
    this.state.apply({ type: 'run-started', at: Date.now(), total: this.total, maxWindows: config.workers });
    this.say(
      `Coupa downloads: ${this.total} PO(s) with up to ${config.workers} window(s)` +
        (this.run ? ` → ${this.run.paths.runRoot}${this.run.handle.resumed ? ' (resuming an interrupted run)' : ''}` : ''),
    );
    if (!this.run || this.total === 0) return;
    const run = this.run;
    const progress = run.progressFiles();
    this.poll = setInterval(() => {
      for (const event of progress.readAll()) this.state.apply(event);
      this.followLoad(run.paths.loadGateFile);
      this.writer.update(this.state.snapshot(Date.now()));
    }, 250);
  }

  /** The governor's latest sample and target for the display, and each change as a line. */
  private followLoad(gateFile: string): void {
    let gate;
    try {
      gate = readGate(gateFile);
    } catch {
      return;
    }
    if (!gate) return;
    const sample = gate.lastSample;
    if (sample && sample.at !== this.loadSeenAt) {
      this.loadSeenAt = sample.at;
      this.state.apply({ type: 'load', at: sample.at, cpuPercent: sample.cpuPercent, memoryPercent: sample.memoryPercent });
      this.state.apply({ type: 'target', at: sample.at, target: gate.target });
    }
    for (const change of gate.events.slice(this.loadChangesSeen)) {
      const line = `[load] CPU ${change.cpuPercent.toFixed(0)}%, memory ${change.memoryPercent.toFixed(0)}%: windows taking POs ${change.from} → ${change.to} (${change.reason})`;
      showDetail(line, (shown) => this.say(shown));
    }
    this.loadChangesSeen = gate.events.length;
  }

  /** The windows' log lines: detail, which QUIET=true keeps off the terminal. */
  onStdOut(chunk: string | Buffer): void {
    showDetail(chunk.toString().replace(/\n$/, ''), (line) => this.say(line));
  }

  onStdErr(chunk: string | Buffer): void {
    this.say(chunk.toString().replace(/\n$/, ''));
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    const attachment = result.attachments.find((a) => a.name === PO_RESULT_ATTACHMENT);
    const po = poFromAnnotations(test.annotations);
    const outcome = attachment?.body ? parsePoResult(attachment.body.toString('utf8')) : undefined;
    if (outcome) {
      this.finished(outcome.poNumber, outcome.status, outcome.window);
      this.line(`${outcome.poNumber} ${outcome.status} ${outcome.attachmentsDownloaded}/${outcome.attachmentsFound} file(s) [window ${outcome.window}]`);
      return;
    }
    if (!po || result.status === 'interrupted' || result.status === 'skipped') return;
    const reason = stripVTControlCharacters(result.error?.message ?? result.status).split('\n')[0];
    const finalAttempt = result.status === 'passed' || result.retry >= test.retries;
    if (!finalAttempt) {
      this.line(`${po.poNumber} attempt ${result.retry + 1} failed (${reason}); its window restarts and the PO is retried`);
      return;
    }
    this.finished(po.poNumber, 'FAILED');
    this.line(`${po.poNumber} FAILED after ${result.retry + 1} attempt(s): ${reason}`);
  }

  private finished(poNumber: string, status: PoResult['status'], window?: string): void {
    this.done++;
    this.state.apply({ type: 'po-finished', at: Date.now(), poNumber, status, ...(window ? { window } : {}) });
  }

  onEnd(result: FullResult): void {
    clearInterval(this.poll);
    if (this.run) this.followLoad(this.run.paths.loadGateFile);
    this.writer.finish(this.state.snapshot(Date.now()));
    if (!this.run) return;
    let closing;
    try {
      closing = closingFile.read(this.run.paths.closingFile);
    } catch (error) {
      process.stdout.write(`\n${(error as Error).message}\n`);
    }
    if (!closing) return;
    const verdict = closedRunVerdict(this.run, this.selected, result.status);
    process.stdout.write(`\n${closing.summary}${closing.shardAdvice}${verdict ? `${verdict.line}\n` : ''}`);
  }

  private line(text: string): void {
    this.say(`[${this.done}/${this.total}] ${text}`);
  }

  /** A line above the progress block, and in the run log. */
  private say(text: string): void {
    this.writer.log(text);
    RunLog.current()?.record(`${text}\n`);
  }
}
