import fs from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import pRetry, { AbortError } from 'p-retry';
import type { PlannedPo } from '../input/job-plan.js';
import { pickAttachmentName } from '../output/file-names.js';
import { poFolderBaseName, statusFolderName, supplierOrHierarchyPath, workFolderName } from '../output/folder-names.js';
import { PO_STATUSES, resultWithoutFiles, type DownloadedFile, type PoResult, type PoStatus } from '../po-result.js';
import type { Settings } from '../settings.js';
import { AttachmentDownloadError, downloadAttachment, type AttachmentSource } from './attachment-downloader.js';
import {
  discoverAttachments,
  findRequisitionUrl,
  neutraliseFloatingToolbar,
  openCoupaPage,
  readSupplier,
  clickForDownload,
  type DiscoveredAttachment,
  type OpenedPage,
} from './coupa-page.js';
import { AuthenticationLostError, InfrastructureFault, isWindowGone, WindowGoneError } from './job-errors.js';
import { convertMsgToPdf, MsgPdfWriteError } from '../msg/msg-to-pdf.js';
import { BrokenMsgError } from '../msg/parse-msg.js';
import { withoutQuery } from '../shared/url-text.js';

export type ProcessorSettings = Pick<
  Settings,
  'coupaBaseUrl' | 'pageTimeoutMs' | 'pageRetries' | 'downloadTimeoutMs' | 'downloadRetries' | 'msgToPdf'
>;

export interface PoJobContext {
  page: Page;
  settings: ProcessorSettings;
  runRoot: string;
  window: string;
  log: (message: string) => void;
  /** Wraps a unit of work as a report step (Playwright/Allure); identity outside a test. */
  step: <T>(title: string, body: () => Promise<T>) => Promise<T>;
  /** Base delay of the exponential backoff between page and download attempts. */
  backoffMs?: number;
  /** Which file of the page the window is on, for the live progress display. */
  onFile?: (file: { name: string; index: number; count: number }) => void;
}

type PageOutcome =
  | { ok: true; page: OpenedPage }
  | { ok: false; status: PoStatus; message: string };

class TransientPageError extends Error {}

const isTimeout = (error: unknown) => error instanceof Error && (error.name === 'TimeoutError' || /timeout/i.test(error.message));

/**
 * Opens a PO or PR page, retrying server errors and timeouts with backoff. An error
 * page (PO not found, not authorised) is an answer, never retried; a sign-in page means
 * the window lost its session, which is the window's fault, not the PO's.
 */
async function openWithRetry(ctx: PoJobContext, url: string, what: string): Promise<PageOutcome> {
  const coupaOrigin = ctx.settings.coupaBaseUrl.origin;
  const shown = withoutQuery(url);
  let lastError: unknown;
  try {
    const page = await pRetry(
      async () => {
        const opened = await openCoupaPage(ctx.page, url, { timeoutMs: ctx.settings.pageTimeoutMs, coupaOrigin }).catch((error: unknown) => {
          throw isWindowGone(error) ? new AbortError(new WindowGoneError(`opening ${what} ${shown}`)) : error;
        });
        if (opened.verdict.kind === 'sign-in-required') {
          throw new AbortError(
            new AuthenticationLostError(`opening ${what} ${shown} landed on the ${opened.verdict.where} (${withoutQuery(opened.url)}): the window is not signed in`),
          );
        }
        if (opened.verdict.kind === 'server-error') throw new TransientPageError(`HTTP ${opened.verdict.httpStatus}`);
        return opened;
      },
      {
        retries: ctx.settings.pageRetries,
        minTimeout: ctx.backoffMs ?? 1_000,
        factor: 2,
        onFailedAttempt: ({ error, retriesLeft }) => {
          lastError = error;
          if (retriesLeft > 0) ctx.log(`${what} ${shown}: ${error.message.split('\n')[0]}; retrying (${retriesLeft} left)`);
        },
      },
    );
    return { ok: true, page };
  } catch (error) {
    if (error instanceof InfrastructureFault) throw error;
    const attempts = ctx.settings.pageRetries + 1;
    if (isTimeout(error) || isTimeout(lastError)) {
      return { ok: false, status: 'TIMEOUT', message: `${what} did not load within ${ctx.settings.pageTimeoutMs} ms (${attempts} attempts): ${shown}` };
    }
    const reason = error instanceof TransientPageError ? `server answered ${error.message}` : (error as Error).message.split('\n')[0];
    return { ok: false, status: 'FAILED', message: `${what} could not be opened after ${attempts} attempts (${reason}): ${shown}` };
  }
}

