import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import type { GateState } from '../../support/run-state/load-files.js';
import { expectedOutcome, generateBatch, inputCsvText, ONLY_COMPLETED } from '../../tooling/simulator/index.js';
import type { WindowRecord } from '../../support/window/window-record.js';
import { createJobHarness, waitForNoProcessesMentioning, windowSummary, type JobHarness } from './helpers/job-harness.js';

/**
 * Load-adaptive concurrency with real windows and an injected load signal: above the
 * limit the active window count drops one by one (windows park: browser closed), a load
 * that only dips below the limit does not bring them back (hysteresis), a load that stays
 * low does, and the parked windows start and verify again. No PO is lost or done twice.
 */
const catalogue = generateBatch({ count: 120, seed: 11, attachmentsPerPo: 1, minBytes: 12_000, maxBytes: 20_000, statusShares: ONLY_COMPLETED });

let harness: JobHarness;

/** Names of the window entries the run wrote for Allure. */
function allureWindowEntries(runRoot: string): string[] {
  const dir = path.join(runRoot, 'allure-results');
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('-result.json'))
    .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as { name: string; labels: { name: string; value: string }[] })
    .filter((r) => r.labels.some((l) => l.name === 'suite' && l.value === 'Windows'))
    .map((r) => r.name)
    .sort();
}

test.beforeAll(async () => {
  harness = await createJobHarness({ name: 'load', inputCsv: inputCsvText(catalogue.pos), sim: { catalogue, pageLatencyMs: 300 } });
});

test.afterAll(async () => {
  await harness?.close();
});

test('high load parks windows one by one, a dip does not bring them back, a steady low load does', async () => {
  test.setTimeout(240_000);
  const signalFile = path.join(harness.root, 'load.json');
  const setLoad = (cpuPercent: number) => {
    fs.writeFileSync(`${signalFile}.tmp`, JSON.stringify({ cpuPercent, memoryPercent: 40 }));
    fs.renameSync(`${signalFile}.tmp`, signalFile);
  };
  setLoad(30);
  const job = harness.start({
    env: { WORKERS: '3', LOAD_SIGNAL_FILE: signalFile, LOAD_SAMPLE_MS: '250', LOAD_COOLDOWN_MS: '1500', LOAD_RAISE_AFTER_MS: '3000' },
  });
  const runRoot = () => harness.runRoots()[0];
  const gate = () => JSON.parse(fs.readFileSync(path.join(runRoot(), '.run-state', 'load-gate.json'), 'utf8')) as GateState;
  const records = (): WindowRecord[] => {
    const dir = runRoot() && path.join(runRoot(), '.run-state', 'windows');
    return dir && fs.existsSync(dir) ? fs.readdirSync(dir).map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as WindowRecord) : [];
  };

  await expect.poll(() => records().filter((r) => r.state === 'verified').length, { timeout: 60_000 }).toBe(3);
  await expect.poll(() => harness.journal().size, { timeout: 30_000 }).toBeGreaterThanOrEqual(3);

  setLoad(95);
  await expect.poll(() => gate().target, { timeout: 20_000 }).toBe(1);
  await expect.poll(() => records().filter((r) => r.state === 'parked').map((r) => r.window).sort(), { timeout: 20_000 }).toEqual(['B', 'C']);
  const parkedAt = Date.now();
  const doneWhenParked = harness.journal().size;

  // A load that dips below the limit for less than LOAD_RAISE_AFTER_MS brings nobody back.
  for (let i = 0; i < 4; i++) {
    setLoad(i % 2 ? 95 : 20);
    await new Promise((r) => setTimeout(r, 1000));
    expect(gate().target).toBe(1);
  }
  setLoad(95);
  await new Promise((r) => setTimeout(r, 1000));
  expect(harness.journal().size, 'window A works on while B and C are parked').toBeGreaterThan(doneWhenParked);
  const parkedWorkers = [...harness.journal().values()].filter((r) => r.window !== 'A' && Date.parse(r.finishedAt) > parkedAt + 2_000);
  expect(parkedWorkers, 'parked windows take no PO').toEqual([]);

  setLoad(20);
  await expect.poll(() => gate().target, { timeout: 20_000 }).toBe(3);
  const ended = await job.done;
  expect(ended.code, ended.output).toBe(0);

  const finalGate = gate();
  expect(finalGate.events.map((e) => `${e.from}→${e.to}`)).toEqual(['3→2', '2→1', '1→2', '2→3']);
  // A change is decided on the samples of the last 10 s (its CPU is their mean): a reduction when most of them were above the limit.
  const [first, second, third, fourth] = finalGate.events;
  for (const reduction of [first!, second!]) {
    expect(reduction.reason).toBe('cpu-above-limit');
    expect(reduction.overloadedShare).toBeGreaterThanOrEqual(0.6);
    expect(reduction.cpuPercent).toBeGreaterThan(30);
  }
  for (const raise of [third!, fourth!]) {
    expect(raise.reason).toBe('load-below-limits');
    expect(raise.samples.at(-1)!.cpuPercent).toBe(20);
  }
  expect(ended.output).toMatch(/\[load\] CPU \d+%, memory 40%: windows taking POs 3 → 2 \(cpu-above-limit\)/);
  expect(ended.output).toMatch(/\[load\] CPU \d+%, memory 40%: windows taking POs 2 → 3 \(load-below-limits\)/);
  expect(ended.output, 'the end of the run lists every change').toMatch(/Load: peak CPU 95%.*4 change\(s\)[\s\S]*CPU \d+%, memory 40%: 3 → 2[\s\S]*CPU \d+%, memory 40%: 2 → 3/);

  const windows = windowSummary(runRoot());
  for (const letter of ['B', 'C']) {
    const w = windows.find((r) => r.window === letter)!;
    expect(w.parkings.length, letter).toBeGreaterThanOrEqual(1);
    expect(w.parkings[0].until, `${letter} came back`).toBeDefined();
    expect(w.attempts, `${letter} verified again after parking`).toBeGreaterThanOrEqual(2);
    expect(w.verification.every((v) => v.ok)).toBe(true);
    // Each start is a round of its own, verified on its own, and an entry of its own in Allure.
    expect(w.rounds?.map((r) => `${r.trigger} ${r.result}`), letter).toEqual(['start verified', ...w.parkings.map(() => 'unpark verified')]);
    const entries = allureWindowEntries(runRoot()).filter((name) => name.startsWith(`Window ${letter}, start `));
    expect(entries, letter).toEqual(w.rounds!.map((_, i) => `Window ${letter}, start ${i + 1}: clone profile, verified`));
  }
  expect(windows.find((w) => w.window === 'A')!.parkings).toEqual([]);

  const journal = harness.journal();
  for (const po of catalogue.pos) expect(journal.get(po.id)?.status, po.id).toBe(expectedOutcome(po).status);
  for (const po of catalogue.pos) expect(harness.sim.stats().poPageRequests[po.id], `${po.id} opened once`).toBe(1);
  expect(await waitForNoProcessesMentioning(harness.root)).toEqual([]);
});
