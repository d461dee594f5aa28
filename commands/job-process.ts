import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isRunVariable } from '../support/run-state/run-handle.js';

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const playwrightCli = createRequire(import.meta.url).resolve('@playwright/test/cli');

export interface JobProcess {
  child: ChildProcess;
  /** Resolves with the exit code (or the signal that ended it) and everything it printed. */
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>;
}

/**
 * Starts the download job exactly as an operator does (`npx playwright test` in the
 * project folder, via Playwright's CLI so it works the same on Windows), with the given
 * settings in its environment. Used by the demo, the benchmark and the end-to-end tests.
 */
export function startJob(options: { env: Record<string, string>; args?: string[]; echo?: boolean; cwd?: string }): JobProcess {
  return startNodeScript([playwrightCli, 'test', ...(options.args ?? [])], options);
}

/** Runs `node <args>` with the job's environment rules (no inherited run state), collecting its output. */
export function startNodeScript(args: string[], options: { env: Record<string, string>; echo?: boolean; cwd?: string }): JobProcess {
  const env: NodeJS.ProcessEnv = {};
  // A job started from inside a running one (the demo under the test suite) starts a run of its own.
  for (const [key, value] of Object.entries(process.env)) if (!isRunVariable(key)) env[key] = value;
  Object.assign(env, { FORCE_COLOR: '0' }, options.env);
  const child = spawn(process.execPath, args, {
    cwd: options.cwd ?? PROJECT_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (stream: NodeJS.WriteStream) => (chunk: Buffer) => {
    output += chunk.toString('utf8');
    if (options.echo) stream.write(chunk);
  };
  child.stdout?.on('data', collect(process.stdout));
  child.stderr?.on('data', collect(process.stderr));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, output }));
  });
  return { child, done };
}
