import fs from 'node:fs';

/**
 * Memory of each browser of a measured command. A browser is the process started with
 * `--user-data-dir=<its profile>` (a window's profile, or the temporary one Playwright
 * gives `chromium.launch`); its renderers, GPU and utility processes are its descendants.
 * Only reads: nothing here ever signals a process.
 */
export interface ProcessEntry {
  pid: number;
  ppid: number;
  rssBytes: number;
  /** Proportional set size, when /proc told it. */
  pssBytes?: number;
  /** The command line, arguments separated by spaces. */
  args: string;
}

const FLAG = '--user-data-dir=';

/**
 * Whether a command line carries exactly this user data dir: the flag's value runs to the
 * next ` --` or the end, so `…/B-w1/User Data` does not match `…/B-w1/User Data2`.
 */
export function usesUserDataDir(args: string, userDataDir: string): boolean {
  const flag = `${FLAG}${userDataDir}`;
  for (let at = args.indexOf(flag); at !== -1; at = args.indexOf(flag, at + 1)) {
    if (/^(\s*$|\s+--)/.test(args.slice(at + flag.length))) return true;
  }
  return false;
}

/** The value of the first `--user-data-dir=` flag (up to the next ` --`), if any. */
export function userDataDirOf(args: string): string | undefined {
  const at = args.indexOf(FLAG);
  if (at === -1) return undefined;
  const value = args.slice(at + FLAG.length);
  const end = value.search(/\s+--/);
  return (end === -1 ? value : value.slice(0, end)).trim() || undefined;
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
 * Proportional set size of one process (Linux): shared pages are split between the
 * processes sharing them, so unlike summed RSS it does not count Chromium's shared code
 * once per process. Undefined where /proc does not tell (ended, other systems, no access).
 */
export async function pssOf(pid: number): Promise<number | undefined> {
  const text = await fs.promises.readFile(`/proc/${pid}/smaps_rollup`, 'utf8').catch(() => undefined);
  return text === undefined ? undefined : parsePssBytes(text);
}

/** Sum of the entries' PSS; undefined when any of them lacks it. */
export function sumPss(entries: readonly ProcessEntry[]): number | undefined {
  let total = 0;
  for (const e of entries) {
    if (e.pssBytes === undefined) return undefined;
    total += e.pssBytes;
  }
  return total;
}

export interface BrowserMemoryPeak {
  userDataDir: string;
  /** Highest RSS summed over the browser's process tree (shared pages counted in each process: an upper bound). */
  peakRssBytes: number;
  /** Highest proportional set size of the tree, the closer figure for what a browser costs. */
  peakPssBytes: number | undefined;
  /** Processes in the tree at the RSS peak. */
  processes: number;
  samples: number;
}

/** Each browser's peak over the samples it is fed, browsers told apart by their user data dir. */
export class BrowserMemoryPeaks {
  private readonly peaks = new Map<string, BrowserMemoryPeak>();

  observe(entries: readonly ProcessEntry[]): void {
    const dirs = new Set(entries.filter((e) => !e.args.includes('--type=')).map((e) => userDataDirOf(e.args)).filter((d): d is string => !!d));
    for (const userDataDir of dirs) {
      const tree = browserRoots(entries, userDataDir).flatMap((root) => processTree(entries, root));
      if (tree.length === 0) continue;
      const rss = tree.reduce((sum, e) => sum + e.rssBytes, 0);
      const pss = sumPss(tree);
      const peak = this.peaks.get(userDataDir) ?? { userDataDir, peakRssBytes: 0, peakPssBytes: undefined, processes: 0, samples: 0 };
      peak.samples++;
      if (rss > peak.peakRssBytes) {
        peak.peakRssBytes = rss;
        peak.processes = tree.length;
      }
      if (pss !== undefined && pss > (peak.peakPssBytes ?? 0)) peak.peakPssBytes = pss;
      this.peaks.set(userDataDir, peak);
    }
  }

  result(): BrowserMemoryPeak[] {
    return [...this.peaks.values()];
  }
}
