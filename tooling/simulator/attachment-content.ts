import type { SimAttachment } from './catalogue-model.js';
import { extensionOf, isPdfName } from './file-types.js';
import { simulatedMsgFile } from './msg-file.js';
import { hash32, uint32Stream } from './seeded-random.js';

/**
 * The bytes of an attachment, a pure function of its id, size and type so tests can
 * check every file on disk byte for byte without the server keeping anything.
 * PDFs are real one-page documents (a viewer tab opened on an inline PDF renders them),
 * padded with comment lines to the exact size; .msg files are real Outlook messages of
 * the exact size (see simulatedMsgFile) for the job's .msg-to-PDF conversion.
 */
export function attachmentContent(attachment: Pick<SimAttachment, 'id' | 'size' | 'fileName'>): Buffer {
  const { id, size } = attachment;
  if (!Number.isSafeInteger(size) || size < 1) throw new RangeError(`Attachment ${id}: size must be a positive integer, got ${size}`);
  const seed = hash32(`${id}:${size}`);
  if (isPdfName(attachment.fileName)) return pdfContent(id, size, seed);
  if (extensionOf(attachment.fileName) === '.msg') return simulatedMsgFile(id, size);
  return binaryContent(size, seed);
}

function binaryContent(size: number, seed: number): Buffer {
  const next = uint32Stream(seed);
  const bytes = Buffer.allocUnsafe(size);
  let i = 0;
  for (; i + 4 <= size; i += 4) bytes.writeUInt32LE(next(), i);
  const last = next();
  for (let shift = 0; i < size; i++, shift += 8) bytes[i] = (last >>> shift) & 0xff;
  return bytes;
}

const ALPHANUMERIC = Buffer.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789');
const PADDING_LINE = 72;

const minPdfBytesByIdLength = new Map<number, number>();

/** Smallest size a PDF attachment with this id may have: the document without padding. */
export function minPdfBytes(id: string): number {
  // Only the id's length changes the unpadded document's length; generators ask per attachment.
  const idBytes = Buffer.byteLength(id);
  let bytes = minPdfBytesByIdLength.get(idBytes);
  if (bytes === undefined) minPdfBytesByIdLength.set(idBytes, (bytes = pdfParts(id).fixedBytes));
  return bytes;
}

function pdfContent(id: string, size: number, seed: number): Buffer {
  const parts = pdfParts(id);
  if (size < parts.fixedBytes) {
    throw new RangeError(`Attachment ${id}: a PDF needs at least ${parts.fixedBytes} bytes, got ${size}`);
  }
  const padding = pdfPadding(size - parts.fixedBytes, seed);
  return Buffer.concat([parts.header, padding, parts.body(padding.length)]);
}

/**
 * Padding is comment lines between the header and the first object, so object offsets
 * shift with it; xref entries and startxref are written 10 digits wide, which keeps the
 * document length linear in the padding length.
 */
function pdfParts(id: string) {
  const header = Buffer.from('%PDF-1.4\n');
  const text = `Simulated Coupa attachment ${id}`;
  const stream = `BT /F1 16 Tf 72 770 Td (${text}) Tj ET\n`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>',
    `<< /Length ${Buffer.byteLength(stream)} >>\nstream\n${stream}endstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ].map((body, index) => `${index + 1} 0 obj\n${body}\nendobj\n`);
  const body = (paddingBytes: number): Buffer => {
    let offset = header.length + paddingBytes;
    const entries = objects.map((object) => {
      const entry = `${String(offset).padStart(10, '0')} 00000 n \n`;
      offset += Buffer.byteLength(object);
      return entry;
    });
    const xref = `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${entries.join('')}`;
    const trailer = `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${String(offset).padStart(10, '0')}\n%%EOF`;
    return Buffer.from(objects.join('') + xref + trailer);
  };
  return { header, body, fixedBytes: header.length + body(0).length };
}

function pdfPadding(length: number, seed: number): Buffer {
  const next = uint32Stream(seed);
  const padding = Buffer.allocUnsafe(length);
  let i = 0;
  while (i < length) {
    const lineEnd = Math.min(i + PADDING_LINE, length) - 1;
    if (lineEnd > i) {
      padding[i++] = 0x25; // '%' starts a comment line
      while (i < lineEnd) padding[i++] = ALPHANUMERIC[next() % ALPHANUMERIC.length]!;
    }
    padding[i++] = 0x0a;
  }
  return padding;
}
