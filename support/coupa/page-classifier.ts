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
  /** The visible text of `div.flash_error`, when the page has one (possibly empty). */
  flashError?: string;
  /** The visible text of `div#error_explanation`, when the page has one (possibly empty). */
  errorExplanation?: string;
  hasCoupaLoginForm: boolean;
  hasIdpForm: boolean;
}

export type PageVerdict =
  | { kind: 'content' }
  /** `shows` completes "Coupa shows …": what the page said, in quotes, or what kind of error page it was. */
  | { kind: 'error-page'; shows: string }
  | { kind: 'sign-in-required'; where: 'identity provider' | 'Coupa login form' }
  | { kind: 'server-error'; httpStatus: number };

/** Apostrophes come as ’ or ' depending on the tenant's locale files. */
const normalise = (text: string) => text.replace(/[’‘]/g, "'").replace(/\s+/g, ' ').toLowerCase();

/** Longest error text quoted into a report; Coupa's messages are a sentence or two. */
export const ERROR_TEXT_MAX = 200;

/** An error box's text as one line for a report: its lines joined, spaces collapsed, bounded. */
export function errorBoxText(text: string): string {
  const line = text
    .split(/\r?\n/)
    .map((part) => part.replace(/\s+/g, ' ').trim())
    .filter(Boolean)
    .join('; ');
  return line.length > ERROR_TEXT_MAX ? `${line.slice(0, ERROR_TEXT_MAX - 1).trimEnd()}…` : line;
}

function errorBox(text: string): PageVerdict {
  const said = errorBoxText(text);
  return { kind: 'error-page', shows: said ? `"${said}"` : 'an error message without text' };
}

export function classifyPage(facts: PageFacts, coupaOrigin: string): PageVerdict {
  if (facts.hasCoupaLoginForm) return { kind: 'sign-in-required', where: 'Coupa login form' };
  if (new URL(facts.url).origin !== coupaOrigin || facts.hasIdpForm) {
    return { kind: 'sign-in-required', where: 'identity provider' };
  }
  const text = normalise(facts.bodyText);
  const marker = ERROR_MARKER_TEXTS.find((m) => text.includes(normalise(m)));
  if (marker) return { kind: 'error-page', shows: `"${marker}"` };
  if (facts.flashError !== undefined) return errorBox(facts.flashError);
  if (facts.errorExplanation !== undefined) return errorBox(facts.errorExplanation);
  if (facts.httpStatus !== undefined && facts.httpStatus >= 500) return { kind: 'server-error', httpStatus: facts.httpStatus };
  if (facts.httpStatus === 404 || facts.httpStatus === 403) {
    return { kind: 'error-page', shows: `an HTTP ${facts.httpStatus} page` };
  }
  return { kind: 'content' };
}

/** Landing pages of an authenticated session carry `home` or `dashboard` in their URL. */
export function isAuthenticatedLanding(url: string, coupaOrigin: string): boolean {
  const parsed = new URL(url);
  return parsed.origin === coupaOrigin && /home|dashboard/i.test(parsed.pathname);
}
