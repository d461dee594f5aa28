import type { BrowserCdp } from './browser-cdp.js';

/**
 * Where one window's CPU goes, by phase, kept in its record for the benchmark: the browser
 * side from the browser's own process list (CDP SystemInfo.getProcessInfo, every platform),
 * the worker side from process.cpuUsage(). A phase that runs again (a second launch after a
 * remediation or parking) adds to its total.
 */
export type CpuPhase = 'launch' | 'introspection' | 'session' | 'pos';

export interface PhaseCpu {
  browserS: number;
  workerS: number;
}

export interface WindowCpu {
  /** The worker process before this window began: Node, Playwright, the config, the spec and the job's modules loading. */
  workerStartS: number;
  /** `pos`: from verified until parked or closed, POs and the time between them (idle polling included). */
  phases: Partial<Record<CpuPhase, PhaseCpu>>;
  /** The worker process in all, when the window closed. */
  workerTotalS?: number;
}

export interface CpuMark {
  workerS: number;
  browserS: number;
  /** The browser the mark was taken of (none before its launch). */
  browser: BrowserCdp | undefined;
}

export function workerSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;

export class CpuLedger {
  constructor(
    private readonly cpu: WindowCpu,
    /** The window's browser now, if it runs. */
    private readonly browser: () => BrowserCdp | undefined,
  ) {}

  async mark(): Promise<CpuMark> {
    const browser = this.browser();
    return { workerS: workerSeconds(), browserS: (await browser?.cpuSeconds()) ?? 0, browser };
  }

  /** Adds what was used since `since` to `phase`; a browser started since the mark counts in full. */
  async add(phase: CpuPhase, since: CpuMark): Promise<void> {
    const now = await this.mark();
    const browserS = now.browser === since.browser ? now.browserS - since.browserS : now.browserS;
    const total = (this.cpu.phases[phase] ??= { browserS: 0, workerS: 0 });
    total.browserS = round3(total.browserS + Math.max(0, browserS));
    total.workerS = round3(total.workerS + Math.max(0, now.workerS - since.workerS));
  }

  async measure<T>(phase: CpuPhase, body: () => Promise<T>): Promise<T> {
    const since = await this.mark();
    try {
      return await body();
    } finally {
      await this.add(phase, since);
    }
  }

  closed(): void {
    this.cpu.workerTotalS = round3(workerSeconds());
  }
}
