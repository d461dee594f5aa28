import { expect, test } from '@playwright/test';
import { decideStatus, missingFilesNote } from '../../support/coupa/po-status.js';

test('nothing found is NO_ATTACHMENTS, or PR_NOT_ACCESSIBLE when the requisition that might have had files was out of reach', () => {
  expect(decideStatus({ found: 0, downloaded: 0, requisitionBlocked: false })).toBe('NO_ATTACHMENTS');
  expect(decideStatus({ found: 0, downloaded: 0, requisitionBlocked: true })).toBe('PR_NOT_ACCESSIBLE');
});

test('files found: COMPLETED when all arrived, PARTIAL when some, FAILED when none', () => {
  expect(decideStatus({ found: 3, downloaded: 3, requisitionBlocked: false })).toBe('COMPLETED');
  expect(decideStatus({ found: 3, downloaded: 2, requisitionBlocked: false })).toBe('PARTIAL');
  expect(decideStatus({ found: 3, downloaded: 0, requisitionBlocked: false })).toBe('FAILED');
});

test('a blocked requisition does not hide the PO\'s own files', () => {
  expect(decideStatus({ found: 1, downloaded: 1, requisitionBlocked: true })).toBe('COMPLETED');
  expect(decideStatus({ found: 2, downloaded: 0, requisitionBlocked: true })).toBe('FAILED');
});

test('the note names each missing file as the page shows it, with why', () => {
  expect(missingFilesNote([], 2)).toBeUndefined();
  expect(missingFilesNote(['damaged scan.pdf: server answered HTTP 500 (4 attempts)', 'b.msg: transfer incomplete (4 attempts)'], 3)).toBe(
    '2 of 3 file(s) not downloaded: damaged scan.pdf: server answered HTTP 500 (4 attempts); b.msg: transfer incomplete (4 attempts)',
  );
});
