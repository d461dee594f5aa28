/**
 * The Allure 3 report page loads Google Analytics (hard-wired in the awesome plugin, no
 * option turns it off), which would tell a third party the report's name and location each
 * time an operator opens it, and reach the internet from machines that must not. The tags
 * are removed from the generated page; the report itself does not depend on them.
 */
const SCRIPT = /<script\b([^>]*)>([\s\S]*?)<\/script>\s*/g;

export function removeAnalytics(html: string): { html: string; removed: number } {
  let removed = 0;
  const cleaned = html.replace(SCRIPT, (whole, attributes: string, body: string) => {
    const isTracker = /\bsrc\s*=\s*["']https:\/\/www\.googletagmanager\.com\//i.test(attributes) || /\bgtag\s*\(/.test(body);
    if (!isTracker) return whole;
    removed++;
    return '';
  });
  return { html: cleaned, removed };
}
