import type { ExpectedStatus, SimAttachment, SimPo } from './catalogue-model.js';
import { isPdfName } from './file-types.js';

/**
 * What the download job should report for a PO, derived from the catalogue entry by the
 * job's rules (WORKFLOW.md, issue 2): the PR fallback applies when the PO page has no
 * attachment or no PDF among them, and then the PO's own files are kept next to the PR's.
 * Tests compare the job's results against this; the catalogue's hand-written
 * `expectedStatus` must agree with it.
 */
export interface ExpectedDownload {
  attachment: SimAttachment;
  source: 'PO' | 'PR';
}

export interface ExpectedOutcome {
  status: ExpectedStatus;
  /** Attachments the job finds on the page(s) it reads. */
  found: ExpectedDownload[];
  /** The subset that must end up complete on disk. */
  downloaded: ExpectedDownload[];
  /** Whether the requisition page was (or had to be) consulted. */
  usesRequisition: boolean;
}

export function expectedOutcome(po: SimPo): ExpectedOutcome {
  const none = (status: ExpectedStatus, usesRequisition = false): ExpectedOutcome => ({ status, found: [], downloaded: [], usesRequisition });
  if (po.faults?.hang) return none('TIMEOUT');
  if (po.faults?.alwaysFail500) return none('FAILED');
  if (po.errorVariant) return none('PO_NOT_FOUND');

  const fromPo = po.attachments.map((attachment) => ({ attachment, source: 'PO' as const }));
  const needsFallback = !po.attachments.some((a) => isPdfName(a.fileName));
  const requisition = needsFallback ? po.requisition : undefined;
  if (requisition?.denial && fromPo.length === 0) return none('PR_NOT_ACCESSIBLE', true);

  const fromPr = requisition && !requisition.denial ? requisition.attachments.map((attachment) => ({ attachment, source: 'PR' as const })) : [];
  const found = [...fromPo, ...fromPr];
  const downloaded = found.filter(({ attachment }) => !attachment.faults?.alwaysCutOff);
  const status: ExpectedStatus =
    found.length === 0 ? 'NO_ATTACHMENTS' : downloaded.length === found.length ? 'COMPLETED' : downloaded.length === 0 ? 'FAILED' : 'PARTIAL';
  return { status, found, downloaded, usesRequisition: requisition !== undefined };
}
