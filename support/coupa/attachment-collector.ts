import { pickAttachmentName } from '../output/file-names.js';
import type { DownloadedFile } from '../po-result.js';
import { AttachmentDownloadError, downloadAttachment, type AttachmentSource } from './attachment-downloader.js';
import { clickForDownload, discoverAttachments, neutraliseFloatingToolbar, type DiscoveredAttachment } from './coupa-page.js';
import type { PoJobContext } from './po-context.js';

/** One attachment of a page: how to fetch it, and the name the page shows for it (what the operator looks for). */
export interface PageAttachment {
  source: AttachmentSource;
  shownName: string;
}

/** Where one PO's files go and what they have collected so far, across the PO page and its requisition. */
export interface Collection {
  poNumber: string;
  workDir: string;
  /** Lower-cased names already used in the PO folder. */
  taken: Set<string>;
  /** Signs the window in again when Coupa's session expired. */
  renewSession: () => Promise<void>;
  files: DownloadedFile[];
  /** `shown name: why`, one per file that could not be downloaded. */
  failures: string[];
}

function shownNameOf(attachment: DiscoveredAttachment): string {
  const { downloadAttr, title, ariaLabel, text, href } = attachment;
  return pickAttachmentName({ downloadAttr, title, ariaLabel, text, href });
}

function toSource(ctx: PoJobContext, attachment: DiscoveredAttachment, from: 'PO' | 'PR'): AttachmentSource {
  const { downloadAttr, title, ariaLabel, text } = attachment;
  const hints = { downloadAttr, title, ariaLabel, text };
  return attachment.href
    ? { source: from, hints, referrerUrl: ctx.page.url(), url: attachment.href }
    : { source: from, hints, referrerUrl: ctx.page.url(), trigger: () => clickForDownload(ctx.page, attachment, ctx.settings.pageTimeoutMs) };
}

/** The attachments of the page the window is on. */
export async function readAttachments(ctx: PoJobContext, from: 'PO' | 'PR'): Promise<PageAttachment[]> {
  await neutraliseFloatingToolbar(ctx.page);
  return (await discoverAttachments(ctx.page)).map((attachment) => ({ source: toSource(ctx, attachment, from), shownName: shownNameOf(attachment) }));
}

/**
 * Downloads a page's attachments into the PO folder, each as its own report step. A
 * page's JavaScript attachments can only be clicked while that page is open, so buttons go
 * first (renewing an expired session for a link navigates away from the page). A file
 * that cannot be downloaded is noted and the others go on.
 */
export async function downloadAttachments(ctx: PoJobContext, attachments: PageAttachment[], into: Collection): Promise<void> {
  const ordered = [...attachments.filter((a) => a.source.trigger), ...attachments.filter((a) => !a.source.trigger)];
  for (const [index, { source, shownName }] of ordered.entries()) {
    ctx.onFile?.({ name: shownName, index: index + 1, count: ordered.length });
    const title = `Download "${shownName}"${source.trigger ? ' (JavaScript button)' : ''}`;
    try {
      const file = await ctx.step(title, async () => {
        const downloaded = await downloadAttachment(source, {
          context: ctx.page.context(),
          renewSession: into.renewSession,
          folder: into.workDir,
          taken: into.taken,
          timeoutMs: ctx.settings.downloadTimeoutMs,
          retries: ctx.settings.downloadRetries,
          coupaOrigin: ctx.settings.coupaBaseUrl.origin,
          backoffMs: ctx.backoffMs,
          onRetry: (message) => ctx.log(`PO ${into.poNumber}: "${shownName}": ${message}`),
        });
        ctx.log(`PO ${into.poNumber}: saved "${downloaded.name}" (${downloaded.bytes} bytes, sha256 ${downloaded.sha256.slice(0, 12)}…)`);
        await ctx.step(`Saved "${downloaded.name}": ${downloaded.bytes} bytes, sha256 ${downloaded.sha256}`, async () => undefined);
        return downloaded;
      });
      into.files.push(file);
    } catch (error) {
      if (!(error instanceof AttachmentDownloadError)) throw error;
      const failure = `${shownName}: ${error.reason} (${error.attempts} attempt${error.attempts === 1 ? '' : 's'})`;
      into.failures.push(failure);
      ctx.log(`PO ${into.poNumber}: FAILED ${failure}`);
    }
  }
}
