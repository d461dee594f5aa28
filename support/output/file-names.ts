import path from 'node:path';
import { parse as parseContentDisposition } from 'content-disposition';
import { OperatorError } from '../shared/operator-error.js';
import { INVISIBLE_CHARACTERS, WINDOWS_RESERVED_NAME } from './folder-names.js';

/**
 * Attachment file names: where a name comes from, and how it is made safe to write on
 * Windows, macOS and Linux without ever leaving the PO folder.
 */

export const DEFAULT_FILE_NAME = 'attachment';
const DEFAULT_MAX_LENGTH = 150;
// ext4/APFS allow 255 bytes per name; the margin leaves room for the browser's temporary suffixes.
const MAX_UTF8_BYTES = 240;
const MAX_EXTENSION_LENGTH = 10;

export class UnsafeFileNameError extends OperatorError {
  constructor(readonly folder: string, readonly fileName: string) {
    super(
      `Refused to write attachment "${fileName}": it would not land directly inside ${folder}`,
      'This is a defect in file-name cleaning, not in your input; report it with the PO number and the attachment name.',
    );
  }
}

/** The server's file name (RFC 6266; `filename*` wins over `filename`); undefined when there is none. Never throws. */
export function fileNameFromContentDisposition(header: string | null | undefined): string | undefined {
  if (!header) return undefined;
  const parsed = nonEmpty(parseContentDisposition(header).parameters.filename);
  return parsed ?? fallbackContentDispositionName(header);
}

