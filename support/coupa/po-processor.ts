import fs from 'node:fs';
import path from 'node:path';
import type { PlannedPo } from '../input/job-plan.js';
import { poFolderBaseName, statusFolderName, supplierOrHierarchyPath, workFolderName } from '../output/folder-names.js';
import { PO_STATUSES, resultWithoutFiles, type PoResult } from '../po-result.js';
import { downloadAttachments, readAttachments, type Collection } from './attachment-collector.js';
import { findRequisitionUrl, readSupplier } from './coupa-page.js';
import { AuthenticationLostError } from './job-errors.js';
import { convertMessages } from './message-pdfs.js';
import type { PoJobContext } from './po-context.js';
import { openPageStep, openWithRetry } from './po-page.js';
import { decideStatus, missingFilesNote } from './po-status.js';
import { requisitionFallback, requisitionNeeded } from './requisition-fallback.js';

/** A PO processed again (resumed run, retried test) starts from a clean slate: its earlier folders in this run are not trusted. */
function removeEarlierFolders(parent: string, base: string): void {
  for (const name of [workFolderName(base), ...PO_STATUSES.map((s) => statusFolderName(base, s))]) {
    fs.rmSync(path.join(parent, name), { recursive: true, force: true });
  }
}

/**
 * One PO, as the operators' tool does it (WORKFLOW.md): open its page, download its
 * attachments into `<name>__WORK`, fall back to the requisition when the PO has no PDF,
 * decide the status and rename the folder to `<name>_<STATUS>`.
 */
export async function processPo(ctx: PoJobContext, po: PlannedPo): Promise<PoResult> {
  const started = Date.now();
  const base = ctx.settings.coupaBaseUrl;
  const poUrl = new URL(`/order_headers/${po.id}`, base).href;
  const result = (fields: Partial<PoResult> & Pick<PoResult, 'status'>): PoResult =>
    resultWithoutFiles(po, { coupaUrl: poUrl, window: ctx.window, ...fields, durationMs: Date.now() - started });

  const opened = await openPageStep(ctx, `Open PO page ${poUrl}`, poUrl, 'PO page');
  if (!opened.ok) return result({ status: opened.status, errorMessage: opened.message });
  if (opened.page.verdict.kind === 'error-page') {
    return result({ status: 'PO_NOT_FOUND', errorMessage: `Coupa shows ${opened.page.verdict.shows} for this PO (${poUrl}).` });
  }

  const supplier = (await readSupplier(ctx.page)) || 'Unknown';
  const fromPo = await ctx.step('Discover PO attachments', () => readAttachments(ctx, 'PO'));
  ctx.log(`PO ${po.poNumber}: supplier "${supplier}", ${fromPo.length} attachment(s) on the PO page`);
  const fallback = requisitionNeeded(fromPo);
  // Read before any download: renewing an expired session navigates away from the PO page.
  const prUrl = fallback ? await findRequisitionUrl(ctx.page) : undefined;

  const parent = path.join(ctx.runRoot, ...supplierOrHierarchyPath(po.hierarchy, supplier));
  const folderBase = poFolderBaseName(po.poNumber);
  removeEarlierFolders(parent, folderBase);
  const workDir = path.join(parent, workFolderName(folderBase));
  fs.mkdirSync(workDir, { recursive: true });
  const collection: Collection = {
    poNumber: po.poNumber,
    workDir,
    taken: new Set<string>(),
    files: [],
    failures: [],
    renewSession: async () => {
      const home = await openWithRetry(ctx, new URL('/', base).href, 'home page');
      if (!home.ok) throw new AuthenticationLostError(`Coupa's session expired and could not be renewed: ${home.message}`);
      ctx.log(`PO ${po.poNumber}: Coupa session renewed through the sign-in bounce`);
    },
  };
  await downloadAttachments(ctx, fromPo, collection);
  const fromPr = fallback ? await requisitionFallback(ctx, prUrl, fromPo, collection) : { found: 0, blocked: false };

  const found = fromPo.length + fromPr.found;
  const status = decideStatus({ found, downloaded: collection.files.length, requisitionBlocked: fromPr.blocked });
  const notes = [
    ...(status === 'NO_ATTACHMENTS' ? [prUrl ? 'No attachments on the PO nor on its requisition' : 'No attachments on the PO and no requisition linked'] : []),
    ...(fromPr.note ? [fromPr.note] : []),
    ...[missingFilesNote(collection.failures, found)].filter((n): n is string => n !== undefined),
  ];
  const convertedPdfs = ctx.settings.msgToPdf ? await convertMessages(ctx, workDir, collection.files, notes) : [];

  const finalDir = path.join(parent, statusFolderName(folderBase, status));
  fs.renameSync(workDir, finalDir);
  return result({
    status,
    supplier,
    attachmentsFound: found,
    attachmentsDownloaded: collection.files.length,
    files: collection.files,
    convertedPdfs,
    errorMessage: notes.join('. '),
    downloadFolder: finalDir,
    coupaUrl: fromPr.coupaUrl ?? poUrl,
  });
}
