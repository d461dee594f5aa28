import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fse from 'fs-extra';
import lockfile from 'proper-lockfile';
import { z } from 'zod';
import { jsonText, writeFileAtomicSync } from '../shared/atomic-file.js';
import { readJsonIfValid } from '../shared/json-record.js';
import { isProcessAlive } from '../shared/process-liveness.js';
import type { RunHandle } from './run-handle.js';
import { downloadFolderPaths, runPaths } from './run-paths.js';
import { stateFile } from './state-file.js';

/**
 * Where a run writes, and whether it resumes an earlier one. A run is keyed by the bytes of
 * its input file: a run of the same input that did not finish (killed, crashed, power cut)
 * is resumed in the same run folder, with its journal, so no finished PO is redone. Runs of
 * different inputs started at the same moment each get a folder of their own: a folder is
 * created exclusively, never taken over because it happened to exist.
 */
interface RunRecord {
  runRoot: string;
  inputFile: string;
  startedAt: string;
  completedAt?: string;
}

const runRecordFile = stateFile<RunRecord>(
  z.object({ runRoot: z.string().min(1), inputFile: z.string(), startedAt: z.string(), completedAt: z.string().optional() }),
  { what: 'the record of which run folder belongs to this input', advice: 'Delete that file; the next run of this input then starts a new run folder.', pretty: true },
);

const memberSchema = z.object({ pid: z.number().int().positive(), host: z.string(), joinedAt: z.string() });

const pad = (n: number) => String(n).padStart(2, '0');

/** `<YYYYmmdd-HHhMM>_CoupaDownloads`, as the operators' current tool names its run folders. */
export function runRootName(date: Date): string {
  return (
    `${date.getFullYear()}${pad(date.getMonth() + 1)}${pad(date.getDate())}-` +
    `${pad(date.getHours())}h${pad(date.getMinutes())}_CoupaDownloads`
  );
}

export interface RunRequest {
  downloadDir: string;
  inputSha256: string;
  inputFile: string;
  now?: Date;
  /** This run among the runs of a folder; one per runner process. */
  memberId?: string;
}

const memberIdOf = (request: RunRequest) => request.memberId ?? `${os.hostname()}-${process.pid}`;

/** A record that cannot be read is no record: the input then starts a new run folder. */
function readRecord(file: string): RunRecord | undefined {
  try {
    return runRecordFile.read(file);
  } catch {
    return undefined;
  }
}

function resumable(request: RunRequest): RunRecord | undefined {
  const record = readRecord(downloadFolderPaths(request.downloadDir, request.inputSha256).runRecordFile);
  return record && !record.completedAt && fs.existsSync(record.runRoot) ? record : undefined;
}

/** Decides the run folder without creating anything (`--list`): the one to resume, or the name a new one would get. */
export function resolveRunFolder(request: RunRequest): RunHandle {
  const handle = { downloadDir: request.downloadDir, inputSha256: request.inputSha256, memberId: memberIdOf(request) };
  const record = resumable(request);
  if (record) return { ...handle, runRoot: record.runRoot, resumed: true };
  const base = path.join(request.downloadDir, runRootName(request.now ?? new Date()));
  let runRoot = base;
  for (let n = 2; fs.existsSync(runRoot); n++) runRoot = `${base}-${n}`;
  return { ...handle, runRoot, resumed: false };
}

/** Creates `<base>`, or `<base>-2`, `-3`… : the first name no other run has created, created by this call alone. */
function createNewRunRoot(base: string): string {
  fse.ensureDirSync(path.dirname(base));
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? base : `${base}-${n}`;
    try {
      fs.mkdirSync(candidate);
      return candidate;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

function join(runRoot: string, memberId: string): void {
  const paths = runPaths(runRoot);
  fse.ensureDirSync(paths.windowsDir);
  writeFileAtomicSync(path.join(paths.membersDir, `${memberId}.json`), jsonText({ pid: process.pid, host: os.hostname(), joinedAt: new Date().toISOString() }));
}

/**
 * Decides and records the run folder in one step under a lock per input, so that two runs of
 * the same input started at the same moment end up in the same folder (where their PO locks
 * keep them from doing a PO twice); runs of other inputs create their own folders.
 */
export function claimRunFolder(request: RunRequest): RunHandle {
  const recordFile = downloadFolderPaths(request.downloadDir, request.inputSha256).runRecordFile;
  const memberId = memberIdOf(request);
  return underRecordLock(recordFile, () => {
    const record = resumable(request);
    if (record) {
      join(record.runRoot, memberId);
      return { runRoot: record.runRoot, downloadDir: request.downloadDir, inputSha256: request.inputSha256, resumed: true, memberId };
    }
    const runRoot = createNewRunRoot(path.join(request.downloadDir, runRootName(request.now ?? new Date())));
    join(runRoot, memberId);
    runRecordFile.write(recordFile, { runRoot, inputFile: request.inputFile, startedAt: new Date().toISOString() });
    return { runRoot, downloadDir: request.downloadDir, inputSha256: request.inputSha256, resumed: false, memberId };
  });
}

function underRecordLock<T>(recordFile: string, body: () => T): T {
  fse.ensureDirSync(path.dirname(recordFile));
  const deadline = Date.now() + 10_000;
  let release: () => void;
  for (;;) {
    try {
      release = lockfile.lockSync(recordFile, { realpath: false, stale: 10_000 });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED' || Date.now() > deadline) throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    }
  }
  try {
    return body();
  } finally {
    release();
  }
}

/** Once every planned PO has a result, the next run of the same input starts afresh. */
export function markRunComplete(handle: RunHandle): void {
  const recordFile = downloadFolderPaths(handle.downloadDir, handle.inputSha256).runRecordFile;
  const record = readRecord(recordFile);
  if (!record || record.runRoot !== handle.runRoot) return;
  runRecordFile.write(recordFile, { ...record, completedAt: new Date().toISOString() });
}

/** Other runs working in the folder now (a run on another computer counts while its entry is there). */
function otherLiveMembers(membersDir: string, self: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(membersDir).filter((f) => f.endsWith('.json') && f !== `${self}.json`);
  } catch {
    return [];
  }
  return names.filter((name) => {
    const member = readJsonIfValid(path.join(membersDir, name), memberSchema);
    return !member || member.host !== os.hostname() || isProcessAlive(member.pid);
  });
}

/** The run is over: the folder no longer counts it among the runs working in it. */
export function leaveRunFolder(handle: RunHandle): void {
  fs.rmSync(path.join(runPaths(handle.runRoot).membersDir, `${handle.memberId}.json`), { force: true });
}

/**
 * A run that stopped before its first PO (bad input, profile in use) leaves no empty run
 * folder behind for the next run to "resume", unless another run has joined the folder
 * meanwhile: then it is that run's folder too, and stays.
 */
export function abandonRunFolder(handle: RunHandle): void {
  const paths = runPaths(handle.runRoot);
  const recordFile = downloadFolderPaths(handle.downloadDir, handle.inputSha256).runRecordFile;
  underRecordLock(recordFile, () => {
    leaveRunFolder(handle);
    if (handle.resumed || fs.existsSync(paths.journalFile) || otherLiveMembers(paths.membersDir, handle.memberId).length) return;
    fse.removeSync(handle.runRoot);
    if (readRecord(recordFile)?.runRoot === handle.runRoot) fse.removeSync(recordFile);
  });
}
