import { z } from 'zod';
import { parseJsonRecord } from '../shared/json-record.js';
import { OperatorError } from '../shared/operator-error.js';

/**
 * How every process of a run finds the run: the runner decides the run folder while it reads
 * playwright.config.ts, the global setup adds the session folder, and Playwright forks every
 * worker with the runner's environment. One variable carries it all, as JSON checked on
 * every read; no other module reads a run variable.
 */
export const RUN_STATE_ENV = 'COUPA_RUN_STATE';

const runHandleSchema = z.object({
  runRoot: z.string().min(1),
  downloadDir: z.string().min(1),
  inputSha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** The run folder is that of an earlier, unfinished run of the same input. */
  resumed: z.boolean(),
  /** This run's entry among the runs working in the folder. */
  memberId: z.string().min(1),
  /** Set by the global setup once the profile snapshot is taken and the plan frozen. */
  sessionDir: z.string().min(1).optional(),
});
export type RunHandle = z.infer<typeof runHandleSchema>;

export class RunHandleError extends OperatorError {}

export function publishRunHandle(handle: RunHandle, env: NodeJS.ProcessEnv = process.env): void {
  env[RUN_STATE_ENV] = JSON.stringify(runHandleSchema.parse(handle));
}

/** The run this process belongs to, or undefined outside a run (the runner before it decided, `--list`). */
export function publishedRunHandle(env: NodeJS.ProcessEnv = process.env): RunHandle | undefined {
  const raw = env[RUN_STATE_ENV];
  if (raw === undefined) return undefined;
  const read = parseJsonRecord(raw, runHandleSchema);
  if (read.state === 'ok') return read.value;
  throw new RunHandleError(
    `The environment variable ${RUN_STATE_ENV} ${read.state === 'invalid' ? read.problem : 'is empty'}.`,
    `It is set by the job itself for its own processes: unset ${RUN_STATE_ENV} and start the job again with \`npx playwright test\`.`,
  );
}

/**
 * Variables of a running job (ours, and Playwright's own per-run ones) that a job started
 * from inside it (the demo, the benchmark, the end-to-end tests) must not inherit, or it
 * would join the parent's run instead of starting its own.
 */
export function isRunVariable(name: string): boolean {
  return name === RUN_STATE_ENV || /^(TEST_|PW_TEST_|PLAYWRIGHT_)/.test(name);
}

// ---- test hooks -----------------------------------------------------------------------

const FAULTS_ENV = 'COUPA_TEST_FAULTS';
/** Test hook: when set, the job reads its load from this JSON file instead of the system. */
export const LOAD_SIGNAL_FILE_ENV = 'LOAD_SIGNAL_FILE';

const frequencySchema = z.enum(['once', 'always']);
const perWindow = z.record(z.string(), frequencySchema).optional();

/**
 * Faults the acceptance tests inject into one window, to prove that verification catches
 * them and remediation repairs that window alone; an operator never sets them. "once"
 * faults hit the first time only, across worker restarts.
 *
 *   { "corruptClone": { "B": "once" }, "signOutAfterLaunch": { "C": "always" }, "signOutBeforePo": { "A": "once" } }
 */
const injectedFaultsSchema = z.strictObject({
  /** Stop the clone copy after a few files (a copy that fails part-way, e.g. a full disk). */
  interruptCloneCopy: perWindow,
  /** Delete the clone's cookie store right after cloning (a partial, interrupted copy that went unnoticed). */
  corruptClone: perWindow,
  /** Start a program that is not a browser (a browser that fails to launch). */
  failLaunch: perWindow,
  /** Drop every cookie of the window right after its browser started (a window that starts signed out). */
  signOutAfterLaunch: perWindow,
  /** Drop every cookie of the window just before its next PO (a session lost in the middle of a run). */
  signOutBeforePo: perWindow,
});
export type InjectedFaults = z.infer<typeof injectedFaultsSchema>;
export type FaultKind = keyof InjectedFaults;

export interface TestHooks {
  faults: InjectedFaults;
  /** The load is read from this JSON file instead of the system. */
  loadSignalFile?: string;
}

export function testHooks(env: NodeJS.ProcessEnv = process.env): TestHooks {
  const raw = env[FAULTS_ENV];
  let faults: InjectedFaults = {};
  if (raw) {
    const read = parseJsonRecord(raw, injectedFaultsSchema);
    if (read.state !== 'ok') {
      throw new RunHandleError(
        `${FAULTS_ENV} ${read.state === 'invalid' ? read.problem : 'is empty'}.`,
        `${FAULTS_ENV} is a hook of the test suite: unset it for a real run.`,
      );
    }
    faults = read.value;
  }
  const loadSignalFile = env[LOAD_SIGNAL_FILE_ENV]?.trim();
  return { faults, ...(loadSignalFile ? { loadSignalFile } : {}) };
}
