/**
 * The columns the report appends to the input columns, in the order operators know from
 * their existing tool. Kept apart from the report writer so the (pure) job plan can tell
 * them from the operator's own columns when a previous report is fed back in.
 */
export const TRACKING_COLUMNS = [
  'STATUS',
  'SUPPLIER',
  'ATTACHMENTS_FOUND',
  'ATTACHMENTS_DOWNLOADED',
  'AttachmentName',
  'LAST_PROCESSED',
  'ERROR_MESSAGE',
  'DOWNLOAD_FOLDER',
  'COUPA_URL',
] as const;
export type TrackingColumn = (typeof TRACKING_COLUMNS)[number];

const TRACKING_KEYS = new Set<string>(TRACKING_COLUMNS.map((column) => column.toUpperCase()));

export function isTrackingColumn(header: string): boolean {
  return TRACKING_KEYS.has(header.trim().toUpperCase());
}
