import path from 'node:path';
import { formatLocalTimestamp } from '../output/report-csv.js';
import { PO_STATUSES, type PoResult, type PoStatus } from '../po-result.js';
import { cleanDeep, cleanText } from './clean-text.js';
import { displayWidth, formatBytes, formatDuration, formatRate, truncateEnd } from '../progress/text-format.js';
import type { WindowRecord } from '../window/window-record.js';
import { compareWindowLetters } from '../window/window-identity.js';
import { roundsOf } from '../window/window-rounds.js';
import { writeFileAtomicSync } from '../shared/atomic-file.js';

/**
 * The one page an operator reads at the end of every run (terminal and `run-summary.json`):
 * how many POs ended how, what was downloaded, how fast, whether every window was on its
 * verified profile, what needs a look, and where the reports are. It never carries cookies,
 * tokens or URL queries: messages are cleaned before they are put in.
 */
export interface RunSummaryPaths {
  runRoot: string;
  reportCsv: string;
  reportXlsx?: string;
  htmlReport: string;
  allureResults: string;
  windowSummary: string;
  runSummary: string;
  /** The picture of the run (`timeline.html`), when it was drawn. */
  timeline?: string;
}

export interface RunSummaryInput {
  /** Every PO of the run's report (a resumed run includes those finished before the interruption). */
  results: PoResult[];
  /** Report rows by status, as the report shows them (a duplicate PO row counts once per row). */
  rowsByStatus: Partial<Record<PoStatus, number>>;
  windows: WindowRecord[];
  startedAt: Date;
  endedAt: Date;
  paths: RunSummaryPaths;
  plannedPos?: number;
  unfinishedPos?: number;
  /** The load governor's account of the run, kept as given (after cleaning). */
  load?: unknown;
}

export interface WindowSummaryRow {
  window: string;
  profile: string;
  /** Browser starts of this window: the first, restarts after a window fault, returns after parking. */
  starts: number;
  verified: boolean;
  verification: string;
  /** Times the last start ran the verification (1 when it passed at once; more when remediation was needed). */
  attempts: number;
  remediationSteps: number;
  /** The steps themselves, in order, over every start of the window. */
  remediation: string[];
  /** Of the last start; clone is 0 for the base profile. */
  timings: { cloneMs: number; launchMs: number; verifyMs: number };
  profilePath: string;
  pos: number;
  files: number;
  bytes: number;
  failedAttempts: number;
}

export interface AttentionItem {
  poNumber: string;
  status: PoStatus;
  window: string;
  message: string;
}

export interface RunSummary {
  startedAt: string;
  endedAt: string;
  durationMs: number;
  pos: {
    planned?: number;
    /** POs with a result in the report. */
    withResult: number;
    /** POs finished between this run's start and end (a resumed run's earlier ones excluded). */
    processedThisRun: number;
    perMinute: number;
    unfinished?: number;
  };
  rowsByStatus: Partial<Record<PoStatus, number>>;
  posByStatus: Partial<Record<PoStatus, number>>;
  files: { downloaded: number; bytes: number; convertedPdfs: number };
  windows: WindowSummaryRow[];
  /** Every PO that did not end COMPLETED. */
  notCompleted: AttentionItem[];
  reports: RunSummaryPaths;
  load?: unknown;
}