/** Servers send headers the strict parser rejects (unclosed quote, bad percent escape); recover what a browser would. */
function fallbackContentDispositionName(header: string): string | undefined {
  const extended = /filename\*\s*=\s*[^';]*'[^']*'([^;]+)/i.exec(header);
  const decoded = extended ? nonEmpty(decodePercentLoosely(extended[1].trim().replace(/^"|"$/g, ''))) : undefined;
  if (decoded) return decoded;
  const plain = /filename\s*=\s*(?:"([^"]*)"?|([^;]*))/i.exec(header);
  return nonEmpty(plain?.[1] ?? plain?.[2]);
}

/** Decodes every valid `%XX` run and leaves invalid ones as they are. */
function decodePercentLoosely(value: string): string {
  return value.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
}

export interface AttachmentNameSources {
  contentDisposition?: string | null;
  downloadAttr?: string | null;
  title?: string | null;
  ariaLabel?: string | null;
  text?: string | null;
  href?: string | null;
}

// Link texts and URL segments that name an action, not a file.
const GENERIC_NAMES = new Set(['download', 'view', 'open', 'show', 'file', 'files', 'attachment', 'attachments', 'attachment_file', 'inline', 'content', 'raw']);
const QUERY_NAME_KEYS = ['filename', 'file_name', 'name', 'file'];

/** Every usable name for one attachment, most reliable first (raw: sanitise the chosen one). */
export function attachmentNameCandidates(sources: AttachmentNameSources): string[] {
  const candidates = [
    fileNameFromContentDisposition(sources.contentDisposition),
    nonEmpty(sources.downloadAttr),
    nonEmpty(sources.title),
    nonEmpty(sources.ariaLabel?.replace(/^\s*file\s+attachment\b[\s:\-–—]*/i, '')),
    meaningful(sources.text?.replace(/\s+/g, ' ')),
    sources.href ? nameFromHref(sources.href) : undefined,
  ];
  return candidates.filter((candidate): candidate is string => candidate !== undefined);
}

export function pickAttachmentName(sources: AttachmentNameSources): string {
  return attachmentNameCandidates(sources)[0] ?? DEFAULT_FILE_NAME;
}

function nameFromHref(href: string): string | undefined {
  let url: URL;
  try {
    url = new URL(href, 'http://relative.invalid');
  } catch {
    return undefined;
  }
  for (const key of QUERY_NAME_KEYS) {
    const fromQuery = meaningful(url.searchParams.get(key));
    if (fromQuery) return fromQuery;
  }
  const segments = url.pathname.split('/').filter((segment) => segment !== '');
  const last = segments.at(-1);
  if (last === undefined) return undefined;
  const decoded = decodePercentLoosely(last);
  // `/attachments/123/download` or `/attachment_file/123` name no file: let the caller's default stand.
  return /^\d+$/.test(decoded) ? undefined : meaningful(decoded);
}

function nonEmpty(value: string | null | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function meaningful(value: string | null | undefined): string | undefined {
  const trimmed = nonEmpty(value);
  return trimmed && !GENERIC_NAMES.has(trimmed.toLowerCase()) ? trimmed : undefined;
}

// Forbidden on Windows, plus control characters.
const UNSAFE_IN_FILE = /[<>:"/\\|?*\u0000-\u001f\u007f]/gu;

export interface FileNameOptions {
  /** In characters; the UTF-8 length is capped at 240 bytes as well. */
  maxLength?: number;
}

/** A name that is valid on Windows, macOS and Linux and cannot address anything but a file in the current folder. */
export function sanitizeFileName(name: string, options: FileNameOptions = {}): string {
  const maxLength = options.maxLength ?? DEFAULT_MAX_LENGTH;
  const lastComponent = name.split(/[/\\]/).filter((part) => part.trim() !== '').at(-1) ?? '';
  const visible = lastComponent.normalize('NFC').replace(INVISIBLE_CHARACTERS, '');
  const result = capLength(trimEnds(visible.replace(UNSAFE_IN_FILE, '_')), maxLength);
  if (result === '') return DEFAULT_FILE_NAME;
  // A leading dot hides the file on macOS and Linux (and `.`/`..` are no names); device names are not files on Windows.
  const needsPrefix = result.startsWith('.') || WINDOWS_RESERVED_NAME.test(result.split('.')[0].trimEnd());
  return needsPrefix ? capLength(`_${result}`, maxLength) : result;
}

/** `report.pdf`, then `report (2).pdf`, `report (3).pdf`… compared case-insensitively; the caller adds the result (lower-cased) to `taken`. */
export function uniqueFileName(name: string, taken: ReadonlySet<string>, options: FileNameOptions = {}): string {
  if (!taken.has(name.toLowerCase())) return name;
  const maxLength = options.maxLength ?? DEFAULT_MAX_LENGTH;
  const { base, extension } = splitExtension(name);
  for (let counter = 2; ; counter += 1) {
    const suffix = ` (${counter})${extension}`;
    const candidate = `${trimEnds(truncate(base, maxLength - Array.from(suffix).length, MAX_UTF8_BYTES - utf8Length(suffix)))}${suffix}`;
    if (!taken.has(candidate.toLowerCase())) return candidate;
  }
}

/** The absolute path of `fileName` in `folder`; throws unless it is a direct child of that folder. */
export function resolveInside(folder: string, fileName: string): string {
  const directory = path.resolve(folder);
  const target = path.resolve(directory, fileName);
  if (fileName.includes('\0') || path.dirname(target) !== directory || path.basename(target) !== fileName) {
    throw new UnsafeFileNameError(directory, fileName);
  }
  return target;
}

function trimEnds(name: string): string {
  return name.replace(/^ +/u, '').replace(/[. ]+$/u, '');
}

function splitExtension(name: string): { base: string; extension: string } {
  const match = new RegExp(`^(.+?)(\\.[^.]{1,${MAX_EXTENSION_LENGTH}})$`, 'u').exec(name);
  return match ? { base: match[1], extension: match[2] } : { base: name, extension: '' };
}

/** Shortens the base and keeps the extension, unless the extension alone would eat most of the budget. */
function capLength(name: string, maxLength: number): string {
  if (Array.from(name).length <= maxLength && utf8Length(name) <= MAX_UTF8_BYTES) return name;
  const { base, extension } = splitExtension(name);
  if (Array.from(extension).length >= maxLength / 2) return trimEnds(truncate(name, maxLength, MAX_UTF8_BYTES));
  return trimEnds(truncate(base, maxLength - Array.from(extension).length, MAX_UTF8_BYTES - utf8Length(extension))) + extension;
}

/** Cuts between graphemes, so never inside a surrogate pair, an emoji sequence or before a combining accent. */
function truncate(text: string, maxChars: number, maxBytes: number): string {
  let kept = '';
  let chars = 0;
  let bytes = 0;
  for (const { segment } of new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text)) {
    chars += Array.from(segment).length;
    bytes += utf8Length(segment);
    if (chars > maxChars || bytes > maxBytes) break;
    kept += segment;
  }
  return kept;
}

function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}
