import type { PoStatus } from '../po-result.js';
import { allureStatusOf } from './po-outcome.js';

/**
 * Allure categories that answer "was it Coupa or was it us?": business outcomes are POs
 * with a recorded status (Coupa said not found, no files, …; failed or broken when files
 * are missing), infrastructure faults are tests that failed because a window did. Written
 * as `categories.json` in the results folder (Allure 2 format, which the Allure 3 CLI also
 * accepts in its config).
 *
 * Regexes are written to work both as Allure 2 full-string matches and as Allure 3
 * substring searches, hence the explicit `[\s\S]*` around infrastructure patterns.
 */
export interface AllureCategory {
  name: string;
  description: string;
  matchedStatuses: ('passed' | 'failed' | 'broken' | 'skipped')[];
  messageRegex: string;
}

function businessOutcome(status: PoStatus, label: string, description: string): AllureCategory {
  return {
    name: `Business outcome: ${label}`,
    description,
    matchedStatuses: [allureStatusOf(status)],
    // Anchored at the start: the message is built by outcomeMessage, never by the PO's own text.
    messageRegex: `^Outcome ${status}:[\\s\\S]*`,
  };
}

function infrastructure(label: string, description: string, patterns: string[]): AllureCategory {
  return {
    name: `Infrastructure: ${label}`,
    description,
    matchedStatuses: ['failed', 'broken'],
    // A business outcome's reason may quote a browser error; it is classified by its outcome only.
    messageRegex: `^(?!Outcome [A-Z_]+:)[\\s\\S]*(${patterns.join('|')})[\\s\\S]*`,
  };
}

export const ALLURE_CATEGORIES: readonly AllureCategory[] = [
  businessOutcome('PO_NOT_FOUND', 'PO not found', 'Coupa answered with an error page for the PO: it does not exist or this account may not see it.'),
  businessOutcome('NO_ATTACHMENTS', 'no attachments', 'The PO (and its requisition, if any) has no attachment.'),
  businessOutcome('PR_NOT_ACCESSIBLE', 'PR not accessible', 'The PO has no usable attachment and its requisition page could not be opened.'),
  businessOutcome('PARTIAL', 'partial download', 'Some of the PO\'s files were downloaded, others failed after every retry.'),
  businessOutcome('FAILED', 'failed downloads', 'The PO page was read but none of its files could be downloaded completely.'),
  businessOutcome('TIMEOUT', 'timeout', 'Coupa did not deliver the PO page within the page timeout, after every retry.'),
  infrastructure('sign-in lost', 'The window lost its Coupa session and could not sign in again through the SSO bounce.', ['AuthenticationLostError']),
  infrastructure('window could not be verified', 'A window was not proven to run on its intended, signed-in profile.', [
    'WindowVerificationError',
    'could not be verified',
  ]),
  infrastructure('browser crashed/killed', 'The window\'s browser closed under the PO (crash, kill, out of memory).', [
    'WindowGoneError',
    'browser is gone',
    'crashed or (was )?killed',
    'Target page, context or browser has been closed',
    'Browser has been closed',
    'browser has disconnected',
    'Target crashed',
    '[Ww]orker process exited unexpectedly',
  ]),
  infrastructure('test timeout', 'The PO took longer than PO_TIMEOUT_MS, or a window did not start within WINDOW_SETUP_TIMEOUT_MS.', [
    'Test timeout of \\d+ms exceeded',
    'timeout of \\d+ms exceeded',
    'Worker teardown timeout',
  ]),
];
