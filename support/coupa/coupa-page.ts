import type { Download, Page } from '@playwright/test';
import { classifyPage, type PageFacts, type PageVerdict } from './page-classifier.js';

/** What the page says about one attachment, before anything is downloaded. */
export interface DiscoveredAttachment {
  form: 'link' | 'button' | 'comment';
  /** Absolute URL; absent for JavaScript buttons until they are clicked. */
  href?: string;
  downloadAttr?: string;
  title?: string;
  ariaLabel?: string;
  text?: string;
  /** Index stamped on the element so a button can be found again to click it. */
  domIndex: number;
}

const TOOLBAR_SELECTOR = '.page_buttons_right.orderHeaderShowFloatingSection.floatingSectionOnTop';
const DOM_INDEX_ATTR = 'data-coupa-dl-index';

export async function readPageFacts(page: Page, httpStatus: number | undefined): Promise<PageFacts> {
  const dom = await page.evaluate(() => {
    // What the operator would read in the error box; the report bounds it further.
    const visibleText = (selector: string) => {
      const element = document.querySelector<HTMLElement>(selector);
      return element ? (element.innerText ?? element.textContent ?? '').slice(0, 2_000) : undefined;
    };
    return {
      bodyText: document.body?.innerText ?? '',
      flashError: visibleText('div.flash_error'),
      errorExplanation: visibleText('div#error_explanation'),
      hasCoupaLoginForm: !!document.querySelector('#user_email') && !!document.querySelector('#user_password'),
      hasIdpForm: !!document.querySelector('input[type=password]'),
    };
  });
  return {
    url: page.url(),
    httpStatus,
    bodyText: dom.bodyText,
    hasCoupaLoginForm: dom.hasCoupaLoginForm,
    hasIdpForm: dom.hasIdpForm,
    ...(dom.flashError !== undefined ? { flashError: dom.flashError } : {}),
    ...(dom.errorExplanation !== undefined ? { errorExplanation: dom.errorExplanation } : {}),
  };
}

export interface OpenedPage {
  verdict: PageVerdict;
  httpStatus: number | undefined;
  url: string;
}

/** One navigation, classified. Timeouts and network errors propagate to the caller's retry policy. */
export async function openCoupaPage(page: Page, url: string, options: { timeoutMs: number; coupaOrigin: string }): Promise<OpenedPage> {
  const response = await page.goto(url, { timeout: options.timeoutMs, waitUntil: 'domcontentloaded' });
  const facts = await readPageFacts(page, response?.status());
  return { verdict: classifyPage(facts, options.coupaOrigin), httpStatus: response?.status(), url: page.url() };
}

/**
 * The value of the field labelled "Supplier". Tenants render fields as label/value,
 * dt/dd or th/td; the label is matched on its own text so a supplier called
 * "Supplier Services Ltd" in some other field cannot be mistaken for the label.
 */
export async function readSupplier(page: Page): Promise<string> {
  return page.evaluate(() => {
    const labels = Array.from(document.querySelectorAll('label, dt, th, span, div, strong, b'));
    for (const label of labels) {
      const own = (label.textContent ?? '').replace(/[:\s]+$/g, '').trim();
      if (own.toLowerCase() !== 'supplier') continue;
      const sibling = label.nextElementSibling;
      const value = (sibling?.textContent ?? '').trim();
      if (value) return value.replace(/\s+/g, ' ');
      const container = label.parentElement?.querySelector('.value');
      const containerText = (container?.textContent ?? '').trim();
      if (containerText) return containerText.replace(/\s+/g, ' ');
    }
    return '';
  });
}

/**
 * Every attachment on the page in the forms WORKFLOW.md lists: links to
 * `attachment_file` URLs (plain, with `download`, inline PDFs, comment thread links)
 * and `span[role=button]` elements labelled "file attachment" that start a download
 * from JavaScript. The same URL linked twice (icon and text) counts once.
 */
export async function discoverAttachments(page: Page): Promise<DiscoveredAttachment[]> {
  return page.evaluate((indexAttr) => {
    const found: DiscoveredAttachment[] = [];
    const seen = new Set<string>();
    const attr = (el: Element, name: string) => el.getAttribute(name)?.trim() || undefined;
    const links = Array.from(document.querySelectorAll<HTMLAnchorElement>('a[href*="attachment_file"]'));
    for (const a of links) {
      const href = a.href;
      if (seen.has(href)) continue;
      seen.add(href);
      const domIndex = found.length;
      a.setAttribute(indexAttr, String(domIndex));
      found.push({
        form: a.closest('[class*="commentAttachments"]') ? 'comment' : 'link',
        href,
        downloadAttr: attr(a, 'download'),
        title: attr(a, 'title'),
        ariaLabel: attr(a, 'aria-label'),
        text: a.textContent?.trim() || undefined,
        domIndex,
      });
    }
    const buttons = Array.from(document.querySelectorAll('span[role="button"]')).filter((el) =>
      (el.getAttribute('aria-label') ?? '').toLowerCase().includes('file attachment'),
    );
    for (const span of buttons) {
      const domIndex = found.length;
      span.setAttribute(indexAttr, String(domIndex));
      found.push({
        form: 'button',
        title: attr(span, 'title'),
        ariaLabel: attr(span, 'aria-label'),
        text: span.textContent?.trim() || undefined,
        domIndex,
      });
    }
    return found;
  }, DOM_INDEX_ATTR) as Promise<DiscoveredAttachment[]>;
}

export async function findRequisitionUrl(page: Page): Promise<string | undefined> {
  const href = await page.locator('a[href*="/requisition_headers/"]').first().getAttribute('href', { timeout: 1_000 }).catch(() => null);
  return href ? new URL(href, page.url()).href : undefined;
}

/**
 * The floating toolbar is fixed on top of the page and intercepts clicks on whatever
 * scrolls under it; making it transparent to the pointer lets a real, trusted click
 * reach the attachment while leaving the page otherwise as Coupa rendered it.
 */
export async function neutraliseFloatingToolbar(page: Page): Promise<void> {
  await page.addStyleTag({ content: `${TOOLBAR_SELECTOR} { pointer-events: none !important; }` });
}

/** Clicks a JavaScript attachment button (a real, trusted click) and returns the download it starts. */
export async function clickForDownload(page: Page, attachment: DiscoveredAttachment, timeoutMs: number): Promise<Download> {
  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: timeoutMs }),
    page.locator(`[${DOM_INDEX_ATTR}="${attachment.domIndex}"]`).click({ timeout: timeoutMs }),
  ]);
  return download;
}
