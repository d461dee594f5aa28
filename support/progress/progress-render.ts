import type { ProgressSnapshot, WindowView } from './progress-state.js';
import {
  displayWidth,
  fitEnd,
  formatBytes,
  formatDuration,
  formatPercent,
  formatRate,
  progressBar,
  truncateEnd,
  truncateMiddle,
} from './text-format.js';

/**
 * Snapshot → text, two ways: a compact block for a terminal (redrawn in place by the
 * TTY writer, so every line must fit the terminal's width or the redraw breaks) and
 * one self-contained line for CI logs and files (no ANSI, nothing that needs redrawing).
 */

function percentDone(s: ProgressSnapshot): number {
  return s.total > 0 ? Math.floor((s.processed / s.total) * 100) : 100;
}

function outcomes(s: ProgressSnapshot): string {
  return `ok ${s.successes}  failed ${s.failures}  other ${s.others}`;
}

function windowsSummary(s: ProgressSnapshot): string {
  return `windows ${s.activeWindows} active, target ${s.targetWindows} of ${s.maxWindows}`;
}

function fileText(view: WindowView): string {
  const file = view.file;
  if (!file) return '';
  const bytes = file.bytes !== undefined ? ` ${formatBytes(file.bytes)}${file.totalBytes !== undefined ? `/${formatBytes(file.totalBytes)}` : ''}` : '';
  return `file ${file.index}/${file.count}${bytes}`;
}

/** The terminal block: three summary lines and one line per window, each at most `width` columns. */
export function renderTtyBlock(s: ProgressSnapshot, width: number): string[] {
  const w = Math.max(20, width);
  const counts = `${s.processed}/${s.total} ${String(percentDone(s)).padStart(3)}%`;
  const barWidth = Math.max(5, Math.min(30, w - displayWidth(`Coupa downloads  ${counts}  ${outcomes(s)}`) - 3));
  const lines = [
    `Coupa downloads ${progressBar(s.processed / Math.max(1, s.total), barWidth)} ${counts}  ${outcomes(s)}`,
    `${formatRate(s.posPerMinute)} POs/min  ETA ${formatDuration(s.etaMs)}  elapsed ${formatDuration(s.elapsedMs)}`,
    `${windowsSummary(s)}  CPU ${formatPercent(s.cpuPercent)}  mem ${formatPercent(s.memoryPercent)}`,
  ];
  const letterWidth = Math.max(1, ...s.windows.map((v) => v.window.length));
  for (const view of s.windows) {
    const head = `  ${view.window.padEnd(letterWidth)}  ${view.state.padEnd(8)}  ${fitEnd(view.poNumber ?? '', 12)}`;
    const file = fileText(view);
    const name = view.file?.name ?? '';
    const room = w - displayWidth(head) - displayWidth(file) - 3;
    const line = file ? `${head}  ${file}${room > 3 && name ? ` ${truncateMiddle(name, room)}` : ''}` : head;
    lines.push(line.trimEnd());
  }
  return lines.map((line) => truncateEnd(line, w));
}

function windowBrief(view: WindowView): string {
  const parts = [view.window, view.state];
  if (view.poNumber) parts.push(view.poNumber);
  if (view.file) parts.push(`(file ${view.file.index}/${view.file.count})`);
  return parts.join(' ');
}

/** One line for logs that are not a terminal: everything the block shows, in a fixed order. */
export function renderPlainLine(s: ProgressSnapshot): string {
  const parts = [
    `progress ${s.processed}/${s.total} (${percentDone(s)}%) ${outcomes(s).replace(/ {2}/g, ', ')}`,
    `${formatRate(s.posPerMinute)} POs/min`,
    `ETA ${formatDuration(s.etaMs)}`,
    `elapsed ${formatDuration(s.elapsedMs)}`,
    windowsSummary(s),
    `CPU ${formatPercent(s.cpuPercent)} mem ${formatPercent(s.memoryPercent)}`,
  ];
  if (s.windows.length) parts.push(s.windows.map(windowBrief).join(', '));
  return parts.join(' | ');
}

/**
 * What counts as a window's status change for the plain log: its lifecycle (starting,
 * taking POs, parked, failed, closed) and the target. Idle ↔ working flips with every PO
 * and the reporter already logs every finished PO, so it does not trigger a line.
 */
export function plainStatusKey(s: ProgressSnapshot): string {
  const lifecycle = (view: WindowView) => (view.state === 'idle' || view.state === 'working' ? 'ready' : view.state);
  return `${s.targetWindows}|${s.windows.map((v) => `${v.window}:${lifecycle(v)}`).join(',')}`;
}
