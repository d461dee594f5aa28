import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { closingFile } from '../../support/run-state/closing.js';
import { RunState } from '../../support/run-state/run-state.js';
import { closedRunVerdict, runVerdict } from '../../support/run/run-verdict.js';
import { JOB_EXIT } from '../../support/shared/exit-codes.js';
import { scratchDir } from './helpers-state/state-fixtures.js';

const ids = (...list: string[]) => new Set(list);

test('every PO of the run final: passed, exit code 0, even when Playwright counted a failed attempt', () => {
  for (const playwrightStatus of ['passed', 'failed'] as const) {
    const verdict = runVerdict({ selected: ids('1', '2'), unsettled: [], playwrightStatus });
    expect([verdict.status, verdict.exitCode, verdict.toRetry]).toEqual(['passed', JOB_EXIT.allFinal, 0]);
    expect(verdict.line).toBe('Every PO of this run has a final outcome (exit code 0).');
  }
});

test('a PO left to retry (LOCKED, PARTIAL, not reached) fails the run with exit code 1, although no test failed', () => {
  const verdict = runVerdict({ selected: ids('1', '2', '3'), unsettled: ['2', '3'], playwrightStatus: 'passed' });
  expect([verdict.status, verdict.exitCode, verdict.toRetry]).toEqual(['failed', JOB_EXIT.retryRemains, 2]);
  expect(verdict.line).toMatch(/^2 PO\(s\) remain to retry .*: run the same command again: finished POs are not redone \(exit code 1\)\.$/);
  expect(runVerdict({ selected: ids('1'), unsettled: ['1'], playwrightStatus: 'timedout' }).exitCode).toBe(1);
});

test('POs the command line left out (--grep, --shard) do not count', () => {
  const verdict = runVerdict({ selected: ids('1'), unsettled: ['2', '3'], playwrightStatus: 'failed' });
  expect([verdict.status, verdict.exitCode]).toEqual(['passed', 0]);
});

test('an interrupted run stays interrupted (exit code 130), whatever is left', () => {
  for (const unsettled of [[], ['1']]) {
    const verdict = runVerdict({ selected: ids('1'), unsettled, playwrightStatus: 'interrupted' });
    expect([verdict.status, verdict.exitCode]).toEqual(['interrupted', JOB_EXIT.interrupted]);
  }
});

test('the verdict is read from the closing the teardown wrote; without one, Playwright\'s status stands', () => {
  const dir = scratchDir('verdict');
  try {
    const state = new RunState({ runRoot: path.join(dir, 'run'), downloadDir: dir, inputSha256: 'a'.repeat(64), resumed: false, memberId: 'm' });
    expect(closedRunVerdict(state, ids('1'), 'passed')).toBeUndefined();
    expect(closedRunVerdict(undefined, ids('1'), 'passed')).toBeUndefined();
    fs.mkdirSync(state.paths.stateDir, { recursive: true });
    closingFile.write(state.paths.closingFile, { summary: 'Run summary\n', shardAdvice: '', unsettled: ['1'] });
    expect(closedRunVerdict(state, undefined, 'passed'), 'no suite seen: the run never began').toBeUndefined();
    expect(closedRunVerdict(state, ids('1'), 'passed')?.exitCode).toBe(1);
    fs.writeFileSync(state.paths.closingFile, '{"summary": 3}');
    expect(closedRunVerdict(state, ids('1'), 'passed'), 'a damaged closing').toBeUndefined();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
