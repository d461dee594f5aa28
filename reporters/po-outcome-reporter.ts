import type { Reporter, TestCase, TestResult } from '@playwright/test/reporter';
import { PO_RESULT_ATTACHMENT } from '../support/run/po-test-annotations.js';
import { applyOutcome, dropInternalAttachSteps } from '../support/report/po-outcome.js';
import { parsePoResult } from '../support/run-state/po-result-schema.js';

/**
 * Puts each PO's outcome where the reports show it. First in the job's reporter list: the
 * runner hands the same TestResult to every reporter in order, after it has decided on
 * retries and worker restarts, so a PO that ended FAILED, PARTIAL or TIMEOUT is a failed
 * test for the HTML report, Allure and the run's status, without a retry and without
 * restarting its window (which a failure in the worker would cost).
 */
export default class PoOutcomeReporter implements Reporter {
  printsToStdio(): boolean {
    return false;
  }

  onTestEnd(_test: TestCase, result: TestResult): void {
    const body = result.attachments.find((a) => a.name === PO_RESULT_ATTACHMENT)?.body;
    const outcome = body ? parsePoResult(body.toString('utf8')) : undefined;
    if (outcome) applyOutcome(result, outcome);
    dropInternalAttachSteps(result);
  }
}
