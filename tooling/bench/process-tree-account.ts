import { ownTicks, processKey, wholeTicks, type ProcStat } from './proc-stat.js';

/**
 * CPU-seconds and memory of everything a started command runs (runner, workers,
 * browsers and their helpers), from samples of the process table. Pure: it is fed
 * parsed `/proc/<pid>/stat` lines.
 *
 * Sampling alone misses what a process does between its last sample and its end, and
 * every process that lives and dies between two samples. The kernel does not: when a
 * parent waits for a child that ended, the child's CPU (with that of everything it
 * waited for) is added to the parent's cutime/cstime. Chromium and Node wait for their
 * children, so when the started command ends and the observer waits for it, the growth of
 * the observer's own cutime + cstime over the run is the CPU of the whole tree, exactly.
 * What escapes that chain is a process whose parent ended first: it is handed to init
 * (or a subreaper), which waits for it instead. Chromium's zygote is one: it outlives the
 * browser for a moment, and it is the one that waits for the renderers. An orphan is
 * counted from its last sample, with what it had waited for by then, and with the
 * children it still had at that sample (counted the same way, recursively), whose CPU it
 * would have collected after that look.
 */
export interface TreeSample {
  at: number;
  /** Processes of the tree alive (or not yet waited for) at this sample. */
  members: ProcStat[];
  rssBytes: number;
}

export interface TreeCpu {
  /** The whole tree: what the observer's waiting collected plus the orphans'. */
  seconds: number;
  /** Part of `seconds`: processes that left the tree's chain of waiting, with the children they still had (from their last sample). */
  orphanSeconds: number;
  orphans: number;
  /** Their executable names, to see what escaped. */
  orphanNames: string[];
  /** Sum of each process's own CPU at its last sample: a lower bound, a check on `seconds`. */
  sampledSeconds: number;
  /** Distinct processes seen over the run. */
  processesSeen: number;
}

export interface TreeMemory {
  /** Highest sum of resident set sizes of the tree at one sample (shared pages counted in each process: an upper bound). */
  peakRssBytes: number;
  /** Processes alive at that sample. */
  processesAtPeak: number;
  samples: number;
}

interface Member {
  last: ProcStat;
  /** Its parent at its last sample, when that was in the tree (so the parent will wait for it). */
  parentKey: string | undefined;
  /** Number of the sample it was last seen in. */
  lastSample: number;
}

export class ProcessTreeAccount {
  private readonly members = new Map<string, Member>();
  private rootKey: string | undefined;
  private peak = { rssBytes: 0, processes: 0 };
  private samples = 0;

  constructor(
    readonly rootPid: number,
    private readonly units: { ticksPerSecond: number; pageBytes: number },
  ) {}

  /**
   * One look at the process table. The tree is the root and its descendants by parent
   * link, plus any process that belonged to it before and was handed to another parent
   * since (it still works for the command).
   */
  observe(table: readonly ProcStat[], at: number): TreeSample {
    const children = new Map<number, ProcStat[]>();
    for (const stat of table) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), stat]);
    const root = table.find((s) => s.pid === this.rootPid && (this.rootKey === undefined || processKey(s) === this.rootKey));
    if (root) this.rootKey ??= processKey(root);
    const queue = [...(root ? [root] : []), ...table.filter((s) => this.members.has(processKey(s)))];
    const inTree = new Map<number, ProcStat>();
    while (queue.length) {
      const stat = queue.pop()!;
      if (inTree.has(stat.pid)) continue;
      inTree.set(stat.pid, stat);
      queue.push(...(children.get(stat.pid) ?? []));
    }
    const members = [...inTree.values()];
    for (const stat of members) {
      const parent = inTree.get(stat.ppid);
      this.members.set(processKey(stat), { last: stat, parentKey: parent && processKey(parent), lastSample: this.samples });
    }
    const rssBytes = members.reduce((sum, s) => sum + s.rssPages * this.units.pageBytes, 0);
    if (rssBytes > this.peak.rssBytes) this.peak = { rssBytes, processes: members.length };
    this.samples++;
    return { at, members, rssBytes };
  }

  /**
   * The tree's CPU once the root has ended and the observer has waited for it.
   * `reapedTicks`: growth of the observer's cutime + cstime from before the start to
   * after the wait (the observer must not have waited for any other child meanwhile).
   * Take one more sample after the wait first, so processes the root left running count
   * as orphans.
   */
  cpu(reapedTicks: number): TreeCpu {
    // Children each process still had at its last sample: they ended (or were handed on) after that look.
    const pending = new Map<string, Member[]>();
    for (const member of this.members.values()) {
      const parent = member.parentKey === undefined ? undefined : this.members.get(member.parentKey);
      if (parent && parent.lastSample === member.lastSample) pending.set(member.parentKey!, [...(pending.get(member.parentKey!) ?? []), member]);
    }
    const escaped = (member: Member): number =>
      wholeTicks(member.last) + (pending.get(processKey(member.last)) ?? []).reduce((sum, child) => sum + escaped(child), 0);
    const orphanNames: string[] = [];
    let orphanTicks = 0;
    let sampledTicks = 0;
    for (const [key, member] of this.members) {
      sampledTicks += ownTicks(member.last);
      if (key === this.rootKey || member.parentKey !== undefined) continue;
      orphanNames.push(member.last.comm);
      orphanTicks += escaped(member);
    }
    const s = (ticks: number) => ticks / this.units.ticksPerSecond;
    return {
      seconds: s(reapedTicks + orphanTicks),
      orphanSeconds: s(orphanTicks),
      orphans: orphanNames.length,
      orphanNames,
      sampledSeconds: s(sampledTicks),
      processesSeen: this.members.size,
    };
  }

  /** Each process's own CPU at its last sample, without its children's (a lower bound: what it did after that look is missed). */
  ownSeconds(): { key: string; comm: string; seconds: number }[] {
    return [...this.members].map(([key, m]) => ({ key, comm: m.last.comm, seconds: ownTicks(m.last) / this.units.ticksPerSecond }));
  }

  memory(): TreeMemory {
    return { peakRssBytes: this.peak.rssBytes, processesAtPeak: this.peak.processes, samples: this.samples };
  }
}
