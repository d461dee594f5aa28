/**
 * The outcome of one PO, as journaled when it finishes and as written into the report.
 * Statuses are those of the operators' existing tool (WORKFLOW.md), plus two that only
 * the report uses: INVALID_PO_NUMBER for rows that were never sent to Coupa, and
 * LOCKED for a PO that another run was processing at the same time.
 */
export const PO_STATUSES = [
  'COMPLETED',
  'PARTIAL',
  'FAILED',
  'NO_ATTACHMENTS',
  'PO_NOT_FOUND',
  'PR_NOT_ACCESSIBLE',
  'TIMEOUT',
  'PENDING',
  'INVALID_PO_NUMBER',
  'LOCKED',
] as const;
export type PoStatus = (typeof PO_STATUSES)[number];

/** Outcomes that a resumed run does not redo: retrying cannot change them. */
export const SETTLED_STATUSES: ReadonlySet<PoStatus> = new Set<PoStatus>([
  'COMPLETED',
  'NO_ATTACHMENTS',
  'PO_NOT_FOUND',
  'PR_NOT_ACCESSIBLE',
]);

export interface DownloadedFile {
  /** Final file name inside the PO folder. */
  name: string;
  bytes: number;
  sha256: string;
  /** Whether the file came from the PO page or, after the PR fallback, the requisition page. */
  source: 'PO' | 'PR';
}

export interface PoResult {
  /** Coupa id: the digits of the PO number. */
  id: string;
  /** PO number as the input wrote it, upper-cased and without spaces (PO123456, PM123456, 123456). */
  poNumber: string;
  status: PoStatus;
  supplier: string;
  attachmentsFound: number;
  attachmentsDownloaded: number;
  files: DownloadedFile[];
  /** PDFs rendered beside downloaded Outlook messages (MSG_TO_PDF); not attachments, so not counted. */
  convertedPdfs: string[];
  /** ISO timestamp with offset. */
  finishedAt: string;
  errorMessage: string;
  /** Absolute path of the final `<name>_<STATUS>` folder, empty when none was created. */
  downloadFolder: string;
  coupaUrl: string;
  /** Window letter (A, B, …) that processed the PO. */
  window: string;
  durationMs: number;
}

/**
 * A result with no files yet: the start of every PO's result, and the whole result of one
 * that was never opened (locked by another run, failed for good in a crashed window).
 */
export function resultWithoutFiles(
  po: Pick<PoResult, 'id' | 'poNumber'>,
  fields: Pick<PoResult, 'status' | 'window'> & Partial<PoResult>,
): PoResult {
  return {
    id: po.id,
    poNumber: po.poNumber,
    supplier: '',
    attachmentsFound: 0,
    attachmentsDownloaded: 0,
    files: [],
    convertedPdfs: [],
    errorMessage: '',
    downloadFolder: '',
    coupaUrl: '',
    durationMs: 0,
    finishedAt: new Date().toISOString(),
    ...fields,
  };
}
