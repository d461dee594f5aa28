import type { SimAttachment } from './catalogue-model.js';
import { contentTypeFor } from './file-types.js';

/**
 * Response headers of an attachment download, built by hand rather than with the
 * content-disposition package: that package strips directories from names, and the
 * simulator must send hostile names exactly as a careless server would.
 */
export function downloadHeaders(attachment: SimAttachment): Record<string, string> {
  const headers: Record<string, string> = { 'Content-Type': contentTypeFor(attachment.fileName) };
  const disposition = contentDisposition(attachment);
  if (disposition) headers['Content-Disposition'] = disposition;
  if (attachment.faults?.chunked) headers['Transfer-Encoding'] = 'chunked';
  else headers['Content-Length'] = String(attachment.size);
  return headers;
}

export function contentDisposition(attachment: Pick<SimAttachment, 'fileName' | 'disposition'>): string | undefined {
  const name = attachment.fileName;
  switch (attachment.disposition) {
    case 'attachment':
      return `attachment; filename=${quotedString(name)}`;
    case 'attachment-utf8':
      return `attachment; filename=${quotedString(asciiFallback(name))}; filename*=UTF-8''${extValue(name)}`;
    case 'inline':
      return `inline; filename=${quotedString(name)}`;
    case 'none':
      return undefined;
  }
}

/** Whether a name can travel in a plain `filename="…"` parameter (header values are ASCII). */
export function isHeaderSafe(name: string): boolean {
  return /^[\x20-\x7e]*$/.test(name);
}

function quotedString(value: string): string {
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}

/** Non-ASCII characters become `_`, as servers that add an ASCII fallback usually do. */
function asciiFallback(name: string): string {
  return Array.from(name, (char) => (isHeaderSafe(char) ? char : '_')).join('');
}

/** RFC 8187 ext-value: percent-encode everything outside attr-char. */
function extValue(name: string): string {
  return encodeURIComponent(name).replace(/['()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}
