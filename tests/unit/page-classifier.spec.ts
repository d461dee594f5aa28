import { expect, test } from '@playwright/test';
import { classifyPage, ERROR_MARKER_TEXTS, ERROR_TEXT_MAX, isAuthenticatedLanding, type PageFacts } from '../../support/coupa/page-classifier.js';

const origin = 'https://acme.coupahost.com';
const facts = (overrides: Partial<PageFacts>): PageFacts => ({
  url: `${origin}/order_headers/4100001`,
  httpStatus: 200,
  bodyText: 'Purchase Order #4100001 Supplier Acme',
  hasCoupaLoginForm: false,
  hasIdpForm: false,
  ...overrides,
});

test('a normal PO page is content, even with a harmless notice on it', () => {
  expect(classifyPage(facts({ bodyText: 'Purchase Order #4100001 Notice: this PO was revised' }), origin)).toEqual({ kind: 'content' });
});

for (const marker of ERROR_MARKER_TEXTS) {
  test(`the marker "${marker}" makes an error page, whatever the HTTP status`, () => {
    for (const httpStatus of [200, 403, 404]) {
      expect(classifyPage(facts({ bodyText: `Coupa ${marker}. Go back`, httpStatus }), origin)).toEqual({ kind: 'error-page', shows: `"${marker}"` });
    }
  });
}

test('typographic apostrophes and odd spacing still match the markers', () => {
  expect(classifyPage(facts({ bodyText: 'Oops!  We couldn’t find\nwhat you wanted' }), origin)).toMatchObject({ kind: 'error-page' });
});

test('the error elements count as error pages, told by what they say; a 5xx is a server error to retry', () => {
  expect(classifyPage(facts({ flashError: '  Record 4100009 is unavailable. ' }), origin)).toEqual({ kind: 'error-page', shows: '"Record 4100009 is unavailable."' });
  expect(classifyPage(facts({ errorExplanation: '1 error prohibited this record from being shown\n\n  Record   4100009 is unavailable\n' }), origin)).toEqual({
    kind: 'error-page',
    shows: '"1 error prohibited this record from being shown; Record 4100009 is unavailable"',
  });
  expect(classifyPage(facts({ flashError: ' \n ' }), origin)).toEqual({ kind: 'error-page', shows: 'an error message without text' });
  expect(classifyPage(facts({ httpStatus: 404, bodyText: 'Nothing here' }), origin)).toEqual({ kind: 'error-page', shows: 'an HTTP 404 page' });
  expect(classifyPage(facts({ httpStatus: 502, bodyText: 'Bad gateway' }), origin)).toEqual({ kind: 'server-error', httpStatus: 502 });
});

test('a long error text is cut to a bounded length', () => {
  const verdict = classifyPage(facts({ flashError: `Blocked: ${'x'.repeat(5_000)}` }), origin);
  expect(verdict.kind === 'error-page' && verdict.shows.length).toBe(ERROR_TEXT_MAX + 2);
  expect(verdict.kind === 'error-page' && verdict.shows.endsWith('x…"')).toBe(true);
});

test('landing on the identity provider or on Coupa\'s login form means the window is not signed in', () => {
  expect(classifyPage(facts({ url: 'https://login.acme.com/authorize?x=1', hasIdpForm: true }), origin)).toEqual({ kind: 'sign-in-required', where: 'identity provider' });
  expect(classifyPage(facts({ url: `${origin}/sessions/new`, hasCoupaLoginForm: true }), origin)).toEqual({ kind: 'sign-in-required', where: 'Coupa login form' });
});

test('an authenticated landing page has home or dashboard in its path, on the tenant', () => {
  expect(isAuthenticatedLanding(`${origin}/user/home`, origin)).toBe(true);
  expect(isAuthenticatedLanding(`${origin}/dashboard`, origin)).toBe(true);
  expect(isAuthenticatedLanding(`${origin}/sessions/new`, origin)).toBe(false);
  expect(isAuthenticatedLanding('https://login.acme.com/home', origin)).toBe(false);
});