function countBy<T>(items: T[], key: (item: T) => PoStatus): Partial<Record<PoStatus, number>> {
  const counts: Partial<Record<PoStatus, number>> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

function windowRows(results: PoResult[], windows: WindowRecord[]): WindowSummaryRow[] {
  const letters = [...new Set([...windows.map((w) => w.window), ...results.map((r) => r.window).filter(Boolean)])];
  return letters
    .sort(compareWindowLetters)
    .map((letter) => {
      const instances = windows.filter((w) => w.window === letter);
      const last = instances.at(-1);
      const rounds = instances.flatMap((w) => roundsOf(w));
      const lastRound = rounds.at(-1);
      const processed = results.filter((r) => r.window === letter);
      return {
        window: letter,
        profile: last?.kind ?? 'unknown',
        starts: rounds.length,
        verified: !!last && last.state !== 'failed' && last.verification.length > 0 && last.verification.every((v) => v.ok),
        verification: last ? last.verification.map((v) => `${v.method} ${v.ok ? 'ok' : 'FAILED'}`).join(', ') || 'not verified' : 'no record',
        attempts: lastRound?.attempts ?? 0,
        remediationSteps: instances.reduce((n, w) => n + w.remediation.length, 0),
        remediation: instances.flatMap((w) => w.remediation.map((r) => `${r.step}${r.ok ? '' : ' (failed)'}`)),
        timings: { cloneMs: lastRound?.timings.cloneMs ?? 0, launchMs: lastRound?.timings.launchMs ?? 0, verifyMs: lastRound?.timings.verifyMs ?? 0 },
        profilePath: last?.profileDir ?? '',
        pos: processed.length,
        files: processed.reduce((n, r) => n + r.files.length, 0),
        bytes: processed.reduce((n, r) => n + r.files.reduce((b, f) => b + f.bytes, 0), 0),
        failedAttempts: instances.reduce((n, w) => n + w.posFailed, 0),
      };
    });
}

/** What an operator can act on comes first: downloads that failed or were cut short, then what Coupa answered. */
const ATTENTION_ORDER: PoStatus[] = ['FAILED', 'TIMEOUT', 'PARTIAL', 'LOCKED', 'PR_NOT_ACCESSIBLE', 'PO_NOT_FOUND', 'NO_ATTACHMENTS'];
const attentionRank = (status: PoStatus) => {
  const rank = ATTENTION_ORDER.indexOf(status);
  return rank < 0 ? ATTENTION_ORDER.length : rank;
};

const formatSeconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export function buildRunSummary(input: RunSummaryInput): RunSummary {
  const { results } = input;
  const durationMs = Math.max(0, input.endedAt.getTime() - input.startedAt.getTime());
  const processedThisRun = results.filter((r) => {
    const finished = Date.parse(r.finishedAt);
    return finished >= input.startedAt.getTime() && finished <= input.endedAt.getTime();
  }).length;
  const minutes = durationMs / 60_000;
  return {
    startedAt: input.startedAt.toISOString(),
    endedAt: input.endedAt.toISOString(),
    durationMs,
    pos: {
      ...(input.plannedPos !== undefined ? { planned: input.plannedPos } : {}),
      withResult: results.length,
      processedThisRun,
      perMinute: minutes > 0 ? Math.round((processedThisRun / minutes) * 10) / 10 : 0,
      ...(input.unfinishedPos !== undefined ? { unfinished: input.unfinishedPos } : {}),
    },
    rowsByStatus: input.rowsByStatus,
    posByStatus: countBy(results, (r) => r.status),
    files: {
      downloaded: results.reduce((n, r) => n + r.files.length, 0),
      bytes: results.reduce((n, r) => n + r.files.reduce((b, f) => b + f.bytes, 0), 0),
      convertedPdfs: results.reduce((n, r) => n + r.convertedPdfs.length, 0),
    },
    windows: windowRows(results, input.windows),
    notCompleted: results
      .filter((r) => r.status !== 'COMPLETED')
      .sort((a, b) => attentionRank(a.status) - attentionRank(b.status))
      .map((r) => ({ poNumber: r.poNumber, status: r.status, window: r.window, message: cleanText(r.errorMessage) })),
    reports: input.paths,
    ...(input.load !== undefined ? { load: cleanDeep(input.load) } : {}),
  };
}

export function writeRunSummary(file: string, summary: RunSummary): void {
  writeFileAtomicSync(file, `${JSON.stringify(summary, null, 2)}\n`, { durable: true });
}

const ANSI = { green: '\u001b[32m', yellow: '\u001b[33m', red: '\u001b[31m', bold: '\u001b[1m', reset: '\u001b[0m' } as const;
const STATUS_COLOR: Partial<Record<PoStatus, keyof typeof ANSI>> = {
  COMPLETED: 'green',
  PARTIAL: 'yellow',
  TIMEOUT: 'yellow',
  FAILED: 'red',
};

type Paint = (text: string, row: number, column: number) => string;

/** Columns aligned on the plain text; `paint` may colour a body cell without shifting the columns. */
function table(header: string[], rows: string[][], indent: string, paint: Paint = (text) => text): string[] {
  const widths = header.map((h, i) => Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i]))));
  const line = (cells: string[], row: number) =>
    indent +
    cells
      .map((c, i) => {
        const shown = row < 0 ? c : paint(c, row, i);
        return i === cells.length - 1 ? shown : shown + ' '.repeat(widths[i] - displayWidth(c));
      })
      .join('  ')
      .trimEnd();
  return [line(header, -1), ...rows.map((r, row) => line(r, row))];
}

/** Shown in the terminal; at most this many not-completed POs are listed (the report has them all). */
const ATTENTION_LINES = 8;

/**
 * The summary as plain text for a terminal or a CI log. Colour (ANSI) only when asked for;
 * the text is the same either way.
 */
