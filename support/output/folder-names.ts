import type { PoStatus } from '../po-result.js';

/**
 * Folder names of the run: the cleaning rules of the operators' existing tool (so the tree
 * looks the same), made safe on Windows as well, where most operators open the results.
 */

const MAX_SEGMENT_LENGTH = 50;
const UNKNOWN = 'Unknown';
// The old tool's set (`<>:"/\|?*&` and whitespace) plus control characters, which Windows refuses.
const UNSAFE_IN_FOLDER = /[<>:"/\\|?*&\s\u0000-\u001f\u007f]/gu;
/** Windows device names, reserved with any extension and in any case (COM0, COM¹-³ and the console's CONIN$/CONOUT$ included). */
export const WINDOWS_RESERVED_NAME = /^(CON|PRN|AUX|NUL|CONIN\$|CONOUT\$|COM[0-9¹²³]|LPT[0-9¹²³])$/i;
/**
 * Characters that show nothing, removed from names: zero-width space, word joiner and
 * invisible operators, soft hyphen, byte-order mark, and every direction mark, embedding,
 * override and isolate (`invoice\u202Efdp.exe` displays as `invoiceexe.pdf`). Zero-width
 * (non-)joiners stay: Persian and Indic words and emoji sequences need them.
 */
export const INVISIBLE_CHARACTERS = /[\u00ad\u061c\u180e\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]/gu;

export function cleanFolderSegment(raw: string): string {
  const replaced = raw.normalize('NFC').replace(INVISIBLE_CHARACTERS, '').replace(UNSAFE_IN_FOLDER, '_');
  return finishSegment(replaced);
}

/** `PO15262984` stays; `PM15262984` and `15262984` become `PO_PM15262984`, `PO_15262984`. */
export function poFolderBaseName(poNumber: string): string {
  const cleaned = cleanFolderSegment(poNumber);
  return /^PO/i.test(cleaned) ? cleaned : finishSegment(`PO_${cleaned}`);
}

export function workFolderName(base: string): string {
  return `${base}__WORK`;
}

export function statusFolderName(base: string, status: PoStatus): string {
  return `${base}_${status}`;
}

/** Folder levels between the run root and the PO folder: the `<|>` hierarchy cells, or the supplier. */
export function supplierOrHierarchyPath(hierarchy: string[] | null, supplier: string): string[] {
  return (hierarchy ?? [supplier]).map(cleanFolderSegment);
}

function finishSegment(name: string): string {
  // Windows drops trailing dots and spaces, so `a.` and `a` would be one folder; `.` and `..` are not names at all.
  let result = stripTrailingDots(Array.from(name).slice(0, MAX_SEGMENT_LENGTH).join(''));
  if (result === '') return UNKNOWN;
  // A leading dot hides the folder on macOS and Linux.
  if (result.startsWith('.') || WINDOWS_RESERVED_NAME.test(result.split('.')[0])) {
    result = stripTrailingDots(Array.from(`_${result}`).slice(0, MAX_SEGMENT_LENGTH).join(''));
  }
  return result;
}

function stripTrailingDots(name: string): string {
  return name.replace(/[. ]+$/u, '');
}
