/**
 * Text fit for a report (terminal summary, HTML and Allure reports, timeline): nothing we
 * write may carry a cookie, a token or a URL's query.
 */
// The query stops at a closing parenthesis: messages often put the URL in brackets.
const QUERY_IN_URL = /(\bhttps?:\/\/[^\s?#"'<>]*)[?#][^\s"'<>()]*/gi;
const SECRET_ASSIGNMENT = /\b(token|access_token|id_token|coupa_session|idp_stay|password|passwd|secret|cookie)(\s*[=:]\s*)("[^"]*"|[^\s&;,]+)/gi;

/** A message fit for a report: URLs lose their query, and anything that looks like a secret assignment its value. */
export function cleanText(text: string): string {
  return text.replace(QUERY_IN_URL, '$1').replace(SECRET_ASSIGNMENT, '$1$2[removed]');
}

/** Every string inside a value, cleaned. */
export function cleanDeep(value: unknown): unknown {
  if (typeof value === 'string') return cleanText(value);
  if (Array.isArray(value)) return value.map(cleanDeep);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cleanDeep(v)]));
  return value;
}
