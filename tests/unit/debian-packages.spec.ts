import { expect, test } from '@playwright/test';
import { missingPackages } from '../../commands/demo/debian-packages.js';
import { SUITE_NEEDS } from '../suite-setup.js';

/** What the demo and the test suite install on a fresh Debian machine: only the programs that are missing. */
test('only the packages whose program is missing are installed', () => {
  const present = new Set(['/usr/bin/chromium']);
  expect(missingPackages(SUITE_NEEDS, (file) => present.has(file)).map((p) => p.name)).toEqual(['xvfb', 'poppler-utils']);
  expect(missingPackages(SUITE_NEEDS, () => true)).toEqual([]);
});
