import fs from 'node:fs';
import path from 'node:path';

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

/**
 * Decides the run root without creating anything (the config calls this in every
 * process; only the global setup claims the location with `claimRunLocation`).
 */
export function resolveRunLocation(options: { downloadDir: string; inputSha256: string; now?: Date }): RunLocation {
  const recordFile = path.join(options.downloadDir, '.coupa-downloads', 'runs', `${options.inputSha256.slice(0, 32)}.json`);
  const record = readRecord(recordFile);
  if (record && !record.completedAt && fs.existsSync(record.runRoot)) {
    return locationFor(record.runRoot, options.inputSha256, true, recordFile);
  }
  const base = path.join(options.downloadDir, runRootName(options.now ?? new Date()));
  let runRoot = base;
  for (let n = 2; fs.existsSync(runRoot); n++) runRoot = `${base}-${n}`;
  return locationFor(runRoot, options.inputSha256, false, recordFile);
}

export function claimRunLocation(location: RunLocation, inputFile: string): void {
  fs.mkdirSync(location.windowsDir, { recursive: true });
  if (location.resumed) return;
  const record: RunRecord = { runRoot: location.runRoot, inputFile, startedAt: new Date().toISOString() };
  fs.mkdirSync(path.dirname(location.recordFile), { recursive: true });
  fs.writeFileSync(location.recordFile, JSON.stringify(record, null, 2));
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
