import type { FullConfig, FullResult, Reporter, Suite, TestCase, TestResult } from '@playwright/test/reporter';
import { PO_RESULT_ATTACHMENT, poIdsOf } from '../support/run/po-test-annotations.js';
import { closedRunVerdict } from '../support/run/run-verdict.js';
import { applyOutcome, dropInternalAttachSteps } from '../support/report/po-outcome.js';
import { parsePoResult } from '../support/run-state/po-result-schema.js';
import { RunState } from '../support/run-state/run-state.js';

/**
 * Puts each PO's outcome where the reports show it, and the run's outcome into its exit
 * code. First in the job's reporter list: the runner hands the same TestResult to every
 * reporter in order, after it has decided on retries and worker restarts, so a PO that
 * ended FAILED, PARTIAL or TIMEOUT is a failed test for the HTML report, Allure and the
 * run's status, without a retry and without restarting its window (which a failure in the
 * worker would cost). At the end the run's status becomes the job's verdict (exit code 0
 * only when every PO of the run has a final outcome), which the reporters after it see too.
 */
export default class PoOutcomeReporter implements Reporter {
  private selected: Set<string> | undefined;

  printsToStdio(): boolean {
    return false;
  }

  onBegin(_config: FullConfig, suite: Suite): void {
    this.selected = poIdsOf(suite);
  }

  onTestEnd(_test: TestCase, result: TestResult): void {
    const body = result.attachments.find((a) => a.name === PO_RESULT_ATTACHMENT)?.body;
    const outcome = body ? parsePoResult(body.toString('utf8')) : undefined;
    if (outcome) applyOutcome(result, outcome);
    dropInternalAttachSteps(result);
  }

  async onEnd(result: FullResult): Promise<{ status: FullResult['status'] } | undefined> {
    const verdict = closedRunVerdict(RunState.published(), this.selected, result.status);
    return verdict ? { status: verdict.status } : undefined;
  }
}
