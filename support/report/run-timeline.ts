import fs from 'node:fs';
import type { PoResult, PoStatus } from '../po-result.js';
import type { WindowRecord } from '../window/window-record.js';
import { compareWindowLetters } from '../window/window-identity.js';
import { roundsOf } from '../window/window-rounds.js';
import { cleanText } from './clean-text.js';

/**
 * A picture of the run (`timeline.html` in the run folder): one lane per window with its
 * start-up, verification, each PO coloured by outcome and the periods it was parked, and
 * the machine's CPU and memory load below on the same time axis. One self-contained page
 * of plain SVG: no script, no style sheet or font to fetch, opens from disk anywhere.
 * Details are in each shape's tooltip.
 */
export interface LoadSample {
  /** Epoch milliseconds. */
  at: number;
  cpuPercent: number;
  memoryPercent: number;
}

export interface TimelineInput {
  /** Shown as the page title, e.g. the run folder's name. */
  title: string;
  windows: Pick<WindowRecord, 'window' | 'kind' | 'startedAt' | 'endedAt' | 'state' | 'timings' | 'verification' | 'attempts' | 'remediation' | 'error' | 'rounds' | 'parkings'>[];
  /** PO results; each runs from `finishedAt - durationMs` to `finishedAt` in its window's lane. */
  results: Pick<PoResult, 'poNumber' | 'status' | 'window' | 'finishedAt' | 'durationMs' | 'attachmentsFound' | 'attachmentsDownloaded' | 'errorMessage'>[];
  load: LoadSample[];
  /** The run's span; without it the span of what is drawn. */
  startedAt?: Date;
  endedAt?: Date;
}

export const STATUS_COLORS: Record<PoStatus, string> = {
  COMPLETED: '#2e9d4f',
  NO_ATTACHMENTS: '#7f9cc4',
  PO_NOT_FOUND: '#a6a6a6',
  PR_NOT_ACCESSIBLE: '#b58ccf',
  PARTIAL: '#f0b429',
  TIMEOUT: '#e8833a',
  FAILED: '#d64545',
  LOCKED: '#6b6b6b',
  PENDING: '#d9d9d9',
  INVALID_PO_NUMBER: '#d9d9d9',
};
const PHASE_COLORS = { startup: '#9dc3e6', verify: '#4f6fb3', failed: '#7a1f1f', parked: '#c8c8c8', cpu: '#1f77b4', memory: '#e377c2' } as const;

const WIDTH = 1200;
const LABEL = 120;
const RIGHT = 20;
const AXIS = 34;
const LANE = 34;
const CHART = 140;
const NO_WINDOW = '(none)';

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const clock = (ms: number) => new Date(ms).toTimeString().slice(0, 8);

interface Shape {
  lane: string;
  kind: 'startup' | 'verify' | 'parked' | 'po';
  from: number;
  to: number;
  color: string;
  tip: string;
  attrs?: Record<string, string>;
}

function windowShapes(windows: TimelineInput['windows'], runEnd: number): Shape[] {
  return windows.flatMap((record) => {
    const lane = record.window;
    const rounds = roundsOf(record).flatMap((round, index) => {
      const start = Date.parse(round.startedAt);
      const end = round.endedAt ? Date.parse(round.endedAt) : record.endedAt ? Date.parse(record.endedAt) : runEnd;
      const verifying = round.verifyingAt ? Date.parse(round.verifyingAt) : end;
      const failed = round.result === 'failed';
      const checks = round.verification.map((v) => `${v.method} ${v.ok ? 'ok' : 'FAILED'}`).join(', ') || 'no check ran';
      const startNo = `start ${index + 1}${round.trigger === 'unpark' ? ' (back after parking)' : ''}`;
      return [
        { lane, kind: 'startup' as const, from: start, to: verifying, color: PHASE_COLORS.startup, tip: `Window ${lane} ${startNo}: profile and browser start-up, ${seconds(verifying - start)}` },
        ...(verifying < end
          ? [
              {
                lane,
                kind: 'verify' as const,
                from: verifying,
                to: end,
                color: failed ? PHASE_COLORS.failed : PHASE_COLORS.verify,
                tip: `Window ${lane} ${startNo}: verification ${round.result === 'verified' ? 'passed' : round.result === 'failed' ? 'FAILED' : 'unfinished'} (${checks}; ${round.attempts} run(s), ${round.remediation.length} remediation step(s)), ${seconds(end - verifying)}${round.error ? `: ${cleanText(round.error)}` : ''}`,
              },
            ]
          : []),
      ];
    });
    const parked = record.parkings.map((p) => {
      const from = Date.parse(p.from);
      const to = p.until ? Date.parse(p.until) : runEnd;
      return { lane, kind: 'parked' as const, from, to, color: PHASE_COLORS.parked, tip: `Window ${lane} parked by the load governor (browser closed), ${seconds(to - from)}` };
    });
    return [...rounds, ...parked];
  });
}

