/**
 * One line of `/proc/<pid>/stat` (Linux, proc(5)), the fields the benchmark needs. Times
 * are in clock ticks (`getconf CLK_TCK`), RSS in pages (`getconf PAGESIZE`).
 */
export interface ProcStat {
  pid: number;
  /** The executable's name, at most 15 characters; it may itself contain spaces and parentheses. */
  comm: string;
  state: string;
  ppid: number;
  /** CPU this process spent itself, user and system. */
  utime: number;
  stime: number;
  /** CPU of its children that ended and that it waited for (they include their own waited-for children). */
  cutime: number;
  cstime: number;
  /** Ticks after boot when it started: with the pid, it names a process even after the pid is reused. */
  startTime: number;
  rssPages: number;
}

/**
 * Parses the text; undefined when it is not a stat line. `comm` is cut at the LAST `)`,
 * because a process may call itself `a) b (c`.
 */
export function parseProcStat(text: string): ProcStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 1 || close < open) return undefined;
  const pid = Number(text.slice(0, open).trim());
  // Fields from the state (field 3) on; field k is rest[k - 3].
  const rest = text.slice(close + 1).trim().split(/\s+/);
  if (!Number.isSafeInteger(pid) || rest.length < 22) return undefined;
  const field = (k: number) => Number(rest[k - 3]);
  const stat: ProcStat = {
    pid,
    comm: text.slice(open + 1, close),
    state: rest[0]!,
    ppid: field(4),
    utime: field(14),
    stime: field(15),
    cutime: field(16),
    cstime: field(17),
    startTime: field(22),
    rssPages: field(24),
  };
  const numbers = [stat.ppid, stat.utime, stat.stime, stat.cutime, stat.cstime, stat.startTime, stat.rssPages];
  return numbers.every((n) => Number.isSafeInteger(n) && n >= 0) ? stat : undefined;
}

/** A process's identity across samples: a pid reused by a later process is another process. */
export const processKey = (stat: Pick<ProcStat, 'pid' | 'startTime'>): string => `${stat.pid}@${stat.startTime}`;

/** CPU the process spent itself. */
export const ownTicks = (stat: ProcStat): number => stat.utime + stat.stime;

/** CPU of the process and of every descendant it (and they) waited for. */
export const wholeTicks = (stat: ProcStat): number => stat.utime + stat.stime + stat.cutime + stat.cstime;
