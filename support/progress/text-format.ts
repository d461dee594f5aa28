/**
 * Number and text formatting for the progress display: short, fixed-shape values so
 * the lines do not jump around as they are redrawn, and widths measured in terminal
 * columns (a Japanese file name takes two columns per character).
 */

/** `--` when unknown; `42s`, `6m 41s`, `1h 02m`; `>99h` past that. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) return '--';
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${String(seconds % 60).padStart(2, '0')}s`;
  const hours = Math.floor(minutes / 60);
  if (hours > 99) return '>99h';
  return `${hours}h ${String(minutes % 60).padStart(2, '0')}m`;
}

/** POs per minute: one decimal below 100, whole numbers above, `--` when unknown. */
export function formatRate(perMinute: number | undefined): string {
  if (perMinute === undefined || !Number.isFinite(perMinute)) return '--';
  return perMinute < 100 ? perMinute.toFixed(1) : String(Math.round(perMinute));
}

/** Decimal units, as file managers show sizes: `512 B`, `120 kB`, `1.5 MB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${Math.round(bytes)} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = -1;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

export function formatPercent(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? '--%' : `${Math.round(value)}%`;
}

/** `[######------]` filled to `fraction` (clamped to 0..1); `inner` columns between the brackets. */
export function progressBar(fraction: number, inner: number): string {
  const f = Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0;
  const filled = Math.floor(f * inner);
  return `[${'#'.repeat(filled)}${'-'.repeat(inner - filled)}]`;
}

// East Asian wide and full-width ranges, and emoji: two terminal columns each.
const WIDE = /[\u1100-\u115F\u2E80-\u303E\u3041-\u33FF\u3400-\u4DBF\u4E00-\u9FFF\uA000-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6\u{1F300}-\u{1F64F}\u{1F900}-\u{1F9FF}\u{20000}-\u{3FFFD}]/u;
// Combining marks and zero-width characters take no column of their own.
const ZERO_WIDTH = /[\p{Mn}\p{Me}\u200B-\u200F\u2060\uFEFF]/u;

function charWidth(char: string): number {
  if (ZERO_WIDTH.test(char)) return 0;
  return WIDE.test(char) ? 2 : 1;
}

export function displayWidth(text: string): number {
  let width = 0;
  for (const char of text) width += charWidth(char);
  return width;
}

/** Cuts to at most `width` columns, ending with `…` when something was cut. */
export function truncateEnd(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  if (width <= 0) return '';
  let out = '';
  let used = 0;
  for (const char of text) {
    const w = charWidth(char);
    if (used + w > width - 1) break;
    out += char;
    used += w;
  }
  return `${out}…`;
}

/** Cuts out of the middle, so a file name keeps its start and its extension. */
export function truncateMiddle(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  if (width <= 1) return truncateEnd(text, width);
  const chars = [...text];
  const tailBudget = Math.floor((width - 1) / 2);
  let tail = '';
  let tailWidth = 0;
  for (let i = chars.length - 1; i >= 0; i--) {
    const w = charWidth(chars[i]!);
    if (tailWidth + w > tailBudget) break;
    tail = chars[i] + tail;
    tailWidth += w;
  }
  let head = '';
  let headWidth = 0;
  for (const char of chars) {
    const w = charWidth(char);
    if (headWidth + w > width - 1 - tailWidth) break;
    head += char;
    headWidth += w;
  }
  return `${head}…${tail}`;
}

/** Pads with spaces to exactly `width` columns, cutting first when longer. */
export function fitEnd(text: string, width: number): string {
  const cut = truncateEnd(text, width);
  return cut + ' '.repeat(Math.max(0, width - displayWidth(cut)));
}
