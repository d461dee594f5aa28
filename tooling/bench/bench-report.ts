import type { BenchOptions } from './bench-options.js';
import { compareRuns, mean, type Comparison, type LoadSummary, type Tool } from './bench-math.js';
import type { DownloadVerification } from './download-verification.js';
import type { BrowserMemoryPeak } from './process-memory.js';
import type { CpuByKind } from './process-kinds.js';
import type { TreeCpu } from './process-tree-account.js';
import type { NaiveCopyResult, TreeSize } from './profile-padding.js';
import type { WindowStart } from './run-outputs.js';
import { displayWidth, formatBytes } from '../../support/progress/text-format.js';

/**
 * The window comparison's result (written as JSON) and its printed tables. Pure: the
 * runner gathers the measurements, this shapes them and checks them against issue 11's
 * targets.
 */
export interface MeasuredRun {
  tool: Tool;
  windows: number;
  pos: number;
  exitCode: number | null;
  /** Epoch ms when the command was started: the zero of every time below. */
  startedAt: number;
  /** From the command's start until it ended. */
  totalMs: number;
  /** From the command's start until the first PO finished. */
  firstPoMs: number | undefined;
  /** From the command's start until the last of the N windows (the peer: its browser and N pages) was verified and ready. */
  allReadyMs: number | undefined;
  readyWindows: number;
  /** CPU-seconds of the whole process tree (runner, workers, browsers). */
  cpuSeconds: number;
  cpu: TreeCpu;
  /** Own CPU of each process at its last sample, by part (runner, workers, browsers, other): a lower bound of each part. */
  cpuByKind: CpuByKind;
  memory: { peakRssBytes: number; peakPssBytes: number | undefined; processesAtPeak: number };
  /** Per browser, labelled with the window it served (the peer: `browser`). */
  browsers: (BrowserMemoryPeak & { window: string })[];
  /** Names of the tree's processes still running a while after the command ended. */
  leftRunning: string[];
  /** What sampling the process table cost the benchmark's own process (not part of the figures). */
  sampling: { samples: number; meanMs: number; maxMs: number };
  verification: DownloadVerification;
  statuses: Record<string, number>;
  starts: WindowStart[];
  governor: { changes: number; lowestWindows: number | undefined } | undefined;
  /** System CPU in the seconds before the run: other work on the machine. */
  backgroundCpuPercent: number;
  /** System CPU and memory while it ran. */
  load: LoadSummary;
  outputDir: string | undefined;
  logFile: string;
}

export type ComparedRun = MeasuredRun & Comparison;

export interface BenchResult {
  createdAt: string;
  machine: { cpus: number; cpuModel: string; totalMemoryBytes: number; platform: string; node: string; browser: string };
  options: BenchOptions;
  batch: { pos: number; attachments: number; bytes: number };
  profile: {
    padded: TreeSize;
    naiveCopy: NaiveCopyResult;
    /** The job's own clones (from the snapshot), over every clone window of every run. */
    clone: { count: number; meanMs: number; maxMs: number } | undefined;
  };
  runs: ComparedRun[];
  targets: TargetCheck[];
}

export interface TargetCheck {
  what: string;
  target: string;
  measured: string;
  met: boolean;
}

export function buildBenchResult(input: Omit<BenchResult, 'runs' | 'targets' | 'profile'> & { runs: MeasuredRun[]; profile: Omit<BenchResult['profile'], 'clone'> }): BenchResult {
  const runs = compareRuns(input.runs);
  const clones = runs.flatMap((r) => r.starts).filter((s) => s.kind === 'clone' && s.cloneMs > 0);
  const clone = clones.length ? { count: clones.length, meanMs: mean(clones.map((c) => c.cloneMs)), maxMs: Math.max(...clones.map((c) => c.cloneMs)) } : undefined;
  const result: BenchResult = { ...input, profile: { ...input.profile, clone }, runs, targets: [] };
  result.targets = checkTargets(result.runs);
  return result;
}

/** Background CPU from which a run counts as sharing the machine with other work. */
export const BUSY_PERCENT = 25;

