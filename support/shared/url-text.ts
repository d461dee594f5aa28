/**
 * URLs as the job may write them in messages, logs and reports: without the query and the
 * fragment (sign-in redirects carry tokens there, storage hosts carry signatures) and
 * without user:password. What is left still says which host and page were meant.
 */
export function withoutQuery(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.search = '';
    parsed.hash = '';
    parsed.username = '';
    parsed.password = '';
    return parsed.href;
  } catch {
    return url.replace(/[?#].*$/s, '');
  }
}
