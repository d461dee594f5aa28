import { JOB_EXIT } from './exit-codes.js';

/**
 * Base of every error the operator is meant to read: the message says what went wrong
 * with which file, row, setting or window, and `advice` says what to do about it.
 * Entry points print `message` and `advice` without a stack trace and exit non-zero.
 */
export class OperatorError extends Error {
  constructor(message: string, readonly advice?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }

  describe(): string {
    return this.advice ? `${this.message}\n→ ${this.advice}` : this.message;
  }
}

/** Prints an OperatorError (and what it means for the run) without a stack and ends the process with 2. */
export function exitWithOperatorError(error: OperatorError, consequence?: string): never {
  process.stderr.write(`\n${error.name}: ${error.describe()}\n${consequence ? `\n${consequence}\n` : ''}\n`);
  process.exit(JOB_EXIT.notStarted);
}

/** Runs `action`; an OperatorError ends the process through exitWithOperatorError, anything else is rethrown. */
export function exitOnOperatorError<T>(action: () => T, consequence?: string): T {
  try {
    return action();
  } catch (error) {
    if (error instanceof OperatorError) exitWithOperatorError(error, consequence);
    throw error;
  }
}

export const RUN_NOT_STARTED = 'The run did not start; no browser window was opened.';
