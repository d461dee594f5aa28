import pRetry, { AbortError } from 'p-retry';
import type { PoStatus } from '../po-result.js';
import { openCoupaPage, type OpenedPage } from './coupa-page.js';
import { AuthenticationLostError, InfrastructureFault, isWindowGone, WindowGoneError } from './job-errors.js';
import type { PoJobContext } from './po-context.js';
import { withoutQuery } from '../shared/url-text.js';

export type PageOutcome =
  | { ok: true; page: OpenedPage }
  | { ok: false; status: PoStatus; message: string };

class TransientPageError extends Error {}

/** Carries a page that could not be opened out of its report step, which it marks failed. */
class PageNotOpened extends Error {
  constructor(readonly outcome: Extract<PageOutcome, { ok: false }>) {
    super(outcome.message);
    this.name = 'PageNotOpened';
  }
}

const isTimeout = (error: unknown) => error instanceof Error && (error.name === 'TimeoutError' || /timeout/i.test(error.message));

/**
 * Opens a PO or PR page, retrying server errors and timeouts with backoff. An error
 * page (PO not found, not authorised) is an answer, never retried; a sign-in page means
 * the window lost its session, which is the window's fault, not the PO's.
 */
export async function openWithRetry(ctx: PoJobContext, url: string, what: string): Promise<PageOutcome> {
  const coupaOrigin = ctx.settings.coupaBaseUrl.origin;
  // Sign-in landings and signed links carry tokens in their query: messages name the page only.
  const shown = withoutQuery(url);
  let lastError: unknown;
  try {
    const page = await pRetry(
      async () => {
        const opened = await openCoupaPage(ctx.page, url, { timeoutMs: ctx.settings.pageTimeoutMs, coupaOrigin }).catch((error: unknown) => {
          throw isWindowGone(error) ? new AbortError(new WindowGoneError(`opening ${what} ${shown}`)) : error;
        });
        if (opened.verdict.kind === 'sign-in-required') {
          throw new AbortError(
            new AuthenticationLostError(`opening ${what} ${shown} landed on the ${opened.verdict.where} (${withoutQuery(opened.url)}): the window is not signed in`),
          );
        }
        if (opened.verdict.kind === 'server-error') throw new TransientPageError(`HTTP ${opened.verdict.httpStatus}`);
        return opened;
      },
      {
        retries: ctx.settings.pageRetries,
        minTimeout: ctx.backoffMs ?? 1_000,
        factor: 2,
        onFailedAttempt: ({ error, retriesLeft }) => {
          lastError = error;
          if (retriesLeft > 0) ctx.log(`${what} ${shown}: ${error.message.split('\n')[0]}; retrying (${retriesLeft} left)`);
        },
      },
    );
    return { ok: true, page };
  } catch (error) {
    if (error instanceof InfrastructureFault) throw error;
    const attempts = ctx.settings.pageRetries + 1;
    if (isTimeout(error) || isTimeout(lastError)) {
      return { ok: false, status: 'TIMEOUT', message: `${what} did not load within ${ctx.settings.pageTimeoutMs} ms (${attempts} attempts): ${shown}` };
    }
    const reason = error instanceof TransientPageError ? `server answered ${error.message}` : (error as Error).message.split('\n')[0];
    return { ok: false, status: 'FAILED', message: `${what} could not be opened after ${attempts} attempts (${reason}): ${shown}` };
  }
}

/**
 * Opens a page as its own report step. A page that could not be opened marks that step
 * failed (the operator sees which step went wrong) while the PO goes on to its outcome:
 * the step's error is caught outside the step, so the PO's test itself stays passed.
 */
export async function openPageStep(ctx: PoJobContext, title: string, url: string, what: string): Promise<PageOutcome> {
  try {
    return await ctx.step(title, async () => {
      const outcome = await openWithRetry(ctx, url, what);
      if (!outcome.ok) throw new PageNotOpened(outcome);
      return outcome;
    });
  } catch (error) {
    if (error instanceof PageNotOpened) return error.outcome;
    throw error;
  }
}
