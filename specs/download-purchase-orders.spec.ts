import { poAnnotation } from '../support/run/po-test-annotations.js';
import { test } from '../fixtures/job-fixtures.js';
import { loadFrozenPlan } from '../support/run/frozen-plan.js';
import { loadSettings } from '../support/settings.js';

/**
 * The download job: one test per PO of the input, spread over the workers (windows).
 * A business outcome (PO not found, no attachments, …) is a recorded result, not a test
 * failure; a test fails only when the window itself failed, and Playwright then restarts
 * that worker and retries the PO.
 */
const plan = await loadFrozenPlan(loadSettings().inputCsv);

test.describe.configure({ mode: 'parallel' });

for (const po of plan.pos) {
  test(po.title, { annotation: poAnnotation(po) }, async ({ processPurchaseOrder }) => {
    await processPurchaseOrder(po);
  });
}