function nameHintOf(attachment: DiscoveredAttachment): string {
  return pickAttachmentName({
    downloadAttr: attachment.downloadAttr,
    title: attachment.title,
    ariaLabel: attachment.ariaLabel,
    text: attachment.text,
    href: attachment.href,
  });
}

function toSources(ctx: PoJobContext, attachments: DiscoveredAttachment[], source: 'PO' | 'PR'): AttachmentSource[] {
  const referrerUrl = ctx.page.url();
  return attachments.map((attachment) => {
    const { downloadAttr, title, ariaLabel, text } = attachment;
    const hints = { downloadAttr, title, ariaLabel, text };
    return attachment.href
      ? { source, hints, referrerUrl, url: attachment.href }
      : { source, hints, referrerUrl, trigger: () => clickForDownload(ctx.page, attachment, ctx.settings.pageTimeoutMs) };
  });
}

async function readAttachments(ctx: PoJobContext, source: 'PO' | 'PR'): Promise<{ sources: AttachmentSource[]; names: string[] }> {
  await neutraliseFloatingToolbar(ctx.page);
  const attachments = await discoverAttachments(ctx.page);
  return { sources: toSources(ctx, attachments, source), names: attachments.map(nameHintOf) };
}

/** A PO processed again (resumed run, retried test) starts from a clean slate: its earlier folders in this run are not trusted. */
function removeEarlierFolders(parent: string, base: string): void {
  for (const name of [workFolderName(base), ...PO_STATUSES.map((s) => statusFolderName(base, s))]) {
    fs.rmSync(path.join(parent, name), { recursive: true, force: true });
  }
}

const isPdfName = (name: string) => name.toLowerCase().endsWith('.pdf');

/**
 * Every downloaded Outlook message gets a PDF beside it, rendered by the window's own
 * browser; a message that cannot be read is reported in the PO's message, never fatal.
 */
async function convertMessages(ctx: PoJobContext, workDir: string, files: DownloadedFile[], notes: string[]): Promise<string[]> {
  const converted: string[] = [];
  for (const file of files.filter((f) => /\.msg$/i.test(f.name))) {
    await ctx.step(`Convert ${file.name} to PDF`, async () => {
      try {
        const { pdfPath } = await convertMsgToPdf(ctx.page.context(), path.join(workDir, file.name));
        converted.push(path.basename(pdfPath));
      } catch (error) {
        if (error instanceof BrokenMsgError || error instanceof MsgPdfWriteError) {
          notes.push(`${file.name} was downloaded but could not be converted to PDF: ${error.message}`);
          ctx.log(`${file.name}: not converted to PDF (${error.message})`);
        } else if (isWindowGone(error)) {
          throw new WindowGoneError(`converting ${file.name} to PDF`);
        } else {
          throw error;
        }
      }
    });
  }
  return converted;
}

