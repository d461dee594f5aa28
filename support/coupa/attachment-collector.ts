import { pickAttachmentName } from '../output/file-names.js';
import type { DownloadedFile } from '../po-result.js';
import { AttachmentDownloadError, fetchAttachment, placeAttachment, type AttachmentSource, type DownloadOptions } from './attachment-downloader.js';
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
 * Links fetched at the same time per PO. Each is a plain request with the window's cookies
 * and its own temporary file; a few at once shorten a PO by the server's latency without
 * flooding the tenant.
 */
export const LINK_CONCURRENCY = 3;

/** One renewal at a time: links fetched together that all find the session expired share the one renewal. */
function oneAtATime(renew: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= renew().finally(() => (running = undefined)));
}

/**
 * Downloads a page's attachments into the PO folder, each as its own report step. A
 * page's JavaScript attachments can only be clicked while that page is open, so buttons go
 * first, one at a time (renewing an expired session for a link navigates away from the
 * page); links are then fetched LINK_CONCURRENCY at a time. Files are named in the page's
 * order whatever order they arrive in, so two files of the same name are always told apart
 * the same way. A file that cannot be downloaded is noted and the others go on.
 */
export async function downloadAttachments(ctx: PoJobContext, attachments: PageAttachment[], into: Collection): Promise<void> {
  const ordered = [...attachments.filter((a) => a.source.trigger), ...attachments.filter((a) => !a.source.trigger)];
  const options: DownloadOptions = {
    context: ctx.page.context(),
    renewSession: oneAtATime(into.renewSession),
    folder: into.workDir,
    taken: into.taken,
    timeoutMs: ctx.settings.downloadTimeoutMs,
    retries: ctx.settings.downloadRetries,
    coupaOrigin: ctx.settings.coupaBaseUrl.origin,
    backoffMs: ctx.backoffMs,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  };
  // Each file is named once every file before it is named (or failed).
  const named = ordered.map(() => {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    return { promise, resolve };
  });
  const outcomes: ({ file: DownloadedFile } | { failure: string } | undefined)[] = [];
  const one = async (index: number) => {
    const { source, shownName } = ordered[index]!;
    ctx.onFile?.({ name: shownName, index: index + 1, count: ordered.length });
    const title = `Download "${shownName}"${source.trigger ? ' (JavaScript button)' : ''}`;
    try {
      outcomes[index] = {
        file: await ctx.step(title, async () => {
          const fetched = await fetchAttachment(source, { ...options, onRetry: (message) => ctx.log(`PO ${into.poNumber}: "${shownName}": ${message}`) });
          await named[index - 1]?.promise;
          const downloaded = placeAttachment(fetched, options);
          ctx.log(`PO ${into.poNumber}: saved "${downloaded.name}" (${downloaded.bytes} bytes, sha256 ${downloaded.sha256.slice(0, 12)}…)`);
          await ctx.step(`Saved "${downloaded.name}": ${downloaded.bytes} bytes, sha256 ${downloaded.sha256}`, async () => undefined);
          return downloaded;
        }),
      };
    } catch (error) {
      if (!(error instanceof AttachmentDownloadError)) throw error;
      const failure = `${shownName}: ${error.reason} (${error.attempts} attempt${error.attempts === 1 ? '' : 's'})`;
      outcomes[index] = { failure };
      ctx.log(`PO ${into.poNumber}: FAILED ${failure}`);
    } finally {
      named[index]!.resolve();
    }
  };
  const buttons = ordered.filter((a) => a.source.trigger).length;
  for (let index = 0; index < buttons; index++) await one(index);
  // A fault of the window (not of one file) stops the PO: no new file is started, the ones under way end first.
  let fault: { error: unknown } | undefined;
  let next = buttons;
  const lane = async () => {
    while (next < ordered.length && !fault) {
      try {
        await one(next++);
      } catch (error) {
        fault ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(LINK_CONCURRENCY, ordered.length - buttons) }, lane));
  if (fault) throw fault.error;
  for (const outcome of outcomes) {
    if (outcome && 'file' in outcome) into.files.push(outcome.file);
    else if (outcome) into.failures.push(outcome.failure);
  }
}
