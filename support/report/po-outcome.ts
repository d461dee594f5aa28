import type { PoResult, PoStatus } from '../po-result.js';
import { cleanText } from './clean-text.js';

/**
 * How a PO's outcome reads in the test reports (Playwright's HTML report, Allure). The
 * worker never fails a test for a business outcome: a failed test costs its window a
 * browser restart. The reports still must not call a PO "passed" while its files are not
 * on disk, so the outcomes a rerun can still change are shown as failures there, with the
 * reason as the message; the others (Coupa answered, the tool did its job) pass.
 */
export const FAILING_OUTCOMES: ReadonlySet<PoStatus> = new Set<PoStatus>(['FAILED', 'PARTIAL', 'TIMEOUT']);

export type AllureStatus = 'passed' | 'failed' | 'broken';

/** Downloads that failed are failures; a page Coupa never delivered is broken (nothing could be tried). */
export function allureStatusOf(status: PoStatus): AllureStatus {
  if (status === 'TIMEOUT') return 'broken';
  return FAILING_OUTCOMES.has(status) ? 'failed' : 'passed';
}

/** The message a PO test carries for an outcome other than COMPLETED (Allure categories match its start). */
export function outcomeMessage(result: Pick<PoResult, 'status' | 'errorMessage'>): string {
  return `Outcome ${result.status}: ${cleanText(result.errorMessage) || 'no further detail'}`;
}

/** Annotation types a person reads on a PO's test in the HTML report. */
export const OUTCOME_ANNOTATIONS = {
  outcome: 'Outcome',
  supplier: 'Supplier',
  files: 'Files',
  reason: 'Reason',
  note: 'Note',
  folder: 'Folder',
} as const;

export interface Annotation {
  type: string;
  description?: string;
}

export function outcomeAnnotations(result: PoResult): Annotation[] {
  const message = cleanText(result.errorMessage);
  const files =
    `${result.attachmentsFound} found, ${result.attachmentsDownloaded} downloaded` +
    (result.convertedPdfs.length ? `, ${result.convertedPdfs.length} PDF(s) made from Outlook messages` : '');
  return [
    { type: OUTCOME_ANNOTATIONS.outcome, description: result.status },
    ...(result.supplier ? [{ type: OUTCOME_ANNOTATIONS.supplier, description: result.supplier }] : []),
    { type: OUTCOME_ANNOTATIONS.files, description: files },
    ...(message ? [{ type: result.status === 'COMPLETED' ? OUTCOME_ANNOTATIONS.note : OUTCOME_ANNOTATIONS.reason, description: message }] : []),
    ...(result.downloadFolder ? [{ type: OUTCOME_ANNOTATIONS.folder, description: result.downloadFolder }] : []),
  ];
}

/** The parts of Playwright's TestResult the outcome is written into (the runner hands the same object to every reporter). */
export interface OutcomeTarget {
  status: string;
  annotations: Annotation[];
  errors: { message?: string }[];
  error?: { message?: string };
}

/**
 * Writes a PO's outcome into its test result: the annotations always, and for a failing
 * outcome of a test that passed in the worker, the failed status with the reason as its
 * error. A test that failed on its own keeps its own error.
 */
export function applyOutcome(target: OutcomeTarget, result: PoResult): void {
  const known = new Set(Object.values(OUTCOME_ANNOTATIONS) as string[]);
  target.annotations = [...target.annotations.filter((a) => !known.has(a.type)), ...outcomeAnnotations(result)];
  if (target.status !== 'passed' || !FAILING_OUTCOMES.has(result.status)) return;
  const error = { message: outcomeMessage(result) };
  target.status = 'failed';
  target.errors = [error];
  target.error = error;
}

/** Playwright's HTML report keeps annotations and attachments whose name starts with `_` off the page. */
export const isInternalName = (name: string) => name.startsWith('_');

export interface StepLike {
  category: string;
  attachments: { name: string }[];
  steps: StepLike[];
}

/**
 * Takes the steps that only attached internal data (`Attach "_po-result.json"`) out of a
 * result's step tree, so the page does not list them either; the attachments stay.
 */
export function dropInternalAttachSteps(container: { steps: StepLike[] }): void {
  container.steps = container.steps.filter(
    (step) => !(step.category === 'test.attach' && step.attachments.length > 0 && step.attachments.every((a) => isInternalName(a.name))),
  );
  for (const step of container.steps) dropInternalAttachSteps(step);
}

