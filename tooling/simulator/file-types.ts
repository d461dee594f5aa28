import path from 'node:path';

/** Content types of the extensions seen in Coupa attachments (WORKFLOW.md). */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.pdf': 'application/pdf',
  '.msg': 'application/vnd.ms-outlook',
  '.eml': 'message/rfc822',
  '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  '.txt': 'text/plain; charset=utf-8',
  '.jpg': 'image/jpeg',
  '.png': 'image/png',
  '.zip': 'application/zip',
  '.rar': 'application/vnd.rar',
  '.csv': 'text/csv; charset=utf-8',
  '.xml': 'application/xml',
};

/** Lower-cased extension after the last dot, ignoring trailing dots and spaces a hostile name may carry. */
export function extensionOf(fileName: string): string {
  return path.extname(fileName.replace(/[. ]+$/, '')).toLowerCase();
}

export function isPdfName(fileName: string): boolean {
  return extensionOf(fileName) === '.pdf';
}

export function contentTypeFor(fileName: string): string {
  return CONTENT_TYPES[extensionOf(fileName)] ?? 'application/octet-stream';
}
