import { expect, test } from '@playwright/test';
import type { PoResult, PoStatus } from '../../support/po-result.js';
import {
  allureStatusOf,
  applyOutcome,
  dropInternalAttachSteps,
  outcomeAnnotations,
  type OutcomeTarget,
  type StepLike,
} from '../../support/report/po-outcome.js';
import { parsePoResult } from '../../support/run-state/po-result-schema.js';

function poResult(status: PoStatus, overrides: Partial<PoResult> = {}): PoResult {
  return {
    id: '4100021',
    poNumber: 'PO4100021',
    status,
    supplier: 'Acme Industrial',
    attachmentsFound: 3,
    attachmentsDownloaded: 2,
    files: [],
    convertedPdfs: [],
    finishedAt: '2025-03-04T10:00:00.000+01:00',
    errorMessage: '',
    downloadFolder: '/runs/EU/PO4100021_PARTIAL',
    coupaUrl: 'https://acme.coupahost.com/order_headers/4100021',
    window: 'B',
    durationMs: 1200,
    ...overrides,
  };
}

const passedTest = (): OutcomeTarget => ({ status: 'passed', annotations: [{ type: 'window', description: 'window B' }], errors: [] });

test('a PO test shows its status, supplier, files, reason and folder as annotations', () => {
  const partial = poResult('PARTIAL', { errorMessage: 'damaged scan.pdf: server answered HTTP 500 (https://acme.coupahost.com/x?token=abc)', convertedPdfs: ['mail.pdf'] });
  expect(outcomeAnnotations(partial)).toEqual([
    { type: 'Outcome', description: 'PARTIAL' },
    { type: 'Supplier', description: 'Acme Industrial' },
    { type: 'Files', description: '3 found, 2 downloaded, 1 PDF(s) made from Outlook messages' },
    // Reports never carry a URL's query.
    { type: 'Reason', description: 'damaged scan.pdf: server answered HTTP 500 (https://acme.coupahost.com/x)' },
    { type: 'Folder', description: '/runs/EU/PO4100021_PARTIAL' },
  ]);
  const completed = outcomeAnnotations(poResult('COMPLETED', { supplier: '', downloadFolder: '', errorMessage: 'PR fallback used' }));
  expect(completed).toEqual([
    { type: 'Outcome', description: 'COMPLETED' },
    { type: 'Files', description: '3 found, 2 downloaded' },
    { type: 'Note', description: 'PR fallback used' },
  ]);
});

for (const status of ['FAILED', 'PARTIAL', 'TIMEOUT'] as const) {
  test(`a ${status} PO turns its passed test into a failed one with the reason as the error`, () => {
    const target = passedTest();
    applyOutcome(target, poResult(status, { errorMessage: 'why it ended so' }));
    expect(target.status).toBe('failed');
    expect(target.errors).toEqual([{ message: `Outcome ${status}: why it ended so` }]);
    expect(target.error).toBe(target.errors[0]);
    expect(target.annotations[0]).toEqual({ type: 'window', description: 'window B' });
    expect(target.annotations).toContainEqual({ type: 'Outcome', description: status });
  });
}

for (const status of ['COMPLETED', 'NO_ATTACHMENTS', 'PO_NOT_FOUND', 'PR_NOT_ACCESSIBLE', 'LOCKED'] as const) {
  test(`a ${status} PO keeps its test passed and gets its annotations`, () => {
    const target = passedTest();
    applyOutcome(target, poResult(status, { errorMessage: status === 'COMPLETED' ? '' : 'what Coupa said' }));
    expect(target.status).toBe('passed');
    expect(target.errors).toEqual([]);
    expect(target.error).toBeUndefined();
    expect(target.annotations).toContainEqual({ type: 'Outcome', description: status });
  });
}

test('a test that failed on its own keeps its own error; applying twice does not repeat the annotations', () => {
  const crashed: OutcomeTarget = { status: 'failed', annotations: [], errors: [{ message: 'WindowGoneError: browser closed' }] };
  applyOutcome(crashed, poResult('FAILED', { errorMessage: 'x' }));
  expect(crashed.errors).toEqual([{ message: 'WindowGoneError: browser closed' }]);
  const target = passedTest();
  applyOutcome(target, poResult('FAILED'));
  applyOutcome(target, poResult('FAILED'));
  expect(target.annotations.filter((a) => a.type === 'Outcome')).toHaveLength(1);
  expect(target.errors).toEqual([{ message: 'Outcome FAILED: no further detail' }]);
});

test('Allure: downloads that failed are failed, a page that never came is broken, the rest passes', () => {
  expect(allureStatusOf('FAILED')).toBe('failed');
  expect(allureStatusOf('PARTIAL')).toBe('failed');
  expect(allureStatusOf('TIMEOUT')).toBe('broken');
  for (const status of ['COMPLETED', 'NO_ATTACHMENTS', 'PO_NOT_FOUND', 'PR_NOT_ACCESSIBLE', 'LOCKED'] as const) expect(allureStatusOf(status)).toBe('passed');
});

test('steps that only attached internal data leave the step tree; other steps and attachments stay', () => {
  const step = (category: string, names: string[], steps: StepLike[] = []): StepLike => ({ category, attachments: names.map((name) => ({ name })), steps });
  const result = {
    steps: [
      step('test.step', [], [step('test.attach', ['_po-result.json']), step('test.attach', ['screenshot'])]),
      step('test.attach', ['_po-result.json']),
      step('test.attach', ['_a', 'b']),
      step('test.step', ['_x']),
    ],
  };
  dropInternalAttachSteps(result);
  expect(result.steps).toEqual([step('test.step', [], [step('test.attach', ['screenshot'])]), step('test.attach', ['_a', 'b']), step('test.step', ['_x'])]);
});

test('an attachment that is not a PO result is not read as one', () => {
  expect(parsePoResult(JSON.stringify(poResult('COMPLETED')))?.status).toBe('COMPLETED');
  expect(parsePoResult('{"id":"1","status":"COMPLETED"}')).toBeUndefined();
  expect(parsePoResult('null')).toBeUndefined();
  expect(parsePoResult('{cut')).toBeUndefined();
});
