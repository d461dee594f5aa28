/**
 * A terminal's text as a web page (dark, monospace, colours kept), so a screenshot of the
 * run summary looks like what the operator saw at the end of the run.
 */
const CSI = /\u001b\[([0-9;?]*)([A-Za-z])/g;

const COLORS: Record<string, string> = {
  '30': '#6e7681',
  '31': '#ff7b72',
  '32': '#7ee787',
  '33': '#e3b341',
  '34': '#79c0ff',
  '35': '#d2a8ff',
  '36': '#a5d6ff',
  '37': '#e6edf3',
  '90': '#8b949e',
};

const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Text with ANSI colour codes as HTML spans; other terminal control sequences are dropped. */
export function ansiToHtml(text: string): string {
  let html = '';
  let open = false;
  let last = 0;
  for (const match of text.matchAll(CSI)) {
    html += escapeHtml(text.slice(last, match.index));
    last = match.index + match[0].length;
    if (match[2] !== 'm') continue;
    if (open) html += '</span>';
    open = false;
    const codes = match[1].split(';').filter(Boolean);
    const color = codes.map((c) => COLORS[c]).find(Boolean);
    const bold = codes.includes('1');
    if (color || bold) {
      html += `<span style="${color ? `color:${color};` : ''}${bold ? 'font-weight:bold;' : ''}">`;
      open = true;
    }
  }
  html += escapeHtml(text.slice(last));
  return open ? `${html}</span>` : html;
}

export function stripAnsi(text: string): string {
  return text.replace(CSI, '');
}

/**
 * The run summary block of a captured terminal log: from the last "Run summary" line to
 * the end, as the job printed it (a redrawn progress line leaves `\r` and erase codes behind).
 */
export function summaryFromTerminalLog(log: string): string | undefined {
  const lines = log.split('\n').map((line) => line.split('\r').at(-1) ?? '');
  const start = lines.map(stripAnsi).lastIndexOf('Run summary');
  return start < 0 ? undefined : lines.slice(start).join('\n').trimEnd();
}

export function terminalPageHtml(title: string, text: string): string {
  return `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>
  body { margin: 0; background: #010409; display: inline-block; }
  .window { margin: 16px; border-radius: 8px; overflow: hidden; border: 1px solid #30363d; background: #0d1117; }
  .bar { background: #161b22; color: #8b949e; font: 13px sans-serif; padding: 8px 14px; }
  .bar i { display: inline-block; width: 11px; height: 11px; border-radius: 50%; margin-right: 6px; vertical-align: -1px; }
  pre { margin: 0; padding: 14px 18px 18px; color: #e6edf3; font: 13px/1.45 "DejaVu Sans Mono", "Liberation Mono", monospace; white-space: pre; }
</style></head>
<body><div class="window"><div class="bar"><i style="background:#ff5f56"></i><i style="background:#ffbd2e"></i><i style="background:#27c93f"></i>&nbsp;${escapeHtml(title)}</div>
<pre>${ansiToHtml(text)}</pre></div></body></html>`;
}
