import { PO_STATUSES, type PoStatus } from '../../support/po-result.js';

/**
 * What the simulated Coupa tenant contains: purchase orders, their requisitions and
 * attachments, the markup variant each one is rendered with and the faults it injects,
 * together with the outcome the download job is expected to report for it.
 */

/** Statuses only the report uses: they never come from a page. */
const REPORT_ONLY_STATUSES = ['PENDING', 'INVALID_PO_NUMBER', 'LOCKED'] as const satisfies readonly PoStatus[];

/** Outcomes a PO can have in Coupa. */
export type ExpectedStatus = Exclude<PoStatus, (typeof REPORT_ONLY_STATUSES)[number]>;

export const EXPECTED_STATUSES: readonly ExpectedStatus[] = PO_STATUSES.filter(
  (status): status is ExpectedStatus => !(REPORT_ONLY_STATUSES as readonly PoStatus[]).includes(status),
);

/**
 * How an attachment appears on the page (WORKFLOW.md "Coupa pages"):
 * 1 `download-link`: `a[href]` with a `download` attribute;
 * 2 `inline-link`: `a[href][target=_blank]` to a PDF served inline;
 * 3 `script-button`: `span[role=button]` whose click handler starts the download;
 * 4 `comment-link`: a link in `div.commentAttachments` of the comment thread.
 */
export const ATTACHMENT_FORMS = ['download-link', 'inline-link', 'script-button', 'comment-link'] as const;
export type AttachmentForm = (typeof ATTACHMENT_FORMS)[number];

/**
 * The `Content-Disposition` the download answers with:
 * `attachment; filename="…"`, `attachment; filename="fallback"; filename*=UTF-8''…`,
 * `inline; filename="…"`, or no header at all.
 */
export const DISPOSITION_KINDS = ['attachment', 'attachment-utf8', 'inline', 'none'] as const;
export type DispositionKind = (typeof DISPOSITION_KINDS)[number];

/** The two ways Coupa lays out the "Supplier" field. */
export type SupplierMarkup = 'label-value' | 'definition-list';

/** Error pages with the marker texts and elements the job must recognise. */
export const ERROR_VARIANTS = [
  'oops',
  'not-authorized',
  'access-denied',
  'page-does-not-exist',
  'portuguese-not-found',
  'flash-error',
  'error-explanation',
] as const;
export type ErrorVariant = (typeof ERROR_VARIANTS)[number];

/** Variants a requisition can be inaccessible with. */
export type RequisitionDenial = Extract<ErrorVariant, 'not-authorized' | 'access-denied'>;

/** File names that break naive code, tagged so tests can pick them by kind. */
export const HOSTILE_NAME_KINDS = [
  'traversal',
  'traversal-backslash',
  'reserved-device-name',
  'long',
  'duplicate',
  'case-only',
  'non-ascii',
  'forbidden-characters',
  'trailing-dots-spaces',
] as const;
export type HostileNameKind = (typeof HOSTILE_NAME_KINDS)[number];

export interface AttachmentFaults {
  /** The first n downloads send the full Content-Length, half the body, then drop the connection. */
  cutOffAttempts?: number;
  /** Every download is cut off: the file can never be obtained. */
  alwaysCutOff?: boolean;
  /** Streams the body in chunks of `chunkBytes` with `delayMs` pauses. */
  slow?: { chunkBytes: number; delayMs: number };
  /** No Content-Length: the body goes out with Transfer-Encoding: chunked. */
  chunked?: boolean;
}

export interface SimAttachment {
  /** Digits; unique across the catalogue. */
  id: string;
  /** The name shown on the page and sent in Content-Disposition. */
  fileName: string;
  /** Exact number of bytes served. */
  size: number;
  form: AttachmentForm;
  disposition: DispositionKind;
  faults?: AttachmentFaults;
  hostile?: HostileNameKind;
}

export interface PageFaults {
  /** The first n requests for the page answer 500. */
  transient500?: number;
  /** The page never answers; the client has to time out. */
  hang?: boolean;
  /** Every request for the page answers 500. */
  alwaysFail500?: boolean;
}

export interface SimRequisition {
  /** Digits; unique across the catalogue. */
  id: string;
  attachments: SimAttachment[];
  /** When set, the requisition page is this error page instead. */
  denial?: RequisitionDenial;
}

export interface SimPo {
  /** The Coupa id: at least 6 digits. */
  id: string;
  supplier: string;
  supplierMarkup: SupplierMarkup;
  attachments: SimAttachment[];
  /** Linked from the PO page as `/requisition_headers/<id>`. */
  requisition?: SimRequisition;
  faults?: PageFaults;
  /** When set, the PO page is this error page instead. */
  errorVariant?: ErrorVariant;
  /** Harmless `div.notice` text shown on a valid PO (the old tool mistook it for an error). */
  notice?: string;
  expectedStatus: ExpectedStatus;
  /** One line saying what this PO exercises. */
  scenario: string;
}

export interface Catalogue {
  pos: SimPo[];
}
