import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { jsonText, writeFileAtomicSync } from '../shared/atomic-file.js';
import type { WindowRecord } from './browser-window.js';

/**
 * The operator's answer to "was every window on its intended profile?" (FR-008, FR-015):
 * one line per window instance (a window restarted by Playwright appears once per start),
 * as a terminal table, as JSON in the run folder and as one Allure entry per window.
 */

const mark = (ok: boolean) => (ok ? 'ok' : 'FAILED');

export function verificationLine(record: WindowRecord): string {
  return record.verification.map((v) => `${v.method} ${mark(v.ok)}`).join(', ') || 'not verified';
}

/** One line for a PO's report: which window, on which profile, verified how. */
export function windowAnnotation(record: WindowRecord): string {
  return `window ${record.window} (${record.kind} profile ${record.profileDir}): ${record.state}; ${verificationLine(record)}`;
}

export function writeWindowSummaryJson(file: string, records: WindowRecord[]): void {
  writeFileAtomicSync(file, jsonText({ windows: records }, true), { durable: true });
}

type AllureStatus = 'passed' | 'failed' | 'broken' | 'skipped';

/**
 * One Allure result per window instance, in the "Windows" suite and labelled with the
 * window, so the Allure report shows each window's profile, verification methods and
 * remediation next to the POs (written in Allure's result format, as allure-playwright does).
 */
export function writeAllureWindowResults(resultsDir: string, records: WindowRecord[]): void {
  fs.mkdirSync(resultsDir, { recursive: true });
  for (const record of records) {
    const start = Date.parse(record.startedAt);
    const stop = record.endedAt ? Date.parse(record.endedAt) : start + record.timings.totalStartMs;
    const status: AllureStatus = record.state === 'failed' ? 'failed' : record.verification.every((v) => v.ok) ? 'passed' : 'broken';
    const attachment = `${crypto.randomUUID()}-attachment.json`;
    fs.writeFileSync(path.join(resultsDir, attachment), JSON.stringify(record, null, 2));
    const result = {
      uuid: crypto.randomUUID(),
      historyId: crypto.createHash('md5').update(`window-${record.window}`).digest('hex'),
      name: `Window ${record.window}: ${record.kind} profile, ${record.state}`,
      fullName: `windows/window-${record.window}/worker-${record.workerIndex}`,
      status,
      stage: 'finished',
      start,
      stop,
      description: `Profile path: ${record.profileDir}\nBrowser: ${record.browser}\nPOs done: ${record.posDone}, failed: ${record.posFailed}`,
      statusDetails: record.error ? { message: record.error } : {},
      labels: [
        { name: 'parentSuite', value: 'Profile verification' },
        { name: 'suite', value: 'Windows' },
        { name: 'subSuite', value: `Window ${record.window}` },
        { name: 'thread', value: `window ${record.window}` },
        { name: 'tag', value: `window ${record.window}` },
        { name: 'tag', value: `${record.kind} profile` },
      ],
      parameters: [
        { name: 'window', value: record.window },
        { name: 'profile kind', value: record.kind },
        { name: 'worker', value: String(record.workerIndex) },
      ],
      links: [],
      attachments: [{ name: 'window record', source: attachment, type: 'application/json' }],
      steps: [
        ...(record.kind === 'clone'
          ? [step(`Clone the profile snapshot (${record.clone?.method ?? 'n/a'}, ${record.timings.cloneMs} ms)`, 'passed', start, record.timings.cloneMs)]
          : []),
        step(`Launch the browser (${record.timings.launchMs} ms)`, 'passed', start, record.timings.launchMs),
        ...record.verification.map((v) => step(`Verify ${v.method}: ${v.detail}`, v.ok ? 'passed' : 'failed', start, v.durationMs)),
        ...record.remediation.map((r) => step(`Remediation ${r.step}: ${r.reason}`, r.ok ? 'passed' : 'failed', Date.parse(r.at), 0)),
      ],
    };
    fs.writeFileSync(path.join(resultsDir, `${result.uuid}-result.json`), JSON.stringify(result));
  }
}

function step(name: string, status: AllureStatus, start: number, durationMs: number) {
  return { name, status, stage: 'finished', start, stop: start + durationMs, steps: [], attachments: [], parameters: [], statusDetails: {} };
}
