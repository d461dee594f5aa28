import { chromium, type BrowserContext, type Page } from '@playwright/test';
import { persistentLaunchOptions, type ResolvedBrowser } from '../profile/browser-launch.js';
import { classifyLaunchError } from '../profile/launch-failure.js';
import type { WindowLog } from './window-identity.js';

export interface BrowserProcessOptions {
  letter: string;
  profileName: string;
  headless: boolean;
  /** JavaScript-started downloads land here before they are checked and moved to the PO folder. */
  downloadsDir: string;
  /** Scripts every page of the window runs before its own (see TSX_PAGE_HELPERS). */
  pageScripts?: string[];
  log: WindowLog;
}

/**
 * What the job's page code needs in the page when it runs under tsx (the operator commands)
 * instead of Playwright's own transform: tsx names functions with a `__name(...)` helper,
 * which functions sent to page.evaluate then call in the page. A no-op lets them run.
 */
export const TSX_PAGE_HELPERS = 'globalThis.__name = (target) => target;';

/** The browser of one window: started on a user data folder, watched for a crash or kill, closed. */
export class BrowserProcess {
  private ctx: BrowserContext | undefined;
  private closedUnexpectedly = false;

  constructor(private readonly options: BrowserProcessOptions) {}

  /** Starts the browser; a refused start is a classified LaunchFailure saying what to do. */
  async launch(userDataDir: string, browser: ResolvedBrowser): Promise<BrowserContext> {
    const { letter, profileName, headless, downloadsDir } = this.options;
    let ctx: BrowserContext;
    try {
      ctx = await chromium.launchPersistentContext(
        userDataDir,
        persistentLaunchOptions({ browser, userDataDir, profileName, headless, downloadsPath: downloadsDir }),
      );
    } catch (error) {
      throw classifyLaunchError(error, { userDataDir, window: letter });
    }
    this.ctx = ctx;
    this.closedUnexpectedly = false;
    ctx.on('close', () => {
      if (this.ctx !== ctx) return;
      this.closedUnexpectedly = true;
      this.options.log('browser closed unexpectedly (crashed or killed)');
    });
    for (const content of this.options.pageScripts ?? []) await ctx.addInitScript({ content });
    return ctx;
  }

  get context(): BrowserContext {
    if (!this.ctx) throw new Error(`window ${this.options.letter} has no browser`);
    return this.ctx;
  }

  get page(): Page {
    const page = this.context.pages()[0];
    if (!page) throw new Error(`window ${this.options.letter} has no page`);
    return page;
  }

  /** False once the browser closed or crashed on its own (e.g. killed): the worker must restart. */
  get alive(): boolean {
    return !!this.ctx && !this.closedUnexpectedly;
  }

  /** A fresh tab instead of the current one, which drops whatever state it had (half-finished SSO bounce, stuck page). */
  async freshTab(): Promise<void> {
    const stale = this.page;
    await this.context.newPage();
    await stale.close().catch(() => undefined);
  }

  async close(): Promise<void> {
    const ctx = this.ctx;
    this.ctx = undefined;
    if (ctx) await ctx.close().catch(() => undefined);
  }
}
