import type { BrowserContext } from '@playwright/test';

/**
 * HTTP requests for attachments, with redirects followed here rather than by fetch: the
 * window's cookies are sent to the tenant's origin (COUPA_BASE_URL's) and to nothing else,
 * whatever a page links to or a redirect points at. A storage host (object storage, a CDN)
 * the tenant redirects to gets no cookie; its signed URL is its only key.
 */

export type TenantResponse =
  | { kind: 'response'; response: Response; url: string }
  /** The tenant sent the request to its sign-in, or it ended on another host's web page (the identity provider). */
  | { kind: 'sign-in' };

export interface TenantRequestOptions {
  method: 'GET' | 'HEAD';
  context: BrowserContext;
  coupaOrigin: string;
  /** Aborts the whole chain of requests and the body. */
  signal: AbortSignal;
}

const MAX_REDIRECTS = 10;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const SIGN_IN_PATH = /\/sessions\/new/;

/** Thrown when the redirects themselves are wrong (a loop, a non-HTTP target); nothing was downloaded. */
export class RedirectError extends Error {}

export function isTenantUrl(url: string | URL, coupaOrigin: string): boolean {
  return new URL(url).origin === coupaOrigin;
}

async function cookieHeader(context: BrowserContext, url: URL): Promise<Record<string, string>> {
  const cookies = (await context.cookies(url.href)).map((c) => `${c.name}=${c.value}`).join('; ');
  return cookies ? { cookie: cookies } : {};
}

export async function requestFromTenant(url: string, options: TenantRequestOptions): Promise<TenantResponse> {
  let current = new URL(url);
  for (let hop = 0; ; hop++) {
    const tenant = current.origin === options.coupaOrigin;
    if (tenant && SIGN_IN_PATH.test(current.pathname)) return { kind: 'sign-in' };
    const response = await fetch(current, {
      method: options.method,
      redirect: 'manual',
      headers: tenant ? await cookieHeader(options.context, current) : {},
      signal: options.signal,
    });
    const location = response.headers.get('location');
    if (!REDIRECT_STATUSES.has(response.status) || location === null) {
      if (!tenant && response.ok && isWebPage(response)) {
        await response.body?.cancel();
        return { kind: 'sign-in' };
      }
      return { kind: 'response', response, url: current.href };
    }
    await response.body?.cancel();
    if (hop >= MAX_REDIRECTS) throw new RedirectError(`more than ${MAX_REDIRECTS} redirects`);
    current = new URL(location, current);
    if (current.protocol !== 'https:' && current.protocol !== 'http:') throw new RedirectError(`redirected to a ${current.protocol} address`);
  }
}

/** A page for a person (a sign-in form), not a file: HTML without a Content-Disposition. */
function isWebPage(response: Response): boolean {
  return (response.headers.get('content-type') ?? '').startsWith('text/html') && !response.headers.get('content-disposition');
}
