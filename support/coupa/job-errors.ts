import { OperatorError } from '../shared/operator-error.js';

/**
 * Faults of the window rather than of the PO. They fail the PO's test so that Playwright
 * restarts that worker (fresh window, verified again) and retries the PO; business
 * outcomes such as PO_NOT_FOUND are never thrown.
 */
export class InfrastructureFault extends OperatorError {}

export class AuthenticationLostError extends InfrastructureFault {
  constructor(message: string) {
    super(message, 'The window will be restarted and verified again; if this repeats, sign in again with `npm run login`.');
  }
}

export class WindowGoneError extends InfrastructureFault {
  constructor(what: string) {
    super(`The window's browser closed while ${what} (crashed or was killed).`, 'The worker restarts with a fresh window and the PO is retried.');
  }
}

/** Playwright's errors when the page, context or browser under an operation has gone away. */
export function isWindowGone(error: unknown): boolean {
  return error instanceof Error && /Target page, context or browser has been closed|Target closed|Browser has been closed|browser has disconnected/i.test(error.message);
}
