import { expect, test } from '@playwright/test';
import { commandLineOption } from '../../support/run/command-line.js';

const argv = (...args: string[]) => ['node', 'cli.js', 'test', ...args];

test('an option is read in every form Playwright\'s parser accepts; the last one wins; nothing after --', () => {
  expect(commandLineOption(argv('--workers=3'), '--grep', '-g')).toBeUndefined();
  expect(commandLineOption(argv('--grep', 'a'), '--grep', '-g')).toBe('a');
  expect(commandLineOption(argv('--grep=a=b'), '--grep', '-g')).toBe('a=b');
  expect(commandLineOption(argv('-g', 'a', '-gb'), '--grep', '-g')).toBe('b');
  expect(commandLineOption(argv('--grep-invert', 'x'), '--grep', '-g'), 'another option that starts alike').toBeUndefined();
  expect(commandLineOption(argv('--', '--grep', 'a'), '--grep', '-g')).toBeUndefined();
  expect(commandLineOption(argv('--grep'), '--grep', '-g'), 'no value').toBeUndefined();
});
