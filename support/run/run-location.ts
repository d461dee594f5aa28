import fs from 'node:fs';
import path from 'node:path';
import lockfile from 'proper-lockfile';

/**
 * Where a run writes, and whether it resumes an earlier one. A run is keyed by the bytes
 * of its input file: a run of the same input that did not finish (killed, crashed, power
 * cut) is resumed in the same run root, with its journal, so no finished PO is redone.
 */
export interface RunLocation {
  runRoot: string;
  stateDir: string;
  journalFile: string;
  planFile: string;
  windowsDir: string;
  /** Settled results, one file per PO, shared by runs working in this folder at the same time. */
  settledDir: string;
  htmlReportDir: string;
  allureResultsDir: string;
  inputSha256: string;
  resumed: boolean;
  /** Per-input record that says which run root belongs to this input and whether it finished. */
  recordFile: string;
}

interface RunRecord {
  runRoot: string;
  inputFile: string;
  startedAt: string;
  completedAt?: string;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** `<YYYYmmdd-HHhMM>_CoupaDownloads`, as the operators' current tool names its run folders. */
export function runRootName(date: Date): string {
  return (
    `${date.getFullYear()}${pad(date.getMonth() + 1)}${pad(date.getDate())}-` +
    `${pad(date.getHours())}h${pad(date.getMinutes())}_CoupaDownloads`
  );
}

function locationFor(runRoot: string, inputSha256: string, resumed: boolean, recordFile: string): RunLocation {
  const stateDir = path.join(runRoot, '.run-state');
  return {
    runRoot,
    stateDir,
    journalFile: path.join(stateDir, 'journal.jsonl'),
    planFile: path.join(stateDir, 'plan.json'),
    windowsDir: path.join(stateDir, 'windows'),
    settledDir: path.join(stateDir, 'settled'),
    htmlReportDir: path.join(runRoot, 'playwright-report'),
    allureResultsDir: path.join(runRoot, 'allure-results'),
    inputSha256,
    resumed,
    recordFile,
  };
}

function readRecord(file: string): RunRecord | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as RunRecord;
  } catch {
    return undefined;
  }
}

/** Decides the run root without creating anything (for `--list`, and inside `claimRunLocation`). */
export function resolveRunLocation(options: { downloadDir: string; inputSha256: string; now?: Date }): RunLocation {
  const recordFile = recordFileFor(options.downloadDir, options.inputSha256);
  const record = readRecord(recordFile);
  if (record && !record.completedAt && fs.existsSync(record.runRoot)) {
    return locationFor(record.runRoot, options.inputSha256, true, recordFile);
  }
  const base = path.join(options.downloadDir, runRootName(options.now ?? new Date()));
  let runRoot = base;
  for (let n = 2; fs.existsSync(runRoot); n++) runRoot = `${base}-${n}`;
  return locationFor(runRoot, options.inputSha256, false, recordFile);
}

/**
 * Decides and records the run folder in one step under a lock, so that two runs of the
 * same input started at the same moment end up in the same folder (where their PO locks
 * keep them from doing a PO twice) instead of racing for two.
 */
export function claimRunLocation(options: { downloadDir: string; inputSha256: string; inputFile: string; now?: Date }): RunLocation {
  const recordFile = recordFileFor(options.downloadDir, options.inputSha256);
  fs.mkdirSync(path.dirname(recordFile), { recursive: true });
  const release = lockSyncWithin(recordFile, 10_000);
  try {
    const location = resolveRunLocation(options);
    fs.mkdirSync(location.windowsDir, { recursive: true });
    if (!location.resumed) {
      const record: RunRecord = { runRoot: location.runRoot, inputFile: options.inputFile, startedAt: new Date().toISOString() };
      fs.writeFileSync(location.recordFile, JSON.stringify(record, null, 2));
    }
    return location;
  } finally {
    release();
  }
}

function lockSyncWithin(file: string, timeoutMs: number): () => void {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return lockfile.lockSync(file, { realpath: false, stale: 10_000 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED' || Date.now() > deadline) throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    }
  }
}

function recordFileFor(downloadDir: string, inputSha256: string): string {
  return path.join(downloadDir, '.coupa-downloads', 'runs', `${inputSha256.slice(0, 32)}.json`);
}

/** Once every planned PO has a result, the next run of the same input starts afresh. */
export function markRunComplete(location: RunLocation): void {
  const record = readRecord(location.recordFile);
  if (!record || record.runRoot !== location.runRoot) return;
  fs.writeFileSync(location.recordFile, JSON.stringify({ ...record, completedAt: new Date().toISOString() }, null, 2));
}

const ENV_KEYS = {
  runRoot: 'COUPA_RUN_ROOT',
  inputSha256: 'COUPA_INPUT_SHA256',
  resumed: 'COUPA_RUN_RESUMED',
  recordFile: 'COUPA_RUN_RECORD',
} as const;

/**
 * The runner evaluates the config first and Playwright forks workers with its
 * environment, so publishing the location in the environment gives every process the
 * same run root (a timestamped name would otherwise differ between processes).
 */
export function publishRunLocation(location: RunLocation, env: NodeJS.ProcessEnv = process.env): void {
  env[ENV_KEYS.runRoot] = location.runRoot;
  env[ENV_KEYS.inputSha256] = location.inputSha256;
  env[ENV_KEYS.resumed] = location.resumed ? '1' : '0';
  env[ENV_KEYS.recordFile] = location.recordFile;
}

export function publishedRunLocation(env: NodeJS.ProcessEnv = process.env): RunLocation | undefined {
  const runRoot = env[ENV_KEYS.runRoot];
  const inputSha256 = env[ENV_KEYS.inputSha256];
  const recordFile = env[ENV_KEYS.recordFile];
  if (!runRoot || !inputSha256 || !recordFile) return undefined;
  return locationFor(runRoot, inputSha256, env[ENV_KEYS.resumed] === '1', recordFile);
}

/**
 * A run that stopped before its first PO (bad input, profile in use) leaves no empty run
 * folder behind for the next run to "resume".
 */
export function abandonRunLocation(location: RunLocation): void {
  if (location.resumed || fs.existsSync(location.journalFile)) return;
  fs.rmSync(location.runRoot, { recursive: true, force: true });
  if (readRecord(location.recordFile)?.runRoot === location.runRoot) fs.rmSync(location.recordFile, { force: true });
}
