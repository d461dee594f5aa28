import type { AttachmentFaults, AttachmentForm, Catalogue, DispositionKind, HostileNameKind, SimAttachment, SimPo } from './catalogue-model.js';

/**
 * The hand-made tenant used by the project's tests and the demo: every outcome the job
 * can report, every attachment form and header variant, the fault injections, and the
 * file names that break careless code. PO ids are 41000NN; attachment ids encode their
 * PO (71000NNk on the PO page, 72000NNk on its requisition); requisitions are 61000NN.
 */
export function fixtureCatalogue(): Catalogue {
  return { pos: FIXTURE_POS.map((build, index) => build(index + 1)) };
}

interface AttachmentSpec {
  name: string;
  kb: number;
  form?: AttachmentForm;
  disposition?: DispositionKind;
  faults?: AttachmentFaults;
  hostile?: HostileNameKind;
}

function attachments(n: number, onRequisition: boolean, specs: AttachmentSpec[]): SimAttachment[] {
  const base = (onRequisition ? 72_000_000 : 71_000_000) + n * 10;
  return specs.map((spec, k) => ({
    id: String(base + k + 1),
    fileName: spec.name,
    size: spec.kb * 1024 + k * 37,
    form: spec.form ?? 'download-link',
    disposition: spec.disposition ?? 'attachment',
    ...(spec.faults && { faults: spec.faults }),
    ...(spec.hostile && { hostile: spec.hostile }),
  }));
}

const poId = (n: number) => String(4_100_000 + n);
const requisitionId = (n: number) => String(6_100_000 + n);

type PoBuilder = (n: number) => SimPo;

const LONG_NAME = `${'Master_Services_Agreement_Amendment_'.repeat(6)}`.slice(0, 216) + '.pdf';

const notFound =
  (variant: NonNullable<SimPo['errorVariant']>, scenario: string): PoBuilder =>
  (n) => ({
    id: poId(n),
    supplier: '',
    supplierMarkup: 'label-value',
    attachments: [],
    errorVariant: variant,
    expectedStatus: 'PO_NOT_FOUND',
    scenario,
  });

