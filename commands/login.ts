import { exitOnOperatorError, OperatorError } from '../support/shared/operator-error.js';
import { openSignInWindow } from './login/sign-in-window.js';
import { loadSettings } from '../support/settings.js';
import { answerHelp } from './command-help.js';

/**
 * `npm run login`: a visible window on the base profile (EDGE_PROFILE_DIR +
 * EDGE_PROFILE_NAME) at COUPA_BASE_URL, for the operator to sign in once.
 */
answerHelp(
  process.argv.slice(2),
  `Usage: npm run login

Opens a visible window on the base profile (EDGE_PROFILE_DIR, EDGE_PROFILE_NAME) at
COUPA_BASE_URL for you to sign in once; it closes by itself when Coupa's home page is
reached. Settings come from .env (see docs/settings.md). Exit code 0 when signed in.`,
);
const settings = exitOnOperatorError(() => loadSettings());
const log = (message: string) => process.stdout.write(`${message}\n`);
try {
  const outcome = await openSignInWindow({ settings, headless: false, timeoutMs: 15 * 60_000, log });
  if (!outcome.signedIn) {
    log(outcome.landedOn ? `Not signed in after 15 minutes (still at ${outcome.landedOn}).` : 'The window was closed before Coupa\'s home page was reached.');
    process.exitCode = 1;
  }
} catch (error) {
  if (!(error instanceof OperatorError)) throw error;
  process.stderr.write(`${error.name}: ${error.describe()}\n`);
  process.exitCode = 2;
}
