import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { readInputFile } from '../../support/input/input-reader.js';
import { PROJECT_ROOT } from '../../commands/job-process.js';
import { expectedOutcome, fixtureCatalogue } from '../../tooling/simulator/index.js';
import { waitForNoProcessesMentioning } from './helpers/job-harness.js';

/** `npm run demo` as the README gives it: the whole job, 3 windows, against the embedded simulator. */
test('npm run demo processes the sample batch with 3 windows and leaves nothing running', async () => {
  test.setTimeout(240_000);
  const child = spawn('npm', ['run', 'demo'], { cwd: PROJECT_ROOT, env: { ...process.env, FORCE_COLOR: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c));
  child.stderr.on('data', (c: Buffer) => (output += c));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  expect(code, output).toBe(0);
  // The demo makes its profile with the browser it found and runs the job with that same browser: nothing to warn about.
  expect(output).not.toContain('may open signed out');
  expect(output).toMatch(/\[setup\] browser: .* \(BROWSER_(EXECUTABLE|CHANNEL)/);

  const runRoot = /Reports in (.+)/.exec(output)?.[1]?.trim();
  expect(runRoot, output).toBeDefined();
  const reportPath = path.join(runRoot!, fs.readdirSync(runRoot!).find((f) => /^CoupaDownloads_Report_.*\.csv$/.test(f))!);
  const report = readInputFile(reportPath);
  const column = (name: string) => report.headers.indexOf(name);
  const byId = new Map(report.rows.map((r) => [r.values[column('PO_NUMBER')].replace(/\D/g, ''), r.values]));
  const catalogue = fixtureCatalogue();
  expect(report.rows.length).toBeGreaterThanOrEqual(20);
  for (const po of catalogue.pos) {
    expect(byId.get(po.id)?.[column('STATUS')], `${po.id}: ${po.scenario}`).toBe(expectedOutcome(po).status);
  }
  const windows = fs.readdirSync(path.join(runRoot!, '.run-state', 'windows'));
  expect(new Set(windows.map((w) => w[0]))).toEqual(new Set(['A', 'B', 'C']));

  const coupaPort = Number(/simulated Coupa at http:\/\/127\.0\.0\.1:(\d+)/.exec(output)?.[1]);
  const refused = await new Promise<boolean>((resolve) => {
    const socket = net.connect(coupaPort, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(false)));
    socket.once('error', () => resolve(true));
  });
  expect(refused, 'the simulator must be stopped').toBe(true);
  expect(await waitForNoProcessesMentioning(path.join(PROJECT_ROOT, '.demo'))).toEqual([]);
});
