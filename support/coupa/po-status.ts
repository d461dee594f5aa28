import type { PoStatus } from '../po-result.js';

/** What processing a PO found out, as far as its status depends on it. */
export interface StatusFacts {
  /** Attachments shown on the PO page, plus the requisition's after a fallback. */
  found: number;
  downloaded: number;
  /** The PR fallback was needed and the requisition page could not be opened or was refused. */
  requisitionBlocked: boolean;
}

/**
 * The PO's status from what was found and downloaded (WORKFLOW.md): nothing found is
 * NO_ATTACHMENTS, or PR_NOT_ACCESSIBLE when the requisition that might have had files was
 * out of reach; otherwise COMPLETED, PARTIAL or FAILED by how many files arrived.
 */
export function decideStatus(facts: StatusFacts): PoStatus {
  if (facts.found === 0) return facts.requisitionBlocked ? 'PR_NOT_ACCESSIBLE' : 'NO_ATTACHMENTS';
  if (facts.downloaded === facts.found) return 'COMPLETED';
  return facts.downloaded > 0 ? 'PARTIAL' : 'FAILED';
}

/** `name: reason` of every file that was found but not downloaded, for ERROR_MESSAGE. */
export function missingFilesNote(failures: string[], found: number): string | undefined {
  return failures.length ? `${failures.length} of ${found} file(s) not downloaded: ${failures.join('; ')}` : undefined;
}
