import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PlannedPo } from '../../../support/input/job-plan.js';
import type { PoResult } from '../../../support/po-result.js';
import type { WindowRecord } from '../../../support/window/window-record.js';
import { OWNER_FILE, type LockOwner } from '../../../support/shared/owned-lock.js';

export function scratchDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
}

export const plannedPo = (id: string): PlannedPo => ({ id, poNumber: `PO${id}`, title: `PO${id}`, rowNumbers: [2], hierarchy: null });

export const poResult = (id: string, fields: Partial<PoResult> = {}): PoResult => ({
  id,
  poNumber: `PO${id}`,
  status: 'COMPLETED',
  supplier: 'Acme',
  attachmentsFound: 1,
  attachmentsDownloaded: 1,
  files: [{ name: 'a.pdf', bytes: 3, sha256: 'abc', source: 'PO' }],
  convertedPdfs: [],
  finishedAt: new Date().toISOString(),
  errorMessage: '',
  downloadFolder: `/runs/${id}_COMPLETED`,
  coupaUrl: `http://127.0.0.1/order_headers/${id}`,
  window: 'A',
  durationMs: 5,
  ...fields,
});

/** A lock folder as another process (this machine's or another's) left it. */
export function plantLock(lockDir: string, owner: Partial<LockOwner> & Pick<LockOwner, 'pid'>, ageMs = 0): LockOwner {
  const full: LockOwner = { token: randomUUID(), host: os.hostname(), at: new Date().toISOString(), details: { runRoot: 'elsewhere', window: 'Z' }, ...owner };
  fs.mkdirSync(lockDir, { recursive: true });
  fs.writeFileSync(path.join(lockDir, OWNER_FILE), JSON.stringify(full));
  const when = new Date(Date.now() - ageMs);
  fs.utimesSync(lockDir, when, when);
  return full;
}

export const windowRecord = (window: string, workerIndex: number, fields: Partial<WindowRecord> = {}): WindowRecord => ({
  window,
  parallelIndex: window.charCodeAt(0) - 65,
  workerIndex,
  pid: process.pid,
  kind: window === 'A' ? 'base' : 'clone',
  userDataDir: `/profiles/${window}`,
  profileDir: `/profiles/${window}/Default`,
  state: 'verified',
  verification: [{ method: 'session', ok: true, detail: 'signed in', durationMs: 10 }],
  attempts: 1,
  remediation: [],
  timings: { slotWaitMs: 0, cloneMs: 0, launchWaitMs: 0, launchMs: 100, verifyMs: 100, totalStartMs: 200 },
  parkings: [],
  cloneSpans: [],
  launchSpans: [],
  heldBeforeLaunch: [],
  browser: 'Chromium',
  posDone: 0,
  posFailed: 0,
  startedAt: new Date().toISOString(),
  ...fields,
});
