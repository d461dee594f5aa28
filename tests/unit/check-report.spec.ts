import { expect, test } from '@playwright/test';
import { formatCheckReport } from '../../commands/check/check-report.js';

test('every check on its line with what to do under a problem; exit 0 only when nothing failed', () => {
  const ready = formatCheckReport(
    [
      { name: 'Settings', state: 'ok', detail: 'tenant https://t.example' },
      { name: 'Base profile', state: 'ok', detail: '/p/Default, free' },
    ],
    'npx playwright test --workers=3',
  );
  expect(ready.exitCode).toBe(0);
  expect(ready.text).toBe('  [ok]   Settings      tenant https://t.example\n  [ok]   Base profile  /p/Default, free\n\nEverything is ready: npx playwright test --workers=3\n');

  const problems = formatCheckReport(
    [
      { name: 'Tenant', state: 'failed', detail: 'https://t.example/ could not be reached: ENOTFOUND', fix: 'Check COUPA_BASE_URL.' },
      { name: 'Window', state: 'skipped', detail: 'not started' },
    ],
    'npx playwright test',
  );
  expect(problems.exitCode).toBe(1);
  expect(problems.text.split('\n')).toEqual([
    '  [FAIL] Tenant  https://t.example/ could not be reached: ENOTFOUND',
    '                 → Check COUPA_BASE_URL.',
    '  [skip] Window  not started',
    '',
    '1 problem(s) to fix before running the job (exit code 1).',
    '',
  ]);
});