function poShapes(results: TimelineInput['results']): Shape[] {
  return results.map((r) => {
    const to = Date.parse(r.finishedAt);
    const from = to - Math.max(0, r.durationMs);
    const reason = r.status === 'COMPLETED' || !r.errorMessage ? '' : ` — ${cleanText(r.errorMessage)}`;
    return {
      lane: r.window || NO_WINDOW,
      kind: 'po' as const,
      from,
      to,
      color: STATUS_COLORS[r.status] ?? STATUS_COLORS.PENDING,
      tip: `${r.poNumber} ${r.status}: ${r.attachmentsDownloaded} of ${r.attachmentsFound} file(s), ${seconds(r.durationMs)}${reason}`,
      attrs: { 'data-po': r.poNumber, 'data-status': r.status },
    };
  });
}

/** A tick step that gives about eight labels over the span. */
function tickStep(spanMs: number): number {
  const steps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600].map((s) => s * 1000);
  return steps.find((s) => spanMs / s <= 8) ?? steps.at(-1)!;
}

export function renderRunTimeline(input: TimelineInput): string {
  const windowTimes = input.windows.flatMap((w) => [Date.parse(w.startedAt), ...(w.endedAt ? [Date.parse(w.endedAt)] : [])]);
  const poShapesList = poShapes(input.results);
  const times = [...windowTimes, ...poShapesList.flatMap((s) => [s.from, s.to]), ...input.load.map((s) => s.at)].filter(Number.isFinite);
  const t0 = input.startedAt?.getTime() ?? (times.length ? Math.min(...times) : 0);
  const latest = input.endedAt?.getTime() ?? (times.length ? Math.max(...times) : t0);
  const t1 = Math.max(latest, t0 + 1000);
  const shapes = [...windowShapes(input.windows, t1), ...poShapesList];

  const lanes = [...new Set(input.windows.map((w) => w.window))].sort(compareWindowLetters);
  if (shapes.some((s) => s.lane === NO_WINDOW)) lanes.push(NO_WINDOW);
  const plot = WIDTH - LABEL - RIGHT;
  const x = (t: number) => LABEL + ((Math.min(Math.max(t, t0), t1) - t0) / (t1 - t0)) * plot;
  const lanesHeight = lanes.length * LANE;
  const chartTop = AXIS + lanesHeight + 30;
  const height = chartTop + CHART + 30;
  const svg: string[] = [];

  const step = tickStep(t1 - t0);
  for (let t = Math.ceil(t0 / step) * step; t <= t1; t += step) {
    svg.push(`<line x1="${x(t).toFixed(1)}" y1="${AXIS - 6}" x2="${x(t).toFixed(1)}" y2="${chartTop + CHART}" class="grid"/>`);
    svg.push(`<text x="${x(t).toFixed(1)}" y="${AXIS - 10}" class="tick">${clock(t)}</text>`);
  }
  lanes.forEach((lane, index) => {
    const top = AXIS + index * LANE;
    const kind = input.windows.find((w) => w.window === lane)?.kind;
    svg.push(`<rect x="0" y="${top}" width="${WIDTH}" height="${LANE}" class="${index % 2 ? 'odd' : 'even'}"/>`);
    svg.push(`<text x="8" y="${top + (kind ? 15 : LANE / 2 + 4)}" class="lane">${lane === NO_WINDOW ? 'no window' : `Window ${escape(lane)}`}</text>`);
    if (kind) svg.push(`<text x="8" y="${top + 28}" class="kind">${kind} profile</text>`);
  });
  for (const shape of shapes) {
    const top = AXIS + lanes.indexOf(shape.lane) * LANE;
    const [y, h] = shape.kind === 'po' ? [top + 7, LANE - 14] : shape.kind === 'parked' ? [top + 12, LANE - 24] : [top + 4, LANE - 8];
    const left = x(shape.from);
    const width = Math.max(1, x(shape.to) - left);
    const attrs = Object.entries({ 'data-lane': shape.lane, 'data-kind': shape.kind, ...shape.attrs })
      .map(([k, v]) => ` ${k}="${escape(v)}"`)
      .join('');
    svg.push(
      `<rect x="${left.toFixed(1)}" y="${y}" width="${width.toFixed(1)}" height="${h}" fill="${shape.color}"${attrs}${shape.kind === 'po' ? ' class="po"' : ''}><title>${escape(shape.tip)}</title></rect>`,
    );
  }

  const yOf = (percent: number) => chartTop + CHART - (Math.min(Math.max(percent, 0), 100) / 100) * CHART;
  svg.push(`<text x="8" y="${chartTop - 10}" class="lane">Machine load</text>`);
  for (const p of [0, 25, 50, 75, 100]) {
    svg.push(`<line x1="${LABEL}" y1="${yOf(p)}" x2="${WIDTH - RIGHT}" y2="${yOf(p)}" class="grid"/><text x="${LABEL - 6}" y="${yOf(p) + 4}" class="pct">${p}%</text>`);
  }
  const samples = [...input.load].sort((a, b) => a.at - b.at);
  if (samples.length === 0) {
    svg.push(`<text x="${LABEL + 10}" y="${chartTop + CHART / 2}" class="tick" text-anchor="start">no load samples were recorded</text>`);
  }
  for (const [series, key] of [['cpu', 'cpuPercent'], ['memory', 'memoryPercent']] as const) {
    if (samples.length === 0) continue;
    const points = samples.map((s) => `${x(s.at).toFixed(1)},${yOf(s[key]).toFixed(1)}`).join(' ');
    const peak = Math.max(...samples.map((s) => s[key]));
    svg.push(`<polyline data-series="${series}" points="${points}" fill="none" stroke="${PHASE_COLORS[series]}" stroke-width="2"><title>${series === 'cpu' ? 'CPU' : 'Memory'}, peak ${peak.toFixed(0)}%</title></polyline>`);
  }

  const counts = new Map<PoStatus, number>();
  for (const r of input.results) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  const key = (color: string, label: string) => `<span class="key"><i style="background:${color}"></i>${escape(label)}</span>`;
  const legend = [
    key(PHASE_COLORS.startup, 'start-up (profile, browser)'),
    key(PHASE_COLORS.verify, 'verification'),
    key(PHASE_COLORS.failed, 'verification failed'),
    key(PHASE_COLORS.parked, 'parked'),
    ...[...counts].map(([status, n]) => key(STATUS_COLORS[status], `${status} ${n}`)),
    key(PHASE_COLORS.cpu, 'CPU'),
    key(PHASE_COLORS.memory, 'memory'),
  ].join('');

  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(input.title)} — timeline</title>
