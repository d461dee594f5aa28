import fs from 'node:fs';
import path from 'node:path';
import { jsonText, writeFileAtomicSync } from '../shared/atomic-file.js';
import type { WindowRecord } from './window-record.js';
import { allureWindowFiles } from './window-allure.js';

/**
 * The operator's answer to "was every window on its intended profile?" (PROFILE-08, PROFILE-15):
 * one line per window instance (a window restarted by Playwright appears once per start),
 * as a terminal table, as JSON in the run folder and as one Allure entry per browser start.
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

/** The windows' entries in the Allure results folder: one per browser start (see window-allure.ts). */
export function writeAllureWindowResults(resultsDir: string, records: WindowRecord[]): void {
  fs.mkdirSync(resultsDir, { recursive: true });
  for (const file of allureWindowFiles(records)) fs.writeFileSync(path.join(resultsDir, file.name), file.body);
}
