import { expect, test } from '@playwright/test';
import { Remediation, RemediationBudget } from '../../support/window/remediation.js';
import { WindowVerificationError, type WindowRecord } from '../../support/window/window-record.js';

const record = (): WindowRecord => ({
  window: 'C',
  parallelIndex: 2,
  workerIndex: 2,
  pid: 1,
  kind: 'clone',
  userDataDir: '/tmp/c/User Data',
  profileDir: '/tmp/c/User Data/Default',
  state: 'starting',
  verification: [{ method: 'session', ok: false, detail: 'landed on the identity provider', durationMs: 5 }],
  attempts: 1,
  remediation: [],
  timings: { slotWaitMs: 0, cloneMs: 0, launchWaitMs: 0, launchMs: 0, verifyMs: 0, totalStartMs: 0 },
  parkings: [],
  cloneSpans: [],
  launchSpans: [],
  heldBeforeLaunch: [],
  browser: 'chromium',
  posDone: 0,
  posFailed: 0,
  startedAt: '2026-12-02T10:00:00.000Z',
});

test('the budget allows REMEDIATION_MAX_ATTEMPTS steps', () => {
  const budget = new RemediationBudget(2, 60_000, () => 0);
  expect(budget.spent()).toBeUndefined();
  budget.take();
  budget.take();
  expect(budget.spent()).toContain('REMEDIATION_MAX_ATTEMPTS');
});

test('no step starts after the time budget, however many steps are left', () => {
  let now = 1_000;
  const budget = new RemediationBudget(20, 5_000, () => now);
  now = 6_000;
  expect(budget.spent()).toBeUndefined();
  now = 6_001;
  expect(budget.spent()).toMatch(/time budget of 5\.0 s \(REMEDIATION_BUDGET_MS\)/);
});

test('each step is recorded when it begins; a spent budget ends the start with the reason and the last failure', () => {
  let now = 0;
  const w = record();
  let saves = 0;
  const remediation = new Remediation(w, new RemediationBudget(20, 1_000, () => now), () => saves++);
  const step = remediation.begin('retry-verification', 'session: landed on the identity provider');
  expect(w.remediation).toEqual([{ step: 'retry-verification', at: expect.any(String), reason: 'session: landed on the identity provider', ok: false }]);
  expect(saves).toBe(1);
  step.ok = true;
  now = 1_001;
  const error = (() => {
    try {
      remediation.begin('reload', 'session: landed on the identity provider');
    } catch (e) {
      return e;
    }
  })();
  expect(error).toBeInstanceOf(WindowVerificationError);
  expect((error as Error).message).toBe(
    'Window C (clone profile /tmp/c/User Data/Default) could not be verified after 1 round(s) and 1 remediation step(s) ' +
      '(the time budget of 1.0 s (REMEDIATION_BUDGET_MS) is spent): session: landed on the identity provider',
  );
  expect(w.remediation).toHaveLength(1);
});

test('a window that failed before any verification says what failed', () => {
  const w = { ...record(), verification: [], attempts: 0 };
  expect(new WindowVerificationError(w, '2 remediation step(s) allowed (REMEDIATION_MAX_ATTEMPTS) are used', 'clone copy failed (disk full)').message).toMatch(
    /after 0 round\(s\) and 0 remediation step\(s\) \(2 remediation step\(s\) allowed \(REMEDIATION_MAX_ATTEMPTS\) are used\): clone copy failed \(disk full\)$/,
  );
});
