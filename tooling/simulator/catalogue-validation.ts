import { ATTACHMENT_FORMS, DISPOSITION_KINDS, ERROR_VARIANTS, EXPECTED_STATUSES, type Catalogue, type SimAttachment } from './catalogue-model.js';
import { minPdfBytes } from './attachment-content.js';
import { isHeaderSafe } from './download-headers.js';
import { isPdfName } from './file-types.js';

/**
 * Rules every catalogue must follow so that pages, URLs and headers can be served at
 * all: ids unique and numeric, sizes servable, names that fit the chosen header form.
 * Returns one message per problem, naming the PO and attachment.
 */
export function catalogueProblems(catalogue: Catalogue): string[] {
  const problems: string[] = [];
  const poIds = new Set<string>();
  const requisitionIds = new Set<string>();
  const attachmentIds = new Set<string>();

  const checkAttachment = (owner: string, a: SimAttachment) => {
    const where = `${owner}, attachment ${a.id} "${a.fileName}"`;
    if (!/^\d+$/.test(a.id)) problems.push(`${where}: id must be digits`);
    if (attachmentIds.has(a.id)) problems.push(`${where}: duplicate attachment id`);
    attachmentIds.add(a.id);
    if (a.fileName.length === 0) problems.push(`${where}: empty file name`);
    if (!Number.isSafeInteger(a.size) || a.size < 1) problems.push(`${where}: size must be a positive integer`);
    else if (isPdfName(a.fileName) && a.size < minPdfBytes(a.id)) problems.push(`${where}: a PDF needs at least ${minPdfBytes(a.id)} bytes`);
    if (!ATTACHMENT_FORMS.includes(a.form)) problems.push(`${where}: unknown form ${String(a.form)}`);
    if (!DISPOSITION_KINDS.includes(a.disposition)) problems.push(`${where}: unknown disposition ${String(a.disposition)}`);
    if ((a.disposition === 'attachment' || a.disposition === 'inline') && !isHeaderSafe(a.fileName)) {
      problems.push(`${where}: a non-ASCII name needs the attachment-utf8 disposition`);
    }
    if (a.form === 'inline-link' && (!isPdfName(a.fileName) || (a.disposition !== 'inline' && a.disposition !== 'none'))) {
      problems.push(`${where}: an inline link must point to a PDF served inline or without Content-Disposition`);
    }
    const faults = a.faults ?? {};
    if (faults.cutOffAttempts !== undefined && !(Number.isInteger(faults.cutOffAttempts) && faults.cutOffAttempts >= 0)) {
      problems.push(`${where}: cutOffAttempts must be a non-negative integer`);
    }
    if (faults.slow && !(faults.slow.chunkBytes >= 1 && faults.slow.delayMs >= 0)) problems.push(`${where}: slow needs chunkBytes ≥ 1 and delayMs ≥ 0`);
  };

  for (const po of catalogue.pos) {
    const where = `PO ${po.id}`;
    if (!/^\d{6,}$/.test(po.id)) problems.push(`${where}: id must be at least 6 digits`);
    if (poIds.has(po.id)) problems.push(`${where}: duplicate PO id`);
    poIds.add(po.id);
    if (!EXPECTED_STATUSES.includes(po.expectedStatus)) problems.push(`${where}: unknown expectedStatus ${String(po.expectedStatus)}`);
    if (po.errorVariant !== undefined && !ERROR_VARIANTS.includes(po.errorVariant)) problems.push(`${where}: unknown error variant ${po.errorVariant}`);
    if (!po.scenario.trim()) problems.push(`${where}: scenario is empty`);
    const transient = po.faults?.transient500;
    if (transient !== undefined && !(Number.isInteger(transient) && transient >= 0)) problems.push(`${where}: transient500 must be a non-negative integer`);
    for (const a of po.attachments) checkAttachment(where, a);
    const requisition = po.requisition;
    if (!requisition) continue;
    if (!/^\d+$/.test(requisition.id)) problems.push(`${where}: requisition id ${requisition.id} must be digits`);
    if (requisitionIds.has(requisition.id)) problems.push(`${where}: requisition ${requisition.id} belongs to another PO too`);
    requisitionIds.add(requisition.id);
    for (const a of requisition.attachments) checkAttachment(`${where} requisition ${requisition.id}`, a);
  }
  return problems;
}
