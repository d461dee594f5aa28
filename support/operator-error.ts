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

/** Prints an OperatorError without a stack and ends the process; rethrows anything else. */
export function exitOnOperatorError<T>(action: () => T): T {
  try {
    return action();
  } catch (error) {
    if (error instanceof OperatorError) {
      process.stderr.write(`\n${error.name}: ${error.describe()}\n\n`);
      process.exit(2);
    }
    throw error;
  }
}
