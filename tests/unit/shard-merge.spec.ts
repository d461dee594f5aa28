import { expect, test } from '@playwright/test';
import type { PoResult, PoStatus } from '../../support/po-result.js';
import { mergeJournals } from '../../commands/merge-shards/shard-merge.js';

const result = (id: string, status: PoStatus, finishedAt: string): PoResult => ({
  id,
  poNumber: `PO${id}`,
  status,
  supplier: 'Acme',
  attachmentsFound: 1,
  attachmentsDownloaded: status === 'COMPLETED' ? 1 : 0,
  files: [],
  convertedPdfs: [],
  finishedAt,
  errorMessage: '',
  downloadFolder: '',
  coupaUrl: '',
  window: 'A',
  durationMs: 1,
});

test('a settled result wins over an unsettled one from another shard, whatever the order', () => {
  const shard1 = new Map([['1', result('1', 'COMPLETED', '2026-01-01T10:00:00Z')], ['2', result('2', 'TIMEOUT', '2026-01-01T10:05:00Z')]]);
  const shard2 = new Map([['1', result('1', 'FAILED', '2026-01-01T11:00:00Z')], ['3', result('3', 'NO_ATTACHMENTS', '2026-01-01T10:00:00Z')]]);
  const merged = mergeJournals([shard1, shard2]);
  expect(merged.results.get('1')?.status).toBe('COMPLETED');
  expect(merged.results.get('2')?.status).toBe('TIMEOUT');
  expect(merged.results.get('3')?.status).toBe('NO_ATTACHMENTS');
  expect(merged.duplicates).toEqual(['1']);
});

test('between two results of the same kind the later one wins', () => {
  const early = new Map([['1', result('1', 'FAILED', '2026-01-01T10:00:00Z')]]);
  const late = new Map([['1', result('1', 'PARTIAL', '2026-01-01T12:00:00Z')]]);
  expect(mergeJournals([late, early]).results.get('1')?.status).toBe('PARTIAL');
  expect(mergeJournals([early, late]).results.get('1')?.status).toBe('PARTIAL');
});
