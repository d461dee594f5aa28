import { expect, test } from '@playwright/test';
import { describeGrep, grepFilterIn, selectedByGrep } from '../../support/run/grep-selection.js';
import { plannedPo } from './helpers-state/state-fixtures.js';

const SPEC = 'download-purchase-orders.spec.ts';
const pos = ['4100001', '4100002', '15262984'].map(plannedPo);
const ids = (list: { id: string }[]) => list.map((po) => po.id);

test('the filter is --grep and --grep-invert, long or short', () => {
  const argv = (...args: string[]) => ['node', 'cli.js', 'test', ...args];
  expect(grepFilterIn(argv('--workers=3'))).toBeUndefined();
  expect(grepFilterIn(argv('--grep', '4100001'))).toEqual({ grep: '4100001' });
  expect(grepFilterIn(argv('-g', 'a', '--grep=b'))).toEqual({ grep: 'b' });
  expect(grepFilterIn(argv('-g4100001', '-G', 'x'))).toEqual({ grep: '4100001', grepInvert: 'x' });
  expect(grepFilterIn(argv('--grep-invert=PO41'))).toEqual({ grepInvert: 'PO41' });
  expect(grepFilterIn(argv('--', '--grep', 'x')), 'after -- nothing is an option').toBeUndefined();
});

test('a PO is selected as Playwright selects its test: case-insensitive, /literal/ form, by title path', () => {
  expect(ids(selectedByGrep(pos, { grep: '4100001' }, SPEC))).toEqual(['4100001']);
  expect(ids(selectedByGrep(pos, { grep: 'po41' }, SPEC))).toEqual(['4100001', '4100002']);
  expect(ids(selectedByGrep(pos, { grep: '/po41/' }, SPEC)), 'a /literal/ without the i flag is case-sensitive').toEqual([]);
  expect(ids(selectedByGrep(pos, { grep: '4100001|15262984' }, SPEC))).toEqual(['4100001', '15262984']);
  expect(ids(selectedByGrep(pos, { grep: 'download-purchase' }, SPEC)), 'the spec file is part of the title path').toHaveLength(3);
  // The whole title path, as `npx playwright test --list -g` reads it in Playwright 1.65.
  expect(ids(selectedByGrep(pos, { grep: '/^ download-purchase-orders\\.spec\\.ts PO4100001$/' }, SPEC))).toEqual(['4100001']);
  expect(ids(selectedByGrep(pos, { grepInvert: '41000' }, SPEC))).toEqual(['15262984']);
  expect(ids(selectedByGrep(pos, { grep: '41', grepInvert: '4100002' }, SPEC))).toEqual(['4100001']);
  expect(selectedByGrep(pos, { grep: '4199999' }, SPEC)).toEqual([]);
});

test('a pattern that is no regular expression selects everything: Playwright decides then', () => {
  expect(selectedByGrep(pos, { grep: '(' }, SPEC)).toHaveLength(3);
});

test('the filter is named as it was typed', () => {
  expect(describeGrep({ grep: '4199999' })).toBe('--grep "4199999"');
  expect(describeGrep({ grep: 'a', grepInvert: 'b' })).toBe('--grep "a" with --grep-invert "b"');
});
