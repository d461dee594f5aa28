import fs from 'node:fs';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import type { ProgressOutput } from './progress-writer.js';

/**
 * `run.log` in the run folder: what the terminal showed, as plain text, for whoever reads the
 * run later (a scheduled run has no one watching its terminal). The runner process copies
 * everything it writes to stdout and stderr into it; the live progress block, redrawn in
 * place several times a second, is drawn past it (`terminal`). With QUIET=true the terminal
 * is spared the window and setup lines (`showDetail`); the log still gets them.
 */
export class RunLog {
  private readonly fd: number;

  private constructor(
    readonly file: string,
    readonly quiet: boolean,
    /** stdout as it was before the log was installed: for output that is not logged. */
    readonly terminal: ProgressOutput,
  ) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.fd = fs.openSync(file, 'a');
  }

  /**
   * Starts logging this process's output into `file` (appended: a resumed run continues its
   * log). Once per process; the config, the global setup and the reporters share it.
   */
  static install(file: string, options: { quiet: boolean; now?: Date }): RunLog {
    const installed = RunLog.current();
    if (installed) return installed;
    const stdout = process.stdout;
    const write = stdout.write.bind(stdout);
    const log = new RunLog(file, options.quiet, {
      write: (chunk: string) => write(chunk),
      get isTTY() {
        return stdout.isTTY;
      },
      get columns() {
        return stdout.columns;
      },
    });
    log.record(`=== ${(options.now ?? new Date()).toISOString()} ${process.argv.slice(2).join(' ')}\n`);
    for (const stream of [process.stdout, process.stderr]) {
      const original = stream.write.bind(stream);
      stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
        log.record(chunk);
        return (original as (...args: unknown[]) => boolean)(chunk, ...rest);
      }) as typeof stream.write;
    }
    (globalThis as { [INSTALLED]?: RunLog })[INSTALLED] = log;
    return log;
  }

  /** The log of this process's run, when one was installed (the runner of a run, not `--list`, not a worker). */
  static current(): RunLog | undefined {
    return (globalThis as { [INSTALLED]?: RunLog })[INSTALLED];
  }

  /** Into the log only. */
  record(chunk: string | Uint8Array): void {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    try {
      fs.writeSync(this.fd, stripVTControlCharacters(text));
    } catch {
      // A log that cannot be written (disk full) must not stop the run; the terminal still has it all.
    }
  }
}

const INSTALLED = Symbol.for('coupa-downloads.run-log');

/** A line of detail (window logs, setup steps): on the terminal unless QUIET=true, in the run log either way. */
export function showDetail(line: string, show: (line: string) => void): void {
  const log = RunLog.current();
  if (log?.quiet) log.record(line.endsWith('\n') ? line : `${line}\n`);
  else show(line);
}
