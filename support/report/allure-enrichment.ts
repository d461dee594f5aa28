import fs from 'node:fs';
import path from 'node:path';
import { PO_RESULT_ATTACHMENT } from '../run/po-test-annotations.js';
import type { PoResult } from '../po-result.js';
import { parsePoResult } from '../run-state/po-result-schema.js';
import { windowLetter } from '../window/window-identity.js';
import { ALLURE_CATEGORIES } from './allure-categories.js';
import { buildAllureEnvironment, formatProperties, type AllureEnvironmentInput } from './allure-environment.js';
import { allureStatusOf, outcomeMessage } from './po-outcome.js';

/**
 * Turns what allure-playwright wrote into the operator's report: each PO test carries its
 * outcome (so categories can tell business outcomes from infrastructure faults) and the
 * status that goes with it (FAILED, PARTIAL: failed; TIMEOUT: broken; others passed, as
 * the CSV report counts them), runs on the timeline thread of the window that processed
 * it, and is tagged with its status and window. Runs after every reporter has written its
 * results (end of the run).
 */
export interface AllureLabel {
  name: string;
  value: string;
}

interface AllureAttachmentRef {
  name: string;
  source: string;
  type?: string;
}

interface AllureStepLike {
  attachments?: AllureAttachmentRef[];
  steps?: AllureStepLike[];
}

/** The fields of an Allure result file this module reads or writes; everything else is kept as is. */
export interface AllureTestResult extends AllureStepLike {
  uuid: string;
  name?: string;
  status?: string;
  statusDetails?: { message?: string; trace?: string; [key: string]: unknown };
  labels?: AllureLabel[];
  [key: string]: unknown;
}

/** Purchase-order tests of the job are written by allure-playwright; window entries by our reporter. */
export function isJobTestResult(result: AllureTestResult): boolean {
  return (result.labels ?? []).some((l) => l.name === 'framework' && l.value === 'playwright');
}

function findAttachment(node: AllureStepLike, name: string): AllureAttachmentRef | undefined {
  for (const attachment of node.attachments ?? []) if (attachment.name === name) return attachment;
  for (const step of node.steps ?? []) {
    const found = findAttachment(step, name);
    if (found) return found;
  }
  return undefined;
}

/** The PoResult a PO test attached, read from the results folder. */
export function attachedPoResult(resultsDir: string, result: AllureTestResult): PoResult | undefined {
  const attachment = findAttachment(result, PO_RESULT_ATTACHMENT);
  if (!attachment) return undefined;
  try {
    return parsePoResult(fs.readFileSync(path.join(resultsDir, attachment.source), 'utf8'));
  } catch {
    return undefined;
  }
}

/** allure-playwright names the thread `pid-<runner>-worker-<parallelIndex>`; the parallel index is the window's slot. */
export function windowFromThread(labels: AllureLabel[]): string | undefined {
  const thread = labels.find((l) => l.name === 'thread')?.value ?? '';
  const match = /-worker-(\d+)$/.exec(thread);
  return match ? windowLetter(Number(match[1])) : undefined;
}

/** A PO test's title carries the PO number; its digits are the Coupa id. */
export function poFromTitle(name: string | undefined, results: PoResult[]): PoResult | undefined {
  const digits = /\d{6,}/.exec(name ?? '')?.[0];
  return digits ? results.find((r) => r.id === digits) : undefined;
}

/** `replace`: the label takes the place of the first one of its name (others of that name go); else it is added once. */
function withLabel(labels: AllureLabel[], label: AllureLabel, replace: boolean): AllureLabel[] {
  if (!replace) return labels.some((l) => l.name === label.name && l.value === label.value) ? labels : [...labels, label];
  let placed = false;
  const out = labels.flatMap((l) => {
    if (l.name !== label.name) return [l];
    if (placed) return [];
    placed = true;
    return [label];
  });
  return placed ? out : [...out, label];
}

/** A test that failed on its own (a window fault), not because its PO's outcome was reported as a failure. */
function failedOnItsOwn(result: AllureTestResult): boolean {
  return result.status !== 'passed' && !(result.statusDetails?.message ?? '').startsWith('Outcome ');
}

/**
 * One PO test's result, enriched. `po` is the outcome the test attached; for a passed
 * test without one, the PO found by the number in its title. A test that failed on its
 * own keeps Playwright's error (categories match it as an infrastructure fault) and runs
 * on the thread of the window it ran in.
 */
export function enrichPoTestResult(result: AllureTestResult, po: PoResult | undefined): AllureTestResult {
  let labels = result.labels ?? [];
  const outcome = failedOnItsOwn(result) ? undefined : po;
  const window = outcome?.window || windowFromThread(labels);
  if (window) {
    labels = withLabel(labels, { name: 'thread', value: `window ${window}` }, true);
    labels = withLabel(labels, { name: 'tag', value: `window ${window}` }, false);
  }
  if (outcome) labels = withLabel(labels, { name: 'tag', value: outcome.status }, false);
  // The PO list groups tests by outcome; a test that failed is grouped with the infrastructure faults.
  labels = withLabel(labels, { name: 'parentSuite', value: 'Purchase orders' }, true);
  labels = withLabel(labels, { name: 'suite', value: outcome ? outcome.status : failedOnItsOwn(result) ? 'Infrastructure faults' : 'Outcome not recorded' }, true);
  if (!outcome) return { ...result, labels };
  const statusDetails = outcome.status !== 'COMPLETED' ? { ...result.statusDetails, message: outcomeMessage(outcome) } : result.statusDetails;
  return { ...result, status: allureStatusOf(outcome.status), labels, ...(statusDetails ? { statusDetails } : {}) };
}

export interface EnrichmentInput {
  /** Every PO of the run (from the final report), to place a passed test that attached no result. */
  results: PoResult[];
  environment: AllureEnvironmentInput;
}

export interface EnrichmentSummary {
  poTests: number;
  withOutcome: number;
}

export function writeAllureCategories(resultsDir: string): void {
  fs.writeFileSync(path.join(resultsDir, 'categories.json'), JSON.stringify(ALLURE_CATEGORIES, null, 2));
}

export function writeAllureEnvironment(resultsDir: string, input: AllureEnvironmentInput): void {
  fs.writeFileSync(path.join(resultsDir, 'environment.properties'), formatProperties(buildAllureEnvironment(input)));
}

/**
 * Rewrites every PO test result of `resultsDir` and writes `categories.json` and
 * `environment.properties`. Safe to run again on the same folder (a resumed run does).
 */
export function enrichAllureResults(resultsDir: string, input: EnrichmentInput): EnrichmentSummary {
  fs.mkdirSync(resultsDir, { recursive: true });
  const summary: EnrichmentSummary = { poTests: 0, withOutcome: 0 };
  for (const file of fs.readdirSync(resultsDir).filter((f) => f.endsWith('-result.json'))) {
    const full = path.join(resultsDir, file);
    let result: AllureTestResult;
    try {
      result = JSON.parse(fs.readFileSync(full, 'utf8')) as AllureTestResult;
    } catch {
      continue; // A result cut off by a killed run: Allure skips it as well.
    }
    if (!isJobTestResult(result)) continue;
    const po = attachedPoResult(resultsDir, result) ?? (result.status === 'passed' ? poFromTitle(result.name, input.results) : undefined);
    const enriched = enrichPoTestResult(result, po);
    summary.poTests++;
    if (po && !failedOnItsOwn(result)) summary.withOutcome++;
    fs.writeFileSync(full, JSON.stringify(enriched));
  }
  writeAllureCategories(resultsDir);
  writeAllureEnvironment(resultsDir, input.environment);
  return summary;
}
