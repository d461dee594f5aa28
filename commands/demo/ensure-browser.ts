import { BrowserNotFoundError, findBrowser, type ResolvedBrowser } from '../../support/profile/browser-launch.js';
import type { Settings } from '../../support/settings.js';
import { installWithApt } from './debian-packages.js';

/**
 * The demo must run on a fresh machine: when no usable browser is found on Debian or
 * Ubuntu and we are root, Debian's Chromium is installed with apt. Anywhere else the
 * operator gets the message saying what to install.
 */
export function ensureBrowser(settings: Pick<Settings, 'browserChannel' | 'browserExecutable'>, log: (m: string) => void): ResolvedBrowser {
  try {
    return findBrowser(settings);
  } catch (error) {
    if (!(error instanceof BrowserNotFoundError) || !installWithApt(['chromium'], (m) => log(`No browser found: ${m}`))) throw error;
    return findBrowser(settings);
  }
}
