import fs from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import pRetry, { AbortError } from 'p-retry';
import type { PlannedPo } from '../input/job-plan.js';
import { pickAttachmentName } from '../output/file-names.js';
import { poFolderBaseName, statusFolderName, supplierOrHierarchyPath, workFolderName } from '../output/folder-names.js';
import { PO_STATUSES, type DownloadedFile, type PoResult, type PoStatus } from '../po-result.js';
import type { Settings } from '../settings.js';
import { AttachmentDownloadError, downloadAttachment, type AttachmentSource } from './attachment-downloader.js';
import {
  discoverAttachments,
  findRequisitionUrl,
  neutraliseFloatingToolbar,
  openCoupaPage,
  readSupplier,
  resolveButtonUrl,
  type DiscoveredAttachment,
  type OpenedPage,
} from './coupa-page.js';
import { AuthenticationLostError } from './job-errors.js';

export type ProcessorSettings = Pick<
  Settings,
  'coupaBaseUrl' | 'pageTimeoutMs' | 'pageRetries' | 'downloadTimeoutMs' | 'downloadRetries'
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
  let lastError: unknown;
  try {
    const page = await pRetry(
      async () => {
        const opened = await openCoupaPage(ctx.page, url, { timeoutMs: ctx.settings.pageTimeoutMs, coupaOrigin });
        if (opened.verdict.kind === 'sign-in-required') {
          throw new AbortError(
            new AuthenticationLostError(`opening ${what} ${url} landed on the ${opened.verdict.where} (${opened.url}): the window is not signed in`),
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
          if (retriesLeft > 0) ctx.log(`${what} ${url}: ${error.message.split('\n')[0]}; retrying (${retriesLeft} left)`);
        },
      },
    );
    return { ok: true, page };
  } catch (error) {
    if (error instanceof AuthenticationLostError) throw error;
    const attempts = ctx.settings.pageRetries + 1;
    if (isTimeout(error) || isTimeout(lastError)) {
      return { ok: false, status: 'TIMEOUT', message: `${what} did not load within ${ctx.settings.pageTimeoutMs} ms (${attempts} attempts): ${url}` };
    }
    const reason = error instanceof TransientPageError ? `server answered ${error.message}` : (error as Error).message.split('\n')[0];
    return { ok: false, status: 'FAILED', message: `${what} could not be opened after ${attempts} attempts (${reason}): ${url}` };
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

async function toSources(ctx: PoJobContext, attachments: DiscoveredAttachment[], source: 'PO' | 'PR'): Promise<AttachmentSource[]> {
  const sources: AttachmentSource[] = [];
  for (const attachment of attachments) {
    const url = attachment.href ?? (await resolveButtonUrl(ctx.page, attachment, ctx.settings.pageTimeoutMs));
    const { downloadAttr, title, ariaLabel, text } = attachment;
    sources.push({ url, source, hints: { downloadAttr, title, ariaLabel, text } });
  }
  return sources;
}

async function readAttachments(ctx: PoJobContext, source: 'PO' | 'PR'): Promise<{ sources: AttachmentSource[]; names: string[] }> {
  await neutraliseFloatingToolbar(ctx.page);
  const attachments = await discoverAttachments(ctx.page);
  return { sources: await toSources(ctx, attachments, source), names: attachments.map(nameHintOf) };
}

/** A PO processed again (resumed run, retried test) starts from a clean slate: its earlier folders in this run are not trusted. */
function removeEarlierFolders(parent: string, base: string): void {
  for (const name of [workFolderName(base), ...PO_STATUSES.map((s) => statusFolderName(base, s))]) {
    fs.rmSync(path.join(parent, name), { recursive: true, force: true });
  }
}

const isPdfName = (name: string) => name.toLowerCase().endsWith('.pdf');

export async function processPo(ctx: PoJobContext, po: PlannedPo): Promise<PoResult> {
  const started = Date.now();
  const base = ctx.settings.coupaBaseUrl;
  const poUrl = new URL(`/order_headers/${po.id}`, base).href;
  const result = (fields: Partial<PoResult> & Pick<PoResult, 'status'>): PoResult => ({
    id: po.id,
    poNumber: po.poNumber,
    supplier: '',
    attachmentsFound: 0,
    attachmentsDownloaded: 0,
    files: [],
    errorMessage: '',
    downloadFolder: '',
    coupaUrl: poUrl,
    window: ctx.window,
    ...fields,
    finishedAt: new Date().toISOString(),
    durationMs: Date.now() - started,
  });

  const opened = await ctx.step(`Open PO page ${poUrl}`, () => openWithRetry(ctx, poUrl, 'PO page'));
  if (!opened.ok) return result({ status: opened.status, errorMessage: opened.message });
  if (opened.page.verdict.kind === 'error-page') {
    return result({ status: 'PO_NOT_FOUND', errorMessage: `Coupa shows "${opened.page.verdict.marker}" for this PO (${poUrl}).` });
  }

  const supplier = (await readSupplier(ctx.page)) || 'Unknown';
  const fromPo = await ctx.step('Discover PO attachments', () => readAttachments(ctx, 'PO'));
  ctx.log(`PO ${po.poNumber}: supplier "${supplier}", ${fromPo.sources.length} attachment(s) on the PO page`);

  let sources = fromPo.sources;
  let coupaUrl = poUrl;
  const notes: string[] = [];
  let requisitionBlocked = false;
  if (!fromPo.names.some(isPdfName)) {
    const why = fromPo.names.length === 0 ? 'the PO has no attachments' : 'the PO has no PDF among its attachments';
    const prUrl = await findRequisitionUrl(ctx.page);
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
          notes.push(`PR fallback: ${why}, but the requisition is not accessible (Coupa shows "${pr.page.verdict.marker}", ${prUrl})`);
        } else {
          const fromPr = await readAttachments(ctx, 'PR');
          sources = [...sources, ...fromPr.sources];
          coupaUrl = prUrl;
          notes.push(
            `PR fallback used: ${why}; ${fromPr.sources.length} attachment(s) taken from the requisition` +
              (fromPo.sources.length ? `, the PO's own ${fromPo.sources.length} file(s) kept` : ''),
          );
        }
      });
    }
  }

  const parent = path.join(ctx.runRoot, ...supplierOrHierarchyPath(po.hierarchy, supplier));
  const folderBase = poFolderBaseName(po.poNumber);
  removeEarlierFolders(parent, folderBase);
  const workDir = path.join(parent, workFolderName(folderBase));
  fs.mkdirSync(workDir, { recursive: true });

  const files: DownloadedFile[] = [];
  const failures: string[] = [];
  const taken = new Set<string>();
  for (const source of sources) {
    try {
      const file = await ctx.step(`Download ${source.url}`, async () => {
        const downloaded = await downloadAttachment(ctx.page.context().request, source, {
          folder: workDir,
          taken,
          timeoutMs: ctx.settings.downloadTimeoutMs,
          retries: ctx.settings.downloadRetries,
          coupaOrigin: base.origin,
          backoffMs: ctx.backoffMs,
          onRetry: (message) => ctx.log(`PO ${po.poNumber}: ${source.url}: ${message}`),
        });
        ctx.log(`PO ${po.poNumber}: saved "${downloaded.name}" (${downloaded.bytes} bytes, sha256 ${downloaded.sha256.slice(0, 12)}…)`);
        return downloaded;
      });
      files.push(file);
    } catch (error) {
      if (error instanceof AuthenticationLostError || !(error instanceof AttachmentDownloadError)) throw error;
      failures.push(error.message);
      ctx.log(`PO ${po.poNumber}: FAILED ${error.message}`);
    }
  }

  const found = sources.length;
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
  if (status === 'NO_ATTACHMENTS') notes.unshift('No attachments on the PO' + (requisitionBlocked ? '' : ' nor on a linked requisition'));
  if (failures.length) notes.push(`${failures.length} of ${found} file(s) not downloaded: ${failures.join('; ')}`);

  const finalDir = path.join(parent, statusFolderName(folderBase, status));
  fs.renameSync(workDir, finalDir);
  return result({
    status,
    supplier,
    attachmentsFound: found,
    attachmentsDownloaded: files.length,
    files,
    errorMessage: notes.join('. '),
    downloadFolder: finalDir,
    coupaUrl,
  });
}
