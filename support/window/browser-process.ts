import { chromium, type BrowserContext, type Page } from '@playwright/test';
import { persistentLaunchOptions, type ResolvedBrowser } from '../profile/browser-launch.js';
import { classifyLaunchError } from '../profile/launch-failure.js';
import { InfrastructureFault, WindowGoneError } from '../coupa/job-errors.js';
import { BrowserCdp } from './browser-cdp.js';
import type { WindowLog } from './window-identity.js';

export interface BrowserProcessOptions {
  letter: string;
  profileName: string;
  headless: boolean;
  /** JavaScript-started downloads land here before they are checked and moved to the PO folder. */
  downloadsDir: string;
  /** Scripts every page of the window runs before its own (see TSX_PAGE_HELPERS). */
  pageScripts?: string[];
  /** POs one tab serves before the window goes on in a fresh one. Default FRESH_TAB_EVERY_POS. */
  freshTabEveryPos?: number;
  log: WindowLog;
}

/**
 * What the job's page code needs in the page when it runs under tsx (the operator commands)
 * instead of Playwright's own transform: tsx names functions with a `__name(...)` helper,
 * which functions sent to page.evaluate then call in the page. A no-op lets them run.
 */
export const TSX_PAGE_HELPERS = 'globalThis.__name = (target) => target;';

/**
 * What the job adds to every window's browser: `--enable-automation` lets the browser tell
 * its own command line over CDP (VM-002 without a page). A page cannot tell it apart:
 * navigator.webdriver is already true under Playwright.
 *
 * Measured and left out (Chromium 156 headless, 2-core machine, browser CPU per PO page):
 * - on the simulator's pages (no images, fonts or media) `--disable-gpu
 *   --disable-software-rasterizer`, `--blink-settings=imagesEnabled=false`,
 *   `--renderer-process-limit=1 --disable-site-isolation-trials` and a set of background
 *   features off all stayed within ±10 % of 130–145 ms: noise, nothing to gain;
 * - blocking images: on a page with 30 images it cut 246–266 ms to 132–148 ms (browser) and
 *   30 to 18 ms (worker) with CDP Network.setBlockedURLs, and to 134 ms / 13 ms with
 *   imagesEnabled=false; page.route interception cost more than it saved (worker 48 ms).
 *   Not used: a URL pattern would also block a JavaScript-started attachment download of
 *   that type, and Chromium reads only the last --blink-settings switch, so adding one
 *   drops Playwright's own (its pointer and hover emulation in headless mode);
 * - `--disable-features=RenderDocument` saves 24 of 85 ms per navigation, but Chromium
 *   likewise reads only the last --disable-features switch: it would drop Playwright's
 *   list (checked: a feature Playwright disables came back). Not used.
 */
export const WINDOW_BROWSER_ARGS = ['--enable-automation'];

/**
 * A tab that has served this many POs is replaced by a fresh one. Measured on the simulator
 * (800 POs, one window): the renderers of one tab grew from 391 MB to 687 MB; with a fresh tab
 * every 100 POs they stayed between 178 and 292 MB and the run took 152 s instead of 180 s.
 * A fresh tab costs one page open, well under 0.1 s.
 */
export const FRESH_TAB_EVERY_POS = 100;

/** The browser of one window: started on a user data folder, watched for a crash or kill, closed. */
export class BrowserProcess {
  private ctx: BrowserContext | undefined;
  private devtools: BrowserCdp | undefined;
  private closedUnexpectedly = false;
  private lifetime = BrowserProcess.ended();
  private posOnTab = 0;

  constructor(private readonly options: BrowserProcessOptions) {}

  /** Starts the browser; a refused start is a classified LaunchFailure saying what to do. */
  async launch(userDataDir: string, browser: ResolvedBrowser): Promise<BrowserContext> {
    const { letter, profileName, headless, downloadsDir } = this.options;
    let ctx: BrowserContext;
    try {
      ctx = await chromium.launchPersistentContext(
        userDataDir,
        persistentLaunchOptions({ browser, userDataDir, profileName, headless, downloadsPath: downloadsDir, extraArgs: WINDOW_BROWSER_ARGS }),
      );
    } catch (error) {
      throw classifyLaunchError(error, { userDataDir, window: letter });
    }
    this.ctx = ctx;
    const lifetime = (this.lifetime = new AbortController());
    this.posOnTab = 0;
    this.devtools = await BrowserCdp.open(ctx);
    this.closedUnexpectedly = false;
    ctx.on('close', () => {
      if (this.ctx !== ctx) return;
      this.closedUnexpectedly = true;
      this.options.log('browser closed unexpectedly (crashed or killed)');
      lifetime.abort(new WindowGoneError('a PO was in progress'));
    });
    for (const content of this.options.pageScripts ?? []) await ctx.addInitScript({ content });
    return ctx;
  }

  get context(): BrowserContext {
    if (!this.ctx) throw new Error(`window ${this.options.letter} has no browser`);
    return this.ctx;
  }

  /** The running browser's own DevTools session; undefined when no browser runs. */
  get cdp(): BrowserCdp | undefined {
    return this.ctx ? this.devtools : undefined;
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
    this.posOnTab = 0;
  }

  /** Before each PO: a tab that has served its share of POs is replaced (FRESH_TAB_EVERY_POS). */
  async beforePo(): Promise<void> {
    if (this.posOnTab >= (this.options.freshTabEveryPos ?? FRESH_TAB_EVERY_POS)) await this.freshTab();
    this.posOnTab++;
  }

  /**
   * Aborted when this browser closes, on its own or by the job (a PO over its time limit,
   * parking, the window's end): work the window started outside the browser (attachment
   * requests from Node) stops with it instead of finishing unseen after its attempt was
   * already counted.
   */
  get signal(): AbortSignal {
    return this.lifetime.signal;
  }

  private static ended(): AbortController {
    const controller = new AbortController();
    controller.abort(new InfrastructureFault('The window has no browser running.', 'The worker restarts with a fresh window.'));
    return controller;
  }

  async close(): Promise<void> {
    const ctx = this.ctx;
    this.ctx = undefined;
    this.devtools = undefined;
    this.lifetime.abort(
      new InfrastructureFault("The window's browser was closed by the job (a PO over its time limit, parking or the window's end); the work in progress stopped.", 'The PO is retried.'),
    );
    if (ctx) await ctx.close().catch(() => undefined);
  }
}
