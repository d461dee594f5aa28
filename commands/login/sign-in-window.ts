import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Page } from '@playwright/test';
import { isAuthenticatedLanding } from '../../support/coupa/page-classifier.js';
import { persistentLaunchOptions, resolveBrowser } from '../../support/profile/browser-launch.js';
import { detectProfileInUse, ProfileInUseError } from '../../support/profile/profile-in-use.js';
import type { Settings } from '../../support/settings.js';

export interface SignInOptions {
  settings: Settings;
  headless: boolean;
  /** Fills the sign-in form for the operator (demo, tests); without it the operator signs in by hand. */
  signIn?: (page: Page) => Promise<void>;
  /** Gives up when nobody signed in within this time. */
  timeoutMs: number;
  log: (message: string) => void;
}

export interface SignInOutcome {
  signedIn: boolean;
  landedOn: string;
}

/**
 * Opens a window on the base profile at the tenant so the operator signs in once; the
 * identity provider's "stay signed in" cookie then lives in the profile and every window
 * of the job (A on the profile, B..N on clones) starts signed in. The window closes by
 * itself once Coupa's home page is reached, or when the operator closes it.
 */
export async function openSignInWindow(options: SignInOptions): Promise<SignInOutcome> {
  const { settings } = options;
  const userDataDir = settings.edgeProfileDir;
  const holder = fs.existsSync(userDataDir) ? detectProfileInUse(userDataDir) : null;
  if (holder) throw new ProfileInUseError(userDataDir, holder, 0);
  fs.mkdirSync(userDataDir, { recursive: true });
  const context = await chromium.launchPersistentContext(
    userDataDir,
    persistentLaunchOptions({
      // The sign-in window always opens the base profile, whatever the job's policy.
      browser: resolveBrowser({ ...settings, profilePolicy: 'base-first' }),
      userDataDir,
      profileName: settings.edgeProfileName,
      headless: options.headless,
    }),
  );
  const origin = settings.coupaBaseUrl.origin;
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(settings.coupaBaseUrl.href, { waitUntil: 'domcontentloaded', timeout: 60_000 });
    if (isAuthenticatedLanding(page.url(), origin)) {
      options.log(`Already signed in: ${page.url()}`);
      return { signedIn: true, landedOn: page.url() };
    }
    options.log(`Sign in to Coupa in the window that opened (${new URL(page.url()).host}); tick "stay signed in" if offered.`);
    if (options.signIn) await options.signIn(page);
    const closed = new Promise<'closed'>((resolve) => context.once('close', () => resolve('closed')));
    const landed = page
      .waitForURL((url) => isAuthenticatedLanding(url.href, origin), { timeout: options.timeoutMs, waitUntil: 'domcontentloaded' })
      .then(() => 'signed-in' as const)
      .catch(() => 'timeout' as const);
    const outcome = await Promise.race([closed, landed]);
    if (outcome === 'signed-in') {
      options.log(`Signed in: ${page.url()}. The session is saved in ${path.join(userDataDir, settings.edgeProfileName)}.`);
      return { signedIn: true, landedOn: page.url() };
    }
    return { signedIn: false, landedOn: outcome === 'closed' ? '' : page.url() };
  } finally {
    await context.close().catch(() => undefined);
  }
}
