import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { BrowserNotFoundError, findBrowser, type ResolvedBrowser } from '../../support/profile/browser-launch.js';
import type { Settings } from '../../support/settings.js';

/**
 * The demo must run on a fresh machine: when no usable browser is found on Debian or
 * Ubuntu and we are root, Debian's Chromium is installed with apt (Playwright's own
 * browser download is not an option on closed networks). Anywhere else the operator gets
 * the message saying what to install.
 */
export function ensureBrowser(settings: Pick<Settings, 'browserChannel' | 'browserExecutable'>, log: (m: string) => void): ResolvedBrowser {
  try {
    return findBrowser(settings);
  } catch (error) {
    const canApt = process.platform === 'linux' && process.getuid?.() === 0 && fs.existsSync('/usr/bin/apt-get');
    if (!(error instanceof BrowserNotFoundError) || !canApt) throw error;
    log('No browser found: installing Debian\'s chromium with apt-get (one time)…');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    for (const args of [['update', '-qq'], ['install', '-y', '-qq', 'chromium']]) {
      const run = spawnSync('apt-get', args, { stdio: 'inherit', env });
      if (run.status !== 0) throw error;
    }
    return findBrowser(settings);
  }
}
