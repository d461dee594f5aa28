import { OperatorError } from '../operator-error.js';

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
