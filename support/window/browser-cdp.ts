import type { BrowserContext, CDPSession } from '@playwright/test';

/** One process of the browser as SystemInfo.getProcessInfo lists it (`cpuTime` in seconds since it started). */
export interface BrowserProcessInfo {
  type: string;
  id: number;
  cpuTime: number;
}

/**
 * What a window's browser says about itself over the Chrome DevTools Protocol, without
 * opening a page: its own command line (VM-002) and its processes with their CPU time (the
 * window's CPU by phase). One per browser start.
 */
export class BrowserCdp {
  /** Highest CPU time seen per process: a process that ended (a renderer swapped out) keeps what it had used when last seen. */
  private readonly seen = new Map<number, number>();

  private constructor(private readonly session: CDPSession, readonly version: string) {}

  static async open(context: BrowserContext): Promise<BrowserCdp> {
    const browser = context.browser();
    if (!browser) throw new Error('the browser of this window cannot be reached over CDP');
    return new BrowserCdp(await browser.newBrowserCDPSession(), browser.version());
  }

  /** Browser.getBrowserCommandLine: answered only by a browser started with --enable-automation. */
  async commandLine(): Promise<string[]> {
    return (await this.session.send('Browser.getBrowserCommandLine')).arguments;
  }

  async processes(): Promise<BrowserProcessInfo[]> {
    const { processInfo } = await this.session.send('SystemInfo.getProcessInfo');
    for (const p of processInfo) this.seen.set(p.id, Math.max(p.cpuTime, this.seen.get(p.id) ?? 0));
    return processInfo;
  }

  /** CPU-seconds this browser's processes have used so far; undefined once the browser is gone. */
  async cpuSeconds(): Promise<number | undefined> {
    try {
      await this.processes();
    } catch {
      return undefined;
    }
    let total = 0;
    for (const seconds of this.seen.values()) total += seconds;
    return total;
  }
}
