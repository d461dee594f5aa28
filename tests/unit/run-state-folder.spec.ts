import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { abandonRunFolder, claimRunFolder, leaveRunFolder, markRunComplete, resolveRunFolder, runRootName } from '../../support/run-state/run-folder.js';
import { downloadFolderPaths, runPaths } from '../../support/run-state/run-paths.js';
import { deadPid } from './helpers-profile/fake-profile.js';
import { scratchDir } from './helpers-state/state-fixtures.js';

let dir: string;
test.beforeEach(() => {
  dir = scratchDir('run-folder');
});
test.afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const now = new Date(2026, 0, 5, 9, 30);
const request = (input: string, memberId: string) => ({ downloadDir: dir, inputSha256: sha(input), inputFile: `${input}.csv`, now, memberId });

test('a new input gets a new run folder; the same input, unfinished, resumes it; finished, it starts afresh', () => {
  expect(runRootName(now)).toBe('20260105-09h30_CoupaDownloads');
  const first = claimRunFolder(request('input-a', 'run-1'));
  expect(first).toMatchObject({ runRoot: path.join(dir, '20260105-09h30_CoupaDownloads'), resumed: false });
  expect(fs.existsSync(runPaths(first.runRoot).windowsDir)).toBe(true);

  expect(resolveRunFolder(request('input-a', 'run-2'))).toMatchObject({ runRoot: first.runRoot, resumed: true });
  const again = claimRunFolder(request('input-a', 'run-2'));
  expect(again).toMatchObject({ runRoot: first.runRoot, resumed: true });

  const other = claimRunFolder(request('input-b', 'run-3'));
  expect(other.runRoot).toBe(`${first.runRoot}-2`);

  markRunComplete(first);
  const record = JSON.parse(fs.readFileSync(downloadFolderPaths(dir, sha('input-a')).runRecordFile, 'utf8'));
  expect(record.completedAt).toBeDefined();
  expect(claimRunFolder(request('input-a', 'run-4'))).toMatchObject({ runRoot: `${first.runRoot}-3`, resumed: false });
});

test('--list decides without creating anything', () => {
  const resolved = resolveRunFolder(request('input-a', 'run-1'));
  expect(resolved.resumed).toBe(false);
  expect(fs.readdirSync(dir)).toEqual([]);
});

test('runs of different inputs started at the same moment never share a run folder', () => {
  const base = path.join(dir, runRootName(now));
  const realMkdir = fs.mkdirSync;
  const patched = fs as { mkdirSync: typeof fs.mkdirSync };
  // Another run, of another input, creates this very folder the instant before this run does.
  patched.mkdirSync = ((target: fs.PathLike, options?: fs.MakeDirectoryOptions) => {
    if (String(target) === base && !fs.existsSync(base)) {
      realMkdir(base);
      fs.writeFileSync(path.join(base, 'the-other-run'), '');
    }
    return realMkdir(target, options);
  }) as typeof fs.mkdirSync;
  let mine: string;
  try {
    mine = claimRunFolder(request('input-a', 'run-1')).runRoot;
  } finally {
    patched.mkdirSync = realMkdir;
  }
  expect(mine).toBe(`${base}-2`);
  expect(fs.readdirSync(base)).toEqual(['the-other-run']);
});

test('a run that stops in setup removes its run folder, unless another run has joined it', async () => {
  const alone = claimRunFolder(request('input-a', 'run-1'));
  abandonRunFolder(alone);
  expect(fs.existsSync(alone.runRoot)).toBe(false);
  expect(fs.existsSync(downloadFolderPaths(dir, sha('input-a')).runRecordFile)).toBe(false);

  const first = claimRunFolder(request('input-b', 'run-2'));
  const joined = claimRunFolder(request('input-b', 'run-3'));
  expect(joined).toMatchObject({ runRoot: first.runRoot, resumed: true });
  abandonRunFolder(first);
  expect(fs.existsSync(first.runRoot), 'the other run works in it').toBe(true);
  expect(resolveRunFolder(request('input-b', 'run-4'))).toMatchObject({ runRoot: first.runRoot, resumed: true });

  // A run that joined and has ended (its process is gone) no longer counts.
  const third = claimRunFolder(request('input-c', 'run-5'));
  const members = runPaths(third.runRoot).membersDir;
  fs.writeFileSync(path.join(members, 'gone.json'), JSON.stringify({ pid: await deadPid(), host: (await import('node:os')).hostname(), joinedAt: new Date().toISOString() }));
  abandonRunFolder(third);
  expect(fs.existsSync(third.runRoot)).toBe(false);

  const finished = claimRunFolder(request('input-d', 'run-6'));
  leaveRunFolder(finished);
  expect(fs.readdirSync(runPaths(finished.runRoot).membersDir)).toEqual([]);
});
