import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { promisify } from 'node:util';

/**
 * Memory of each window's browser, read from the process table while the job runs. A
 * window's browser is the process started with `--user-data-dir=<its profile>`; its
 * renderers, GPU and utility processes are its descendants. Only reads: nothing here
 * ever signals a process.
 */
export interface ProcessEntry {
  pid: number;
  ppid: number;
  rssBytes: number;
  args: string;
}

/** `ps -ww -eo pid=,ppid=,rss=,args=` output (RSS in KiB) → entries; unparseable lines are skipped. */
export function parsePsOutput(text: string): ProcessEntry[] {
  const entries: ProcessEntry[] = [];
  for (const line of text.split('\n')) {
    const match = /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(.*)$/.exec(line);
    if (!match) continue;
    entries.push({ pid: Number(match[1]), ppid: Number(match[2]), rssBytes: Number(match[3]) * 1024, args: match[4]! });
  }
  return entries;
}

/**
 * Whether a command line carries exactly this user data dir: the flag's value runs to the
 * next ` --` or the end, so `…/B-w1/User Data` does not match `…/B-w1/User Data2`.
 */
export function usesUserDataDir(args: string, userDataDir: string): boolean {
  const flag = `--user-data-dir=${userDataDir}`;
  for (let at = args.indexOf(flag); at !== -1; at = args.indexOf(flag, at + 1)) {
    if (/^(\s*$|\s+--)/.test(args.slice(at + flag.length))) return true;
  }
  return false;
}

/** The browser processes of a profile: those with its flag whose parent does not have it. */
export function browserRoots(entries: readonly ProcessEntry[], userDataDir: string): number[] {
  const withFlag = new Set(entries.filter((e) => usesUserDataDir(e.args, userDataDir)).map((e) => e.pid));
  return entries.filter((e) => withFlag.has(e.pid) && !withFlag.has(e.ppid)).map((e) => e.pid);
}

/** A process and all its descendants (renderers, GPU, utility processes of a browser). */
export function processTree(entries: readonly ProcessEntry[], rootPid: number): ProcessEntry[] {
  const children = new Map<number, ProcessEntry[]>();
  for (const e of entries) children.set(e.ppid, [...(children.get(e.ppid) ?? []), e]);
  const root = entries.find((e) => e.pid === rootPid);
  const tree: ProcessEntry[] = [];
  const queue = root ? [root] : [];
  const seen = new Set<number>();
  while (queue.length) {
    const e = queue.pop()!;
    if (seen.has(e.pid)) continue;
    seen.add(e.pid);
    tree.push(e);
    queue.push(...(children.get(e.pid) ?? []));
  }
  return tree;
}

/** `Pss:` of `/proc/<pid>/smaps_rollup`, in bytes; undefined when the text has none. */
export function parsePssBytes(smapsRollup: string): number | undefined {
  const match = /^Pss:\s+(\d+)\s+kB/m.exec(smapsRollup);
  return match ? Number(match[1]) * 1024 : undefined;
}

/**
 * Proportional set size of the processes (Linux only): shared pages are split between
 * the processes sharing them, so unlike summed RSS it does not count Chromium's shared
 * code once per process. Undefined where /proc does not tell (other systems, no access).
 */
export async function pssBytes(pids: readonly number[]): Promise<number | undefined> {
  if (process.platform !== 'linux') return undefined;
  let total = 0;
  for (const pid of pids) {
    const text = await fs.promises.readFile(`/proc/${pid}/smaps_rollup`, 'utf8').catch(() => undefined);
    const pss = text === undefined ? undefined : parsePssBytes(text);
    // A process that ended between the listing and the read no longer uses memory; any other gap makes the figure wrong.
    if (pss === undefined && fs.existsSync(`/proc/${pid}`)) return undefined;
    total += pss ?? 0;
  }
  return total;
}

const execFileAsync = promisify(execFile);

export async function listProcesses(): Promise<ProcessEntry[]> {
  const { stdout } = await execFileAsync('ps', ['-ww', '-eo', 'pid=,ppid=,rss=,args='], { maxBuffer: 64 * 1024 * 1024 });
  return parsePsOutput(stdout);
}

export interface WindowMemoryPeak {
  window: string;
  userDataDir: string;
  /** Highest RSS summed over the browser's process tree (shared pages counted in each process: an upper bound). */
  peakRssBytes: number;
  /** Highest proportional set size of the tree (Linux), the closer figure for what a window costs. */
  peakPssBytes: number | undefined;
  /** Processes in the tree at the RSS peak. */
  processes: number;
  samples: number;
}

export interface WindowMemorySamplerOptions {
  everyMs: number;
  /** The windows to watch right now (records appear as windows start). */
  windows: () => { window: string; userDataDir: string }[];
  list?: () => Promise<ProcessEntry[]>;
}

/** Samples the process table at a steady pace and keeps each window's peak. */
export class WindowMemorySampler {
  /** Failed looks at the process table (ps missing or failing): the peaks then miss those moments. */
  failures = 0;
  private readonly peaks = new Map<string, WindowMemoryPeak>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private inFlight: Promise<void> | undefined;
  private readonly list: () => Promise<ProcessEntry[]>;

  constructor(private readonly options: WindowMemorySamplerOptions) {
    this.list = options.list ?? listProcesses;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.tick();
  }

  async stop(): Promise<WindowMemoryPeak[]> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    await this.inFlight;
    return this.result();
  }

  result(): WindowMemoryPeak[] {
    return [...this.peaks.values()];
  }

  /** One look at the process table. */
  async sampleOnce(): Promise<void> {
    const watched = this.options.windows().filter((w) => w.userDataDir);
    if (watched.length === 0) return;
    const entries = await this.list();
    for (const { window, userDataDir } of watched) {
      const tree = browserRoots(entries, userDataDir).flatMap((root) => processTree(entries, root));
      const rss = tree.reduce((sum, e) => sum + e.rssBytes, 0);
      const pss = tree.length ? await pssBytes(tree.map((e) => e.pid)) : undefined;
      const key = `${window}\u0000${userDataDir}`;
      const peak = this.peaks.get(key) ?? { window, userDataDir, peakRssBytes: 0, peakPssBytes: undefined, processes: 0, samples: 0 };
      if (tree.length > 0) peak.samples++;
      if (rss > peak.peakRssBytes) {
        peak.peakRssBytes = rss;
        peak.processes = tree.length;
      }
      if (pss !== undefined && pss > (peak.peakPssBytes ?? 0)) peak.peakPssBytes = pss;
      this.peaks.set(key, peak);
    }
  }

  private tick(): void {
    this.inFlight = this.sampleOnce()
      .catch(() => {
        this.failures++;
      })
      .finally(() => {
        this.inFlight = undefined;
        if (!this.running) return;
        this.timer = setTimeout(() => this.tick(), this.options.everyMs);
        this.timer.unref();
      });
  }
}
