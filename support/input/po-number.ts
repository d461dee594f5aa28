/**
 * PO numbers as operators type them into the input sheet: `PO15262984`, `PM15262984`,
 * `15262984`, any case, with stray spaces or quotes. The digits are the Coupa id
 * (`/order_headers/<digits>`); the prefix only matters for the report and folder names.
 */
export type PoNumberParse = { ok: true; id: string; poNumber: string } | { ok: false; reason: string };

const MIN_DIGITS = 6;
const KNOWN_PREFIXES = ['PO', 'PM'];
// Straight and typographic quotes: spreadsheets and e-mail clients add the latter.
const SURROUNDING_QUOTES = /^["'“”‘’`]+|["'“”‘’`]+$/g;

export function parsePoNumber(raw: string): PoNumberParse {
  const quoted = JSON.stringify(raw);
  const compact = raw.trim().replace(SURROUNDING_QUOTES, '').replace(/\s+/g, '').toUpperCase();
  if (compact === '') return { ok: false, reason: `PO number is empty (${quoted})` };

  // Excel turns long numbers into scientific notation unless the column is formatted as text;
  // the original digits are lost, so say how to get them back rather than "not a number".
  if (/^\d+(\.\d+)?E\+\d+$/.test(compact)) {
    return {
      ok: false,
      reason: `PO number ${quoted} was turned into scientific notation by Excel; format the PO_NUMBER column as text and re-enter it`,
    };
  }

  const match = /^([A-Z]*)(\d+)$/.exec(compact);
  if (!match) {
    return { ok: false, reason: `PO number ${quoted} must be digits, optionally after PO or PM (e.g. PO15262984)` };
  }
  const [, prefix, digits] = match;
  if (prefix !== '' && !KNOWN_PREFIXES.includes(prefix)) {
    return { ok: false, reason: `PO number ${quoted} has an unknown prefix "${prefix}"; expected PO, PM or digits only` };
  }
  if (digits.length < MIN_DIGITS) {
    return { ok: false, reason: `PO number ${quoted} has only ${digits.length} digits; a Coupa PO number has at least ${MIN_DIGITS}` };
  }
  return { ok: true, id: digits, poNumber: compact };
}