const seconds = (ms: number | undefined) => (ms === undefined ? '-' : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`);
const ratio = (x: number | undefined) => (x === undefined ? '-' : x.toFixed(2));
const cpu = (s: number) => s.toFixed(s < 10 ? 2 : 1);
const TOOL_NAMES: Record<Tool, string> = { job: 'job', peer: '1 browser' };

/** Issue 11's targets, for the window counts this bench ran. */
export function checkTargets(runs: readonly ComparedRun[]): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const job = (n: number) => runs.find((r) => r.tool === 'job' && r.windows === n);
  for (const n of [2, 4]) {
    const run = job(n);
    if (run?.timeVsPeer === undefined) continue;
    const peer = runs.find((r) => r.tool === 'peer' && r.windows === n)!;
    checks.push({ what: `N=${n}: total time, job vs one browser with ${n} pages`, target: '≤ peer', measured: `${seconds(run.totalMs)} vs ${seconds(peer.totalMs)}`, met: run.totalMs <= peer.totalMs });
  }
  for (const run of runs.filter((r) => r.tool === 'job')) {
    checks.push({ what: `N=${run.windows}: first PO finished after the command started`, target: '≤ 6 s', measured: seconds(run.firstPoMs), met: run.firstPoMs !== undefined && run.firstPoMs <= 6000 });
  }
  const four = job(4);
  if (four) {
    checks.push({ what: 'N=4: all 4 windows verified and ready after the command started', target: '≤ 8 s', measured: four.allReadyMs === undefined ? `${four.readyWindows} of 4 ready` : seconds(four.allReadyMs), met: four.allReadyMs !== undefined && four.allReadyMs <= 8000 });
  }
  const one = job(1);
  if (one && four) {
    checks.push({ what: 'CPU-seconds per PO, N=4 against N=1', target: '≤ 1.2 ×', measured: `${cpu(four.cpuPerPo)} / ${cpu(one.cpuPerPo)} = ${ratio(four.cpuPerPo / one.cpuPerPo)} ×`, met: four.cpuPerPo <= 1.2 * one.cpuPerPo });
  }
  if (one) checks.push({ what: 'CPU-seconds per PO at N=1', target: '≤ 0.5', measured: cpu(one.cpuPerPo), met: one.cpuPerPo <= 0.5 });
  for (const run of runs.filter((r) => r.tool === 'job' && r.governor)) {
    const quiet = run.backgroundCpuPercent < BUSY_PERCENT;
    checks.push({
      what: `N=${run.windows}: load governor on a ${quiet ? 'quiet' : `busy (${Math.round(run.backgroundCpuPercent)}% CPU before)`} machine`,
      target: 'no change',
      measured: `${run.governor!.changes} change(s)${run.governor!.lowestWindows !== undefined ? `, down to ${run.governor!.lowestWindows}` : ''}`,
      met: run.governor!.changes === 0,
    });
  }
  const wrong = runs.filter((r) => r.verification.verified !== r.pos || r.exitCode !== 0);
  checks.push({
    what: 'every run: exit 0, every PO as expected with byte-exact files',
    target: 'all runs',
    measured: wrong.length ? wrong.map((r) => `${TOOL_NAMES[r.tool]} N=${r.windows}: exit ${r.exitCode}, ${r.verification.verified}/${r.pos}`).join('; ') : `${runs.length} of ${runs.length} runs`,
    met: wrong.length === 0,
  });
  return checks;
}

/** Columns padded to their widest cell; numbers right-aligned. */
export function formatTable(headers: string[], rows: string[][], rightAligned: ReadonlySet<number> = new Set()): string[] {
  const widths = headers.map((h, c) => Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[c] ?? ''))));
  const cell = (text: string, c: number) => {
    const pad = ' '.repeat(widths[c]! - displayWidth(text));
    return rightAligned.has(c) ? pad + text : text + pad;
  };
  const line = (cells: string[]) => cells.map((t, c) => cell(t, c)).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

const range = (from: number, to: number) => new Set(Array.from({ length: to - from + 1 }, (_, i) => from + i));
const memory = (m: { peakRssBytes: number; peakPssBytes: number | undefined }) => (m.peakPssBytes !== undefined ? formatBytes(m.peakPssBytes) : `${formatBytes(m.peakRssBytes)} RSS`);

const pair = (p: { browserS: number; workerS: number } | undefined) => (p ? `${cpu(p.browserS)} / ${cpu(p.workerS)}` : '-');

/** Where the CPU went: by part of each run (sampled), and by window and phase (the windows' own records). */
function renderCpu(runs: readonly ComparedRun[]): string[] {
  const out = [
    '',
    'CPU by part (CPU-s; each process\'s own CPU at its last sample, so a lower bound; "unseen": processes that ended between samples)',
    ...formatTable(
      ['N', 'tool', 'total', 'runner', 'workers', 'browsers', 'other', 'unseen'],
      runs.map((r) => {
        const k = r.cpuByKind;
        const unseen = Math.max(0, r.cpuSeconds - k.runner - k.workers - k.browsers - k.other);
        return [String(r.windows), TOOL_NAMES[r.tool], cpu(r.cpuSeconds), cpu(k.runner), cpu(k.workers), cpu(k.browsers), cpu(k.other), cpu(unseen)];
      }),
      new Set([0, 2, 3, 4, 5, 6, 7]),
    ),
  ];
  const rows = runs.flatMap((r) =>
    r.starts.flatMap((s) => {
      const c = s.cpu;
      if (!c) return [];
      const perPo = c.phases.pos && s.posDone > 0 ? (c.phases.pos.browserS + c.phases.pos.workerS) / s.posDone : undefined;
      return [[String(r.windows), s.window, pair(c.phases.launch), pair(c.phases.introspection), pair(c.phases.session), pair(c.phases.pos), perPo === undefined ? '-' : cpu(perPo), cpu(c.workerStartS), c.workerTotalS === undefined ? '-' : cpu(c.workerTotalS)]];
    }),
  );
  if (rows.length === 0) return out;
  return [
    ...out,
    '',
    'CPU by window and phase (CPU-s, browser / worker; the browser side from its own process list over CDP, the worker side from its process;',
    'POs: from verified to closed, with the idle time between POs; worker start: loading Node, Playwright and the job before the window began)',
    ...formatTable(['N', 'window', 'launch', 'introspection', 'session check', 'POs', 'per PO', 'worker start', 'worker total'], rows, new Set([0, 2, 3, 4, 5, 6, 7, 8])),
  ];
}

export function renderBenchReport(result: BenchResult): string {
  const o = result.options;
  const out: string[] = [
    `Benchmark ${result.createdAt}: ${result.batch.pos} POs, ${result.batch.attachments} attachments (${formatBytes(result.batch.bytes)}), ` +
      `${o.latencyMs} ms server time per request, ${o.downloadBytesPerSecond ? `${formatBytes(o.downloadBytesPerSecond)}/s` : 'unlimited'} per download`,
    `Machine: ${result.machine.cpus} CPU(s) ${result.machine.cpuModel}, ${formatBytes(result.machine.totalMemoryBytes)} RAM, ` +
      `${result.machine.platform}, Node ${result.machine.node}, ${result.machine.browser}`,
    `Job settings: defaults${o.cpuLimitPercent !== undefined || o.memoryLimitPercent !== undefined ? ` except${o.cpuLimitPercent !== undefined ? ` CPU_LIMIT_PERCENT=${o.cpuLimitPercent}` : ''}${o.memoryLimitPercent !== undefined ? ` MEMORY_LIMIT_PERCENT=${o.memoryLimitPercent}` : ''} (diagnosis, not the headline)` : ' (the headline)'}. ` +
      'Peer: one chromium.launch browser, N pages on one queue, the same PO work.',
    '',
    'All times from the command\'s start. CPU-s: the whole process tree (runner, workers, browsers). Speed-up and efficiency T1/(N·TN)',
    'against the same tool\'s first row; ÷ peer: the job over the single browser with as many pages (below 1: the job is ahead).',
    ...formatTable(
      ['N', 'tool', 'total', 'first PO', 'all ready', 'CPU-s', 'CPU-s/PO', 'mem peak', 'speed-up', 'efficiency', 'time ÷ peer', 'CPU ÷ peer', 'verified', 'governor'],
      result.runs.map((r) => [
        String(r.windows),
        TOOL_NAMES[r.tool],
        seconds(r.totalMs),
        seconds(r.firstPoMs),
        r.allReadyMs !== undefined ? seconds(r.allReadyMs) : `${r.readyWindows}/${r.windows}`,
        cpu(r.cpuSeconds),
        cpu(r.cpuPerPo),
        memory(r.memory),
        ratio(r.speedUp),
        ratio(r.efficiency),
        ratio(r.timeVsPeer),
        ratio(r.cpuVsPeer),
        `${r.verification.verified}/${r.pos}${r.exitCode === 0 ? '' : ` exit ${r.exitCode}`}`,
        r.governor ? `${r.governor.changes} change(s)` : '-',
      ]),
      new Set([0, ...range(2, 12)]),
    ),
  ];
  const busy = result.runs.filter((r) => r.backgroundCpuPercent >= BUSY_PERCENT);
  if (busy.length) {
    out.push(
      `Warning: other processes kept the CPU ${busy.map((r) => `${Math.round(r.backgroundCpuPercent)}% busy before ${TOOL_NAMES[r.tool]} N=${r.windows}`).join(', ')}; ` +
        'those runs shared the machine and do not show what the tools do on a quiet one (see --wait-idle).',
    );
  }
  for (const r of result.runs.filter((x) => x.cpu.orphans > 0 || x.leftRunning.length > 0)) {
    out.push(
      `Note: ${TOOL_NAMES[r.tool]} N=${r.windows}: ${r.cpu.orphans} process(es) outlived their parent (${r.cpu.orphanNames.join(', ')}; ` +
        `${cpu(r.cpu.orphanSeconds)} CPU-s, counted from their last sample)` +
        (r.leftRunning.length ? `; still running 5 s after the end: ${r.leftRunning.join(', ')}` : ''),
    );
  }
  const samplingMs = mean(result.runs.map((r) => r.sampling.meanMs));
  out.push(
    `Process table sampled every ${o.sampleMs} ms, PSS every ${o.pssMs} ms (memory; CPU-seconds are exact regardless): ` +
      `${samplingMs.toFixed(1)} ms per sample in the benchmark's own process, outside the figures.`,
  );
  for (const r of result.runs.filter((x) => x.verification.problems.length)) out.push(`${TOOL_NAMES[r.tool]} N=${r.windows}: ${r.verification.problems.join('; ')}`);

  out.push('', 'Start-up (ready = verified and taking POs, from the command\'s start; memory: peak PSS of each browser\'s processes)');
  const rows: string[][] = [];
  for (const run of result.runs) {
    for (const s of run.starts) {
      const browser = run.browsers.find((b) => b.window === s.window);
      rows.push([
        String(run.windows),
        TOOL_NAMES[run.tool],
        s.window,
        s.kind,
        s.kind === 'clone' ? seconds(s.cloneMs) : '-',
        seconds(s.launchWaitMs),
        seconds(s.launchMs),
        seconds(s.verifyMs),
        s.readyAt !== undefined ? seconds(s.readyAt - run.startedAt) : 'never',
        browser ? memory(browser) : '-',
        String(s.posDone),
        s.state,
      ]);
    }
  }
  out.push(...formatTable(['N', 'tool', 'window', 'profile', 'clone', 'launch queue', 'launch', 'verify/sign-in', 'ready at', 'memory', 'POs', 'state'], rows, new Set([0, 4, 5, 6, 7, 8, 9, 10])));
  out.push(...renderCpu(result.runs));

  const p = result.profile;
  out.push(
    '',
    'Profile',
    `  padded base profile: ${formatBytes(p.padded.bytes)} in ${p.padded.files} files`,
    `  naive full copy:     ${seconds(p.naiveCopy.ms)} for ${formatBytes(p.naiveCopy.bytes)} in ${p.naiveCopy.files} files`,
    p.clone ? `  snapshot clone:      ${seconds(p.clone.meanMs)} mean, ${seconds(p.clone.maxMs)} max over ${p.clone.count} clone(s)` : '  snapshot clone:      none (no clone window ran)',
  );
  out.push('', 'Targets (issue 11; meant for the 2-core reference machine, each run alone)');
  out.push(...formatTable(['check', 'target', 'measured', 'met'], result.targets.map((t) => [t.what, t.target, t.measured, t.met ? 'yes' : 'NO'])));
  return `${out.join('\n')}\n`;
}