const FIXTURE_POS: PoBuilder[] = [
  (n) => ({
    id: poId(n),
    supplier: 'Acme Industrial Supplies',
    supplierMarkup: 'label-value',
    attachments: attachments(n, false, [
      { name: `Purchase_Order_${poId(n)}.pdf`, kb: 48 },
      { name: 'Quote_Q-2291.xlsx', kb: 22 },
    ]),
    requisition: { id: requisitionId(n), attachments: attachments(n, true, [{ name: `Requisition_${requisitionId(n)}.pdf`, kb: 12 }]) },
    expectedStatus: 'COMPLETED',
    scenario: 'Two download links; a requisition is linked but must not be used because the PO has a PDF',
  }),
  (n) => ({
    id: poId(n),
    supplier: 'Globex Corporation',
    supplierMarkup: 'definition-list',
    notice: 'This order was revised; the supplier has been notified of the change.',
    attachments: attachments(n, false, [{ name: `PO_${poId(n)}_signed.pdf`, kb: 30 }]),
    expectedStatus: 'COMPLETED',
    scenario: 'A harmless div.notice on a valid PO; supplier shown as dt/dd',
  }),
  (n) => ({
    id: poId(n),
    supplier: 'Initech S.A.',
    supplierMarkup: 'label-value',
    attachments: attachments(n, false, [
      { name: `Signed_PO_${poId(n)}.pdf`, kb: 40, form: 'inline-link', disposition: 'inline' },
      { name: 'Terms_and_Conditions.pdf', kb: 25, form: 'inline-link', disposition: 'none' },
    ]),
    expectedStatus: 'COMPLETED',
    scenario: 'PDF links that open a viewer tab: one served inline, one without Content-Disposition',
  }),
  (n) => ({
    id: poId(n),
    supplier: 'Umbrella Logistics',
    supplierMarkup: 'definition-list',
    attachments: attachments(n, false, [
      { name: 'Delivery_Schedule.pdf', kb: 35, form: 'script-button' },
      { name: '発注書.pdf', kb: 18, form: 'script-button', disposition: 'attachment-utf8', hostile: 'non-ascii' },
    ]),
    expectedStatus: 'COMPLETED',
    scenario: 'Attachments that download only from JavaScript (span role=button), one with a Japanese name',
  }),
  (n) => ({
    id: poId(n),
    supplier: 'Stark Components Ltd',
    supplierMarkup: 'label-value',
    attachments: attachments(n, false, [
      { name: `Order_Confirmation_${poId(n)}.pdf`, kb: 20 },
      { name: 'RE_ Delivery date confirmation.msg', kb: 64, form: 'comment-link' },
    ]),
    expectedStatus: 'COMPLETED',
    scenario: 'The supplier answered with an e-mail (.msg) attached to a comment',
  }),
  (n) => ({
    id: poId(n),
    supplier: 'Müller & Söhne GmbH',
    supplierMarkup: 'definition-list',
    attachments: attachments(n, false, [
      { name: 'Relatório_Março_€.pdf', kb: 28, disposition: 'attachment-utf8', hostile: 'non-ascii' },
      { name: 'Ångström_Spezifikation.docx', kb: 15, disposition: 'attachment-utf8', hostile: 'non-ascii' },
    ]),
    expectedStatus: 'COMPLETED',
    scenario: "Non-ASCII names sent as filename*=UTF-8'' with an ASCII fallback",
  }),
  (n) => ({
    id: poId(n),
    supplier: 'Wayne Enterprises',
    supplierMarkup: 'label-value',
    attachments: attachments(n, false, [
      { name: '../../../etc/evil.txt', kb: 2, hostile: 'traversal' },
      { name: '..\\..\\evil.bat', kb: 3, form: 'script-button', hostile: 'traversal-backslash' },
      { name: `Invoice_${poId(n)}.pdf`, kb: 16 },
    ]),
    expectedStatus: 'COMPLETED',
    scenario: 'Served names that try to leave the PO folder (../ and ..\\)',
  }),
  (n) => ({
    id: poId(n),
    supplier: 'Hooli / Nucleus Division',
    supplierMarkup: 'definition-list',
    attachments: attachments(n, false, [
      { name: 'CON.txt', kb: 1, hostile: 'reserved-device-name' },
      { name: 'aux.pdf', kb: 9, hostile: 'reserved-device-name' },
      { name: 'Q3 <draft>: "final" | v2? *.xlsx', kb: 11, hostile: 'forbidden-characters' },
      { name: 'Packing list.txt. . ', kb: 4, form: 'comment-link', hostile: 'trailing-dots-spaces' },
    ]),
    expectedStatus: 'COMPLETED',
    scenario: 'Names Windows rejects: device names, <>:"|?* and trailing dots/spaces',
  }),
  (n) => ({
    id: poId(n),
    supplier: 'Tyrell Corporation',
    supplierMarkup: 'label-value',
    attachments: attachments(n, false, [{ name: LONG_NAME, kb: 24, hostile: 'long' }]),
    expectedStatus: 'COMPLETED',
    scenario: 'A 220-character file name',
  }),
  (n) => ({
    id: poId(n),
    supplier: 'Cyberdyne Systems',
    supplierMarkup: 'definition-list',
    attachments: attachments(n, false, [
      { name: 'invoice.pdf', kb: 10, hostile: 'duplicate' },
      { name: 'invoice.pdf', kb: 14, form: 'script-button', hostile: 'duplicate' },
      { name: 'Report.PDF', kb: 12, hostile: 'case-only' },
      { name: 'report.pdf', kb: 13, hostile: 'case-only' },
    ]),
    expectedStatus: 'COMPLETED',
    scenario: 'Two different files with the same name, and two names differing only by case',
  }),
  (n) => ({
    id: poId(n),
    supplier: 'Soylent Foods',
    supplierMarkup: 'label-value',
    attachments: attachments(n, false, [{ name: `PO_${poId(n)}.pdf`, kb: 20 }]),
    faults: { transient500: 2 },
    expectedStatus: 'COMPLETED',
    scenario: 'The PO page answers 500 twice, then works',
  }),
  (n) => ({
    id: poId(n),
    supplier: 'Vandelay Industries',
    supplierMarkup: 'definition-list',
    attachments: attachments(n, false, [
      { name: `Contract_${poId(n)}.pdf`, kb: 150, faults: { cutOffAttempts: 1 } },
      { name: 'Annex_A.docx', kb: 40 },
    ]),
    expectedStatus: 'COMPLETED',
    scenario: 'A download is cut off mid-body on the first attempt and completes on the retry',
  }),
  (n) => ({
    id: poId(n),
    supplier: 'Oceanic Airlines Cargo',
    supplierMarkup: 'label-value',
    attachments: attachments(n, false, [
      { name: `PO_${poId(n)}.pdf`, kb: 12 },
      { name: `Drawings_${poId(n)}.zip`, kb: 96, faults: { chunked: true, slow: { chunkBytes: 8192, delayMs: 30 } } },
    ]),
    expectedStatus: 'COMPLETED',
    scenario: 'A slow download streamed in chunks without Content-Length',
  }),
  (n) => ({
    id: poId(n),
    supplier: 'Pied Piper',
    supplierMarkup: 'definition-list',
    attachments: [],
    requisition: {
      id: requisitionId(n),
      attachments: attachments(n, true, [
        { name: `Requisition_${requisitionId(n)}.pdf`, kb: 22 },
        { name: 'Specification.docx', kb: 17, form: 'script-button' },
      ]),
    },
    expectedStatus: 'COMPLETED',
    scenario: 'PR fallback: the PO has no attachment, its requisition has two',
  }),
  (n) => ({
    id: poId(n),
    supplier: 'Massive Dynamic',
    supplierMarkup: 'label-value',
    attachments: attachments(n, false, [
      { name: 'Supplier reply.msg', kb: 30, form: 'comment-link' },
      { name: 'Price list 2025.xlsx', kb: 19 },
    ]),
    requisition: {
      id: requisitionId(n),
      attachments: attachments(n, true, [{ name: `Approved_Requisition_${requisitionId(n)}.pdf`, kb: 26, form: 'inline-link', disposition: 'inline' }]),
    },
    expectedStatus: 'COMPLETED',
    scenario: "PR fallback: the PO has only .msg/.xlsx (no PDF); its own files are kept next to the requisition's PDF",
  }),
  (n) => ({
    id: poId(n),
    supplier: 'Aperture Science',
    supplierMarkup: 'definition-list',
    attachments: [],
    requisition: { id: requisitionId(n), attachments: [], denial: 'not-authorized' },
    expectedStatus: 'PR_NOT_ACCESSIBLE',
    scenario: 'PR fallback needed, but the requisition page says "You are not authorized"',
  }),
  (n) => ({
    id: poId(n),
    supplier: 'Black Mesa Research',
    supplierMarkup: 'label-value',
    attachments: [],
    requisition: { id: requisitionId(n), attachments: [], denial: 'access-denied' },
    expectedStatus: 'PR_NOT_ACCESSIBLE',
    scenario: 'PR fallback needed, but the requisition page says "Access denied"',
  }),
  (n) => ({
    id: poId(n),
    supplier: 'Gringotts Procurement',
    supplierMarkup: 'definition-list',
    attachments: [],
    expectedStatus: 'NO_ATTACHMENTS',
    scenario: 'No attachment and no requisition link',
  }),
  (n) => ({
    id: poId(n),
    supplier: 'Monsters Inc Energy',
    supplierMarkup: 'label-value',
    attachments: attachments(n, false, [
      { name: `Invoice_${poId(n)}.pdf`, kb: 20 },
      { name: 'Timesheet.xlsx', kb: 12 },
      { name: 'Broken_scan.pdf', kb: 60, faults: { alwaysCutOff: true } },
    ]),
    expectedStatus: 'PARTIAL',
    scenario: 'One attachment is cut off on every attempt, the other two download',
  }),
  (n) => ({
    id: poId(n),
    supplier: 'Duff Beverages',
    supplierMarkup: 'definition-list',
    attachments: attachments(n, false, [
      { name: 'Scan_1.pdf', kb: 30, faults: { alwaysCutOff: true } },
      { name: 'Scan_2.pdf', kb: 30, form: 'script-button', faults: { alwaysCutOff: true } },
    ]),
    expectedStatus: 'FAILED',
    scenario: 'Every attachment is cut off on every attempt',
  }),
  (n) => ({
    id: poId(n),
    supplier: 'Krusty Krab Supplies',
    supplierMarkup: 'label-value',
    attachments: attachments(n, false, [{ name: `PO_${poId(n)}.pdf`, kb: 10 }]),
    faults: { alwaysFail500: true },
    expectedStatus: 'FAILED',
    scenario: 'The PO page answers 500 on every request',
  }),
  (n) => ({
    id: poId(n),
    supplier: 'Sirius Cybernetics',
    supplierMarkup: 'definition-list',
    attachments: attachments(n, false, [{ name: `PO_${poId(n)}.pdf`, kb: 10 }]),
    faults: { hang: true },
    expectedStatus: 'TIMEOUT',
    scenario: 'The PO page never answers',
  }),
  notFound('oops', `404 page "Oops! We couldn't find what you wanted"`),
  notFound('not-authorized', '403 page "You are not authorized"'),
  notFound('access-denied', '403 page "Access denied"'),
  notFound('page-does-not-exist', `404 page "The page you were looking for doesn't exist"`),
  notFound('portuguese-not-found', '200 page "Desculpe, não encontramos o que você procurava"'),
  notFound('flash-error', '200 page with div.flash_error'),
  notFound('error-explanation', '200 page with div#error_explanation'),
];