export function formatRunSummary(summary: RunSummary, options: { color?: boolean } = {}): string {
  const paint = (text: string, color: keyof typeof ANSI | undefined) => (options.color && color ? `${ANSI[color]}${text}${ANSI.reset}` : text);
  const lines: string[] = [];
  const started = formatLocalTimestamp(new Date(summary.startedAt));
  const ended = formatLocalTimestamp(new Date(summary.endedAt));
  const sameDay = started.slice(0, 10) === ended.slice(0, 10);
  lines.push(paint('Run summary', 'bold'));
  lines.push(
    `  Run       ${started} → ${sameDay ? ended.slice(11) : ended} (${formatDuration(summary.durationMs)}), ` +
      `${summary.pos.processedThisRun} PO(s) processed, ${formatRate(summary.pos.perMinute)} POs/min`,
  );
  const statuses = PO_STATUSES.filter((s) => summary.rowsByStatus[s]);
  lines.push(`  Status    ${statuses.map((s) => paint(`${s} ${summary.rowsByStatus[s]}`, STATUS_COLOR[s])).join(' · ') || 'no report rows'}`);
  lines.push(
    `  Files     ${summary.files.downloaded} downloaded, ${formatBytes(summary.files.bytes)}` +
      (summary.files.convertedPdfs ? ` (+${summary.files.convertedPdfs} PDF(s) made from Outlook messages)` : ''),
  );
  if (summary.pos.unfinished) {
    lines.push(paint(`  Unfinished ${summary.pos.unfinished} PO(s): run the same command again to resume.`, 'yellow'));
  }

  if (summary.windows.length) {
    const allVerified = summary.windows.every((w) => w.verified);
    lines.push('', paint(`Windows: ${allVerified ? `all ${summary.windows.length} verified on their profile` : 'NOT all verified'}`, allVerified ? 'green' : 'red'));
    lines.push(
      ...table(
        ['Window', 'Profile', 'Verified', 'Starts', 'Verify runs', 'Clone/launch/verify', 'POs', 'Files', 'Size', 'Failed attempts', 'Verification'],
        summary.windows.map((w) => [
          w.window,
          w.profile,
          w.verified ? 'yes' : 'NO',
          String(w.starts),
          String(w.attempts),
          `${w.profile === 'clone' ? formatSeconds(w.timings.cloneMs) : '-'} / ${formatSeconds(w.timings.launchMs)} / ${formatSeconds(w.timings.verifyMs)}`,
          String(w.pos),
          String(w.files),
          formatBytes(w.bytes),
          String(w.failedAttempts),
          w.verification,
        ]),
        '  ',
        (text, _row, column) => (column === 2 ? paint(text, text === 'yes' ? 'green' : 'red') : text),
      ),
    );
    lines.push('  Starts: browser starts (first, after a window fault, back after parking); Verify runs: verification runs of the last start (1 = passed at once).');
    for (const w of summary.windows) {
      lines.push(`  ${w.window}: ${w.profilePath}${w.remediation.length ? `  — remediation: ${w.remediation.join(' → ')}` : ''}`);
    }
  }

  if (summary.notCompleted.length) {
    const shown = summary.notCompleted.slice(0, ATTENTION_LINES);
    lines.push('', `Not completed: ${summary.notCompleted.length} PO(s)${summary.notCompleted.length > shown.length ? ` (first ${shown.length}; the report lists all)` : ''}`);
    lines.push(
      ...table(
        ['PO', 'Status', 'Window', 'Why'],
        shown.map((item) => [item.poNumber, item.status, item.window || '-', truncateEnd(item.message.replace(/\s+/g, ' '), 90)]),
        '  ',
        (text, row, column) => (column === 1 ? paint(text, STATUS_COLOR[shown[row].status]) : text),
      ),
    );
  }

  const r = summary.reports;
  const inRun = (file: string) => {
    const relative = path.relative(r.runRoot, file);
    return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
  };
  lines.push('', `Reports in ${r.runRoot}`);
  lines.push(
    ...table(
      ['', ''],
      [
        ['CSV report', inRun(r.reportCsv)],
        ...(r.reportXlsx ? [['Excel report', inRun(r.reportXlsx)]] : []),
        ['HTML report', `${inRun(r.htmlReport)}  → npx playwright show-report "${r.htmlReport}"`],
        ['Allure report', `${inRun(r.allureResults)}  → npm run report -- "${r.runRoot}"`],
        ['Window summary', inRun(r.windowSummary)],
        ['Run summary', inRun(r.runSummary)],
        ...(r.timeline ? [['Timeline', `${inRun(r.timeline)}  → open it in a web browser`]] : []),
      ],
      '  ',
    ).slice(1),
  );
  return lines.join('\n');
}
