import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import type { PoResult } from '../../support/po-result.js';
import { runPaths } from '../../support/run-state/run-paths.js';
import { fixtureCatalogue, inputCsvText } from '../../tooling/simulator/index.js';
import { createJobHarness, type JobHarness } from './helpers/job-harness.js';
import { htmlReportTests, type HtmlReportStep, type HtmlReportTest } from './helpers/report-data.js';

/**
 * A PO processed by one window on behalf of another (a hand-over) is reported under its own
 * test, with its own steps and their outcomes; the serving window's test shows only that it
 * served it. Window B is signed out at every start and gives up at once, so every PO
 * Playwright gives it is handed over to window A. The first two POs fail (downloads that
 * fail, a page that answers HTTP 500), so whichever of them B gets has a failed step.
 */
const ids = ['4100020', '4100021', '4100001', '4100012'];
const pos = ids.map((id) => fixtureCatalogue().pos.find((po) => po.id === id)!);

let harness: JobHarness;
let runRoot: string;
let journal: Map<string, PoResult>;
let tests: HtmlReportTest[];

test.beforeAll(async () => {
  test.setTimeout(240_000);
  harness = await createJobHarness({ name: 'handover', inputCsv: inputCsvText(pos) });
  const { code, output } = await harness.run({
    env: { REMEDIATION_MAX_ATTEMPTS: '1', REMEDIATION_BUDGET_MS: '1000', COUPA_TEST_FAULTS: JSON.stringify({ signOutAfterLaunch: { B: 'always' } }) },
    args: ['--workers=2'],
  });
  expect(code, output).toBe(1);
  expect(output).toContain('[window B] stops taking POs');
  runRoot = harness.runRoots()[0]!;
  journal = harness.journal(runRoot);
  tests = htmlReportTests(runPaths(runRoot).htmlReportDir);
});

test.afterAll(async () => {
  await harness?.close();
});

const titles = (steps: HtmlReportStep[]): string[] => steps.flatMap((s) => [s.title, ...titles(s.steps)]);
const failedSteps = (steps: HtmlReportStep[]): HtmlReportStep[] => steps.flatMap((s) => [...(s.error ? [s] : []), ...failedSteps(s.steps)]);
const JOB_STEP = /^(Open PO page|Discover PO attachments|Download|Saved|PR fallback|Convert)/;
const testOf = (id: string) => tests.find((t) => t.title.includes(id))!;

test('a PO handed over shows its steps under its own test, a failed one failed; the serving test only says it served it', () => {
  for (const id of ids) expect(journal.get(id)?.window, `${id} was processed by window A`).toBe('A');
  // B's worker is parallel index 1: its tests ran there, their POs in window A.
  const handedOver = ids.filter((id) => testOf(id).results.at(-1)!.annotations.some((a) => a.type === 'window' && a.description?.startsWith('window B')));
  expect(handedOver.length, 'window B got at least its first PO').toBeGreaterThanOrEqual(1);

  for (const id of handedOver) {
    const result = testOf(id).results.at(-1)!;
    const replay = result.steps.find((s) => s.title === 'Processed by window A for window B');
    expect(replay, `${id}: its steps are under its own test`).toBeDefined();
    expect(titles(replay!.steps).some((t) => /^Open PO page http.*\(\d+\.\d s\)$/.test(t)), `${id}: ${titles(replay!.steps).join(' | ')}`).toBe(true);
    if (journal.get(id)!.status === 'FAILED') {
      expect(failedSteps(replay!.steps).length, `${id}: a step that failed is shown failed`).toBeGreaterThan(0);
    }
  }
  const firstFailing = handedOver.find((id) => ['4100020', '4100021'].includes(id));
  expect(firstFailing, 'one of the failing POs went through window B').toBeDefined();

  for (const id of ids.filter((id) => !handedOver.includes(id))) {
    const steps = testOf(id).results.at(-1)!.steps;
    // The browser calls Playwright records by itself (Navigate, Evaluate) happen in the serving test; the job's steps do not.
    for (const served of steps.filter((s) => /^Processed \S+ for window B \(its steps are in its own test\)$/.test(s.title))) {
      expect(titles(served.steps).filter((t) => JOB_STEP.test(t)), `${id}'s test holds no step of the PO it served`).toEqual([]);
    }
    for (const other of handedOver) expect(titles(steps).join('\n'), `${id}'s test shows nothing of ${other}'s pages`).not.toContain(`/order_headers/${other}`);
  }
});

test('Allure shows the handed-over PO\'s steps under its own result too', () => {
  const resultsDir = runPaths(runRoot).allureResultsDir;
  interface AllureStep {
    name: string;
    status: string;
    steps?: AllureStep[];
  }
  const names = (steps: AllureStep[] = []): string[] => steps.flatMap((s) => [s.name, ...names(s.steps)]);
  const results = fs
    .readdirSync(resultsDir)
    .filter((f) => f.endsWith('-result.json'))
    .map((f) => JSON.parse(fs.readFileSync(path.join(resultsDir, f), 'utf8')) as { name: string; steps?: AllureStep[] });
  for (const id of ids) {
    const result = results.find((r) => r.name.includes(id))!;
    const own = names(result.steps).filter((n) => n.includes('/order_headers/'));
    expect(own.length, `${id} has its page steps`).toBeGreaterThan(0);
    for (const name of own) expect(name, `${id}'s Allure result holds only its own pages`).toContain(`/order_headers/${id}`);
  }
});
