import { downloadAttachments, readAttachments, type Collection, type PageAttachment } from './attachment-collector.js';
import { withoutQuery } from '../shared/url-text.js';
import type { PoJobContext } from './po-context.js';
import { openPageStep } from './po-page.js';

const isPdfName = (name: string) => name.toLowerCase().endsWith('.pdf');

/** WORKFLOW.md: the requisition's attachments are taken when the PO has none, or no PDF among them. */
export function requisitionNeeded(fromPo: PageAttachment[]): boolean {
  return !fromPo.some((a) => isPdfName(a.shownName));
}

export interface FallbackResult {
  /** Attachments found on the requisition page. */
  found: number;
  /** The requisition could not be opened or refused access. */
  blocked: boolean;
  /** The page the files came from when the requisition was used. */
  coupaUrl?: string;
  note?: string;
}

/**
 * Takes the requisition's attachments after the PO's own (which are kept). `prUrl` is read
 * from the PO page before its files are downloaded, since renewing a session navigates away.
 */
export async function requisitionFallback(
  ctx: PoJobContext,
  prUrl: string | undefined,
  fromPo: PageAttachment[],
  into: Collection,
): Promise<FallbackResult> {
  const why = fromPo.length === 0 ? 'the PO has no attachments' : 'the PO has no PDF among its attachments';
  if (!prUrl) return { found: 0, blocked: false, ...(fromPo.length ? { note: `${why} and no requisition is linked` } : {}) };
  return ctx.step(`PR fallback ${prUrl}`, async () => {
    const pr = await openPageStep(ctx, `Open requisition page ${prUrl}`, prUrl, 'requisition page');
    if (!pr.ok) return { found: 0, blocked: true, note: `PR fallback: ${why}, but ${pr.message}` };
    if (pr.page.verdict.kind === 'error-page') {
      return {
        found: 0,
        blocked: true,
        note: `PR fallback: ${why}, but the requisition is not accessible (Coupa shows ${pr.page.verdict.shows}, ${withoutQuery(prUrl)})`,
      };
    }
    const fromPr = await readAttachments(ctx, 'PR');
    const kept = fromPo.length ? `, the PO's own ${fromPo.length} file(s) kept` : '';
    await downloadAttachments(ctx, fromPr, into);
    return {
      found: fromPr.length,
      blocked: false,
      coupaUrl: prUrl,
      note: `PR fallback used: ${why}; ${fromPr.length} attachment(s) taken from the requisition${kept}`,
    };
  });
}
