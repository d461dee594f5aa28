import { expect, test } from '@playwright/test';
import type { PoResult, PoStatus } from '../../support/po-result.js';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../../commands/job-process.js';
import { MERGE_USAGE, parseMergeArgs } from '../../commands/merge-shards/merge-args.js';
import { MergeError, mergeJournals } from '../../commands/merge-shards/shard-merge.js';

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

test('arguments: run folders, --out and --input are taken from where the operator stands; --help', () => {
  const now = new Date('2026-03-04T05:06:07.890Z');
  expect(parseMergeArgs(['--help'], '/work')).toEqual({ help: true });
  expect(parseMergeArgs(['-h', 'a'], '/work')).toEqual({ help: true });
  expect(parseMergeArgs(['a', '/abs/b', '--out', 'm', '--input', '../in.csv'], '/work/here', now)).toEqual({
    help: false,
    runFolders: ['/work/here/a', '/abs/b'],
    out: '/work/here/m',
    input: '/work/in.csv',
  });
  expect(parseMergeArgs(['a'], '/work', now)).toMatchObject({ out: '/work/merged-2026-03-04T05-06-07-890Z', input: undefined });
  for (const bad of [[], ['--out'], ['a', '--unknown']]) {
    const error = (() => {
      try {
        parseMergeArgs(bad, '/work');
      } catch (e) {
        return e as MergeError;
      }
    })();
    expect(error, bad.join(' ')).toBeInstanceOf(MergeError);
    expect(error?.advice).toBe(MERGE_USAGE);
  }
});

test('npm run merge-shards: --help prints the usage; a relative folder is read from where the command was typed', () => {
  const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'merge-cwd-'));
  try {
    const npm = (...args: string[]) => spawnSync('npm', ['--prefix', PROJECT_ROOT, 'run', '--silent', 'merge-shards', '--', ...args], { cwd: elsewhere, encoding: 'utf8', timeout: 60_000 });
    const help = npm('--help');
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toBe(`${MERGE_USAGE}\n`);
    const relative = npm('shard-1');
    expect(relative.status).toBe(2);
    expect(relative.stderr).toContain(`${path.join(elsewhere, 'shard-1')} is not a run folder of this tool`);
  } finally {
    fs.rmSync(elsewhere, { recursive: true, force: true });
  }
});