<style>
body{font:14px system-ui,sans-serif;margin:16px;color:#222}
h1{font-size:18px;margin:0 0 4px}
p{margin:0 0 10px;color:#555}
.key{display:inline-block;margin:0 14px 6px 0}.key i{display:inline-block;width:12px;height:12px;margin-right:5px;vertical-align:-1px;border-radius:2px}
svg{width:100%;height:auto;border:1px solid #ddd}
.even{fill:#fafafa}.odd{fill:#f0f0f0}.grid{stroke:#ddd;stroke-width:1}
.tick{font-size:11px;fill:#666;text-anchor:middle}.pct{font-size:11px;fill:#666;text-anchor:end}
.lane{font-size:13px;font-weight:600;fill:#333}.kind{font-size:11px;fill:#777}
.po{stroke:#fff;stroke-width:0.5}
</style></head><body>
<h1>${escape(input.title)}</h1>
<p>${clock(t0)} → ${clock(t1)} (${seconds(t1 - t0)}), ${input.results.length} PO(s), ${lanes.filter((l) => l !== NO_WINDOW).length} window(s). Hover a bar for its details.</p>
<div>${legend}</div>
<svg viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="Timeline of the run">
${svg.join('\n')}
</svg>
</body></html>
`;
}

export function writeRunTimeline(file: string, input: TimelineInput): void {
  fs.writeFileSync(file, renderRunTimeline(input));
}
