import { chromium, type Browser, type BrowserContext, type Page } from '@playwright/test';
import type { RunningSimulator } from '../../../tooling/simulator/simulator.js';
import { signInOnSimulatorForm } from '../../../tooling/simulator/simulator-sign-in.js';

const LAUNCH_ARGS = ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** A real Chromium with one context signed in to the simulator through its form, as a window is after verification. */
export async function signedInBrowser(sim: RunningSimulator): Promise<{ browser: Browser; context: BrowserContext; page: Page }> {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: LAUNCH_ARGS });
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(`${sim.coupaUrl}/user/home`);
  await signInOnSimulatorForm(page, sim.options().credentials);
  await page.waitForURL(`${sim.coupaUrl}/user/home`);
  return { browser, context, page };
}