export async function processPo(ctx: PoJobContext, po: PlannedPo): Promise<PoResult> {
  const started = Date.now();
  const base = ctx.settings.coupaBaseUrl;
  const poUrl = new URL(`/order_headers/${po.id}`, base).href;
  const result = (fields: Partial<PoResult> & Pick<PoResult, 'status'>): PoResult =>
    resultWithoutFiles(po, { coupaUrl: poUrl, window: ctx.window, ...fields, durationMs: Date.now() - started });

  const opened = await ctx.step(`Open PO page ${poUrl}`, () => openWithRetry(ctx, poUrl, 'PO page'));
  if (!opened.ok) return result({ status: opened.status, errorMessage: opened.message });
  if (opened.page.verdict.kind === 'error-page') {
    return result({ status: 'PO_NOT_FOUND', errorMessage: `Coupa shows ${opened.page.verdict.shows} for this PO (${poUrl}).` });
  }

  const supplier = (await readSupplier(ctx.page)) || 'Unknown';
  const fromPo = await ctx.step('Discover PO attachments', () => readAttachments(ctx, 'PO'));
  ctx.log(`PO ${po.poNumber}: supplier "${supplier}", ${fromPo.sources.length} attachment(s) on the PO page`);

  const needsFallback = !fromPo.names.some(isPdfName);
  // Read before any download: renewing an expired session navigates away from the PO page.
  const prUrl = needsFallback ? await findRequisitionUrl(ctx.page) : undefined;

  const parent = path.join(ctx.runRoot, ...supplierOrHierarchyPath(po.hierarchy, supplier));
  const folderBase = poFolderBaseName(po.poNumber);
  removeEarlierFolders(parent, folderBase);
  const workDir = path.join(parent, workFolderName(folderBase));
  fs.mkdirSync(workDir, { recursive: true });

  const files: DownloadedFile[] = [];
  const failures: string[] = [];
  const taken = new Set<string>();
  const renewSession = async () => {
    const home = await openWithRetry(ctx, new URL('/', base).href, 'home page');
    if (!home.ok) throw new AuthenticationLostError(`Coupa's session expired and could not be renewed: ${home.message}`);
    ctx.log(`PO ${po.poNumber}: Coupa session renewed through the sign-in bounce`);
  };
  // A page's JavaScript attachments can only be clicked while that page is open, so each
  // page's files are downloaded before the next page is opened, buttons first (renewing
  // an expired session for a link navigates away from the page).
  const downloadAll = async (sources: AttachmentSource[]) => {
    const ordered = [...sources.filter((s) => s.trigger), ...sources.filter((s) => !s.trigger)];
    for (const [index, source] of ordered.entries()) {
      const label = source.url ?? `"${source.hints.title ?? source.hints.ariaLabel ?? source.hints.text}" (JavaScript button)`;
      ctx.onFile?.({ name: source.hints.title ?? source.hints.text ?? source.hints.downloadAttr ?? label, index: index + 1, count: ordered.length });
      try {
        const file = await ctx.step(`Download ${label}`, async () => {
          const downloaded = await downloadAttachment(source, {
            context: ctx.page.context(),
            renewSession,
            folder: workDir,
            taken,
            timeoutMs: ctx.settings.downloadTimeoutMs,
            retries: ctx.settings.downloadRetries,
            coupaOrigin: base.origin,
            backoffMs: ctx.backoffMs,
            onRetry: (message) => ctx.log(`PO ${po.poNumber}: ${label}: ${message}`),
          });
          ctx.log(`PO ${po.poNumber}: saved "${downloaded.name}" (${downloaded.bytes} bytes, sha256 ${downloaded.sha256.slice(0, 12)}…)`);
          await ctx.step(`Saved "${downloaded.name}": ${downloaded.bytes} bytes, sha256 ${downloaded.sha256}`, async () => undefined);
          return downloaded;
        });
        files.push(file);
      } catch (error) {
        if (!(error instanceof AttachmentDownloadError)) throw error;
        failures.push(error.message);
        ctx.log(`PO ${po.poNumber}: FAILED ${error.message}`);
      }
    }
  };
  await downloadAll(fromPo.sources);

  let found = fromPo.sources.length;
  let coupaUrl = poUrl;
  const notes: string[] = [];
  let requisitionBlocked = false;
  if (needsFallback) {
    const why = fromPo.names.length === 0 ? 'the PO has no attachments' : 'the PO has no PDF among its attachments';
    if (!prUrl) {
      if (fromPo.names.length) notes.push(`${why} and no requisition is linked`);
    } else {
      await ctx.step(`PR fallback ${prUrl}`, async () => {
        const pr = await openWithRetry(ctx, prUrl, 'requisition page');
        if (!pr.ok) {
          requisitionBlocked = true;
          notes.push(`PR fallback: ${why}, but ${pr.message}`);
        } else if (pr.page.verdict.kind === 'error-page') {
          requisitionBlocked = true;
          notes.push(`PR fallback: ${why}, but the requisition is not accessible (Coupa shows ${pr.page.verdict.shows}, ${withoutQuery(prUrl)})`);
        } else {
          const fromPr = await readAttachments(ctx, 'PR');
          coupaUrl = prUrl;
          found += fromPr.sources.length;
          notes.push(
            `PR fallback used: ${why}; ${fromPr.sources.length} attachment(s) taken from the requisition` +
              (fromPo.sources.length ? `, the PO's own ${fromPo.sources.length} file(s) kept` : ''),
          );
          await downloadAll(fromPr.sources);
        }
      });
    }
  }

  const status: PoStatus =
    found === 0
      ? requisitionBlocked
        ? 'PR_NOT_ACCESSIBLE'
        : 'NO_ATTACHMENTS'
      : files.length === found
        ? 'COMPLETED'
        : files.length > 0
          ? 'PARTIAL'
          : 'FAILED';
  if (status === 'NO_ATTACHMENTS') {
    notes.unshift(prUrl ? 'No attachments on the PO nor on its requisition' : 'No attachments on the PO and no requisition linked');
  }
  if (failures.length) notes.push(`${failures.length} of ${found} file(s) not downloaded: ${failures.join('; ')}`);

  const convertedPdfs = ctx.settings.msgToPdf ? await convertMessages(ctx, workDir, files, notes) : [];

  const finalDir = path.join(parent, statusFolderName(folderBase, status));
  fs.renameSync(workDir, finalDir);
  return result({
    status,
    supplier,
    attachmentsFound: found,
    attachmentsDownloaded: files.length,
    files,
    convertedPdfs,
    errorMessage: notes.join('. '),
    downloadFolder: finalDir,
    coupaUrl,
  });
}
