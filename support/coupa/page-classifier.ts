/**
 * Decides what a loaded Coupa page is, from facts read off the page. Pure, so every
 * marker of WORKFLOW.md is tested without a browser. `div.notice` is deliberately not a
 * marker: Coupa shows harmless notices on valid POs and the old tool took them for errors.
 */
export const ERROR_MARKER_TEXTS = [
  "Oops! We couldn't find what you wanted",
  'You are not authorized',
  'Access denied',
  "The page you were looking for doesn't exist",
  'Desculpe, não encontramos o que você procurava',
] as const;

export interface PageFacts {
  url: string;
  httpStatus: number | undefined;
  bodyText: string;
  hasFlashError: boolean;
  hasErrorExplanation: boolean;
  hasCoupaLoginForm: boolean;
  hasIdpForm: boolean;
}

export type PageVerdict =
  | { kind: 'content' }
  | { kind: 'error-page'; marker: string }
  | { kind: 'sign-in-required'; where: 'identity provider' | 'Coupa login form' }
  | { kind: 'server-error'; httpStatus: number };

/** Apostrophes come as ’ or ' depending on the tenant's locale files. */
const normalise = (text: string) => text.replace(/[’‘]/g, "'").replace(/\s+/g, ' ').toLowerCase();

export function classifyPage(facts: PageFacts, coupaOrigin: string): PageVerdict {
  if (facts.hasCoupaLoginForm) return { kind: 'sign-in-required', where: 'Coupa login form' };
  if (new URL(facts.url).origin !== coupaOrigin || facts.hasIdpForm) {
    return { kind: 'sign-in-required', where: 'identity provider' };
  }
  const text = normalise(facts.bodyText);
  const marker = ERROR_MARKER_TEXTS.find((m) => text.includes(normalise(m)));
  if (marker) return { kind: 'error-page', marker };
  if (facts.hasFlashError) return { kind: 'error-page', marker: 'div.flash_error' };
  if (facts.hasErrorExplanation) return { kind: 'error-page', marker: 'div#error_explanation' };
  if (facts.httpStatus !== undefined && facts.httpStatus >= 500) return { kind: 'server-error', httpStatus: facts.httpStatus };
  if (facts.httpStatus === 404 || facts.httpStatus === 403) {
    return { kind: 'error-page', marker: `HTTP ${facts.httpStatus}` };
  }
  return { kind: 'content' };
}

/** Landing pages of an authenticated session carry `home` or `dashboard` in their URL. */
export function isAuthenticatedLanding(url: string, coupaOrigin: string): boolean {
  const parsed = new URL(url);
  return parsed.origin === coupaOrigin && /home|dashboard/i.test(parsed.pathname);
}
