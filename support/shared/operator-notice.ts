/**
 * Notices for the operator that do not stop the run (a setting that looks misspelt, no .env
 * file read, input rows with damaged bytes): on stderr, each once per process, and never
 * from a Playwright worker. Every worker loads the settings and the input again; the runner
 * has already said it, and a worker's output would land in a PO's report instead.
 */
const SAID = Symbol.for('coupa-downloads.operator-notices');

export function noticeOnce(message: string): void {
  if (process.env.TEST_WORKER_INDEX !== undefined) return;
  // On globalThis: the config, the global setup and the reporter may each load their own copy of this module.
  const said = ((globalThis as { [SAID]?: Set<string> })[SAID] ??= new Set<string>());
  if (said.has(message)) return;
  said.add(message);
  process.stderr.write(`Note: ${message}\n`);
}
