import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { runPaths } from '../../support/run-state/run-paths.js';
import { fixtureCatalogue, inputCsvText } from '../../tooling/simulator/index.js';
import { createJobHarness, type JobHarness } from './helpers/job-harness.js';

/**
 * What a run leaves for whoever reads it later: run.log in the run folder holds what the
 * terminal showed, without the live progress, and timeline.html a picture of it; QUIET=true keeps the terminal to one line per
 * PO, the progress and the summary, while the log still has every line.
 */
const pos = fixtureCatalogue().pos.filter((po) => ['4100001', '4100012'].includes(po.id));

let harness: JobHarness;

test.beforeAll(async () => {
  harness = await createJobHarness({ name: 'run-log', inputCsv: inputCsvText(pos) });
});

test.afterAll(async () => {
  await harness?.close();
});

const isProgress = (line: string) => line.startsWith('progress ');
const runLogOf = (downloadDir: string) => fs.readFileSync(runPaths(harness.runRoots(downloadDir)[0]!).runLogFile, 'utf8');

test('run.log holds every line the terminal showed from the run folder on, but the progress', async () => {
  const downloadDir = path.join(harness.root, 'loud');
  const { code, output } = await harness.run({ env: { DOWNLOAD_DIR: downloadDir }, args: ['--workers=2'] });
  expect(code, output).toBe(0);
  const log = runLogOf(downloadDir);
  expect(log).toMatch(/^=== \d{4}-\d\d-\d\dT[\d:.]+Z /);
  const logLines = new Set(log.split('\n'));
  const shown = output.split('\n');
  const fromRun = shown.slice(shown.findIndex((l) => l.startsWith('[setup] input ')));
  for (const line of fromRun.filter((l) => l.trim() && !isProgress(l))) expect(logLines.has(line), `run.log lacks: ${line}`).toBe(true);
  expect(shown.some(isProgress), 'the terminal showed progress').toBe(true);
  expect(log.split('\n').filter(isProgress)).toEqual([]);
  for (const needle of ['[window A]', '[1/2] ', 'Run summary', 'Every PO of this run has a final outcome (exit code 0).']) expect(log).toContain(needle);
  expect(log, 'plain text').not.toContain('\u001b[');
  // The picture of the run is drawn at the end of every run and named in the summary.
  const runRoot = harness.runRoots(downloadDir)[0]!;
  expect(fs.readFileSync(runPaths(runRoot).timelineFile, 'utf8')).toContain('<svg');
  expect(output).toMatch(/\n {2}Timeline +timeline\.html {2}→ open it in a web browser\n/);
});

test('QUIET=true: per-PO lines, progress and summary on the terminal; every line still in run.log', async () => {
  const downloadDir = path.join(harness.root, 'quiet');
  const { code, output } = await harness.run({ env: { DOWNLOAD_DIR: downloadDir, QUIET: 'true' }, args: ['--workers=2'] });
  expect(code, output).toBe(0);
  expect(output, 'window log lines stay off a quiet terminal').not.toMatch(/^\d\d:\d\d:\d\d \[window /m);
  expect(output, 'so do the setup lines').not.toContain('[setup] ');
  for (const po of pos) expect(output).toMatch(new RegExp(`\\[\\d/2\\] \\S*${po.id} COMPLETED`));
  expect(output.split('\n').some(isProgress)).toBe(true);
  expect(output).toContain('Run summary');
  const log = runLogOf(downloadDir);
  for (const needle of ['[setup] input ', '[window A] ', '[window B] ', 'saved "', '[2/2] ', 'Run summary']) expect(log).toContain(needle);
});
