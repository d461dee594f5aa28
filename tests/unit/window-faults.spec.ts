import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { firstFaultHit } from '../../support/run-state/fault-markers.js';
import { testHooks } from '../../support/run-state/run-handle.js';
import { markTestProfile, testFaultsFor, TEST_PROFILE_MARKER } from '../../support/window/fault-injection.js';

const FAULTS_ENV = 'COUPA_TEST_FAULTS';

let root: string;
test.beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'window-faults-'));
});
test.afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

const faults = JSON.stringify({ failLaunch: { B: 'once' }, interruptCloneCopy: { B: 'always' } });
const browser = { channel: 'msedge', description: 'Microsoft Edge', fallback: false };

function hooksFor(udd: string, env: NodeJS.ProcessEnv, log: string[] = [], letter = 'B') {
  const { faults: injected } = testHooks(env);
  return testFaultsFor({ faults: injected, firstHit: firstFaultHit(path.join(root, 'markers')), baseUserDataDir: udd, letter, log: (m) => log.push(m) });
}

test('test faults do nothing on an operator\'s profile, even with COUPA_TEST_FAULTS set, and say so', () => {
  const udd = path.join(root, 'operator', 'User Data');
  fs.mkdirSync(udd, { recursive: true });
  const log: string[] = [];
  expect(hooksFor(udd, { [FAULTS_ENV]: faults }, log)).toBeUndefined();
  expect(log).toEqual(['test faults are ignored: they act only on a profile made by the test suite']);
});

test('a marker copied along with a profile to another folder does not enable them there', () => {
  const made = path.join(root, 'made', 'User Data');
  const copy = path.join(root, 'copy', 'User Data');
  fs.mkdirSync(made, { recursive: true });
  markTestProfile(made);
  fs.cpSync(made, copy, { recursive: true });
  expect(fs.existsSync(path.join(copy, TEST_PROFILE_MARKER))).toBe(true);
  expect(hooksFor(copy, { [FAULTS_ENV]: faults })).toBeUndefined();
});

test('on a profile the test suite made they act on their window, a "once" fault a single time', () => {
  const udd = path.join(root, 'test', 'User Data');
  fs.mkdirSync(udd, { recursive: true });
  markTestProfile(udd);
  expect(hooksFor(udd, {})).toBeUndefined();
  const hooks = hooksFor(udd, { [FAULTS_ENV]: faults })!;
  expect(hooks.browserFor(browser).executablePath).toBe(process.execPath);
  // A restarted worker builds its hooks again: the spent "once" fault stays spent.
  expect(hooksFor(udd, { [FAULTS_ENV]: faults })!.browserFor(browser)).toBe(browser);
  const copy = hooks.onCloneCopy()!;
  expect(() => copy(2)).not.toThrow();
  expect(() => copy(3)).toThrow(/interrupted part-way/);
  const other = hooksFor(udd, { [FAULTS_ENV]: faults }, [], 'A')!;
  expect(other.browserFor(browser)).toBe(browser);
  expect(other.onCloneCopy()).toBeUndefined();
});
