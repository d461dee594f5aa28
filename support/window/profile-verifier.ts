import path from 'node:path';
import type { Page } from '@playwright/test';
import { readPageFacts } from '../coupa/coupa-page.js';
import { classifyPage, isAuthenticatedLanding } from '../coupa/page-classifier.js';

/**
 * The three proofs of the seed that a window runs on the intended profile:
 * VM-002 `introspection` (the browser itself reports the profile path), VM-003
 * `checksum` (the clone's critical files equal the snapshot's) and VM-001 `session`
 * (a page that needs a login loads without a sign-in prompt).
 */
export type VerificationMethodName = 'introspection' | 'checksum' | 'session';

export interface MethodResult {
  method: VerificationMethodName;
  ok: boolean;
  detail: string;
  durationMs: number;
  /** What chrome://version says about the browser (introspection only), e.g. "Microsoft Edge 142.0.3595.53". */
  browserVersion?: string;
}

async function timed(method: VerificationMethodName, body: () => Promise<{ ok: boolean; detail: string; browserVersion?: string }>): Promise<MethodResult> {
  const started = Date.now();
  try {
    return { method, ...(await body()), durationMs: Date.now() - started };
  } catch (error) {
    return { method, ok: false, detail: `${method} check failed: ${(error as Error).message.split('\n')[0]}`, durationMs: Date.now() - started };
  }
}

const pathsOf = (platform: NodeJS.Platform) => (platform === 'win32' ? path.win32 : path.posix);

export function samePath(a: string, b: string, platform: NodeJS.Platform = process.platform): boolean {
  const norm = (p: string) => pathsOf(platform).resolve(p).replace(/[\\/]+$/, '');
  return platform === 'win32' || platform === 'darwin' ? norm(a).toLowerCase() === norm(b).toLowerCase() : norm(a) === norm(b);
}

/**
 * chrome://version prints the command line unquoted, so a user data dir with spaces
 * ("User Data") cannot be split off by whitespace: the expected path must follow the flag
 * and end at a quote, a space or the end of the line.
 */
export function commandLineNamesUserDataDir(commandLine: string, userDataDir: string, platform: NodeJS.Platform = process.platform): boolean {
  const fold = (s: string) => (platform === 'win32' || platform === 'darwin' ? s.toLowerCase() : s);
  const line = fold(commandLine);
  const wanted = fold(pathsOf(platform).resolve(userDataDir).replace(/[\\/]+$/, ''));
  for (let at = line.indexOf('--user-data-dir='); at >= 0; at = line.indexOf('--user-data-dir=', at + 1)) {
    let value = line.slice(at + '--user-data-dir='.length);
    if (value.startsWith('"')) value = value.slice(1);
    if (value.startsWith(wanted) && /^(["\s\\/]|$)/.test(value.slice(wanted.length))) return true;
  }
  return false;
}

/**
 * VM-002. `chrome://version` works in Chrome, Chromium and Edge (Edge maps it to
 * edge://version); the page shows the profile path the running browser really uses and
 * the command line it was started with.
 */
export function verifyIntrospection(page: Page, expected: { profileDir: string; userDataDir: string }, timeoutMs: number): Promise<MethodResult> {
  return timed('introspection', async () => {
    await page.goto('chrome://version', { timeout: timeoutMs });
    const profilePath = ((await page.locator('#profile_path').textContent({ timeout: timeoutMs })) ?? '').trim();
    // The first line reads "Chromium 156.0.8078.79 (Official Build) …" / "Microsoft Edge 142… (Official build) …".
    const inner = await page.evaluate(() => (document.querySelector('#inner')?.textContent ?? '').trim().replace(/\s+/g, ' '));
    const browserVersion = inner.split('(')[0].trim() || undefined;
    const commandLine = ((await page.locator('#command_line').textContent({ timeout: timeoutMs })) ?? '').trim();
    if (!samePath(profilePath, expected.profileDir)) {
      return { ok: false, detail: `browser reports profile path "${profilePath}", expected "${expected.profileDir}"` };
    }
    if (!commandLineNamesUserDataDir(commandLine, expected.userDataDir)) {
      const shown = /--user-data-dir=\S*/.exec(commandLine)?.[0] ?? 'no --user-data-dir';
      return { ok: false, detail: `browser command line has ${shown}…, expected --user-data-dir=${expected.userDataDir}` };
    }
    return { ok: true, detail: `browser reports profile path ${profilePath}`, browserVersion };
  });
}

/**
 * VM-001. Loads a page that requires login and follows the SSO bounce; landing on the
 * identity provider's form or Coupa's own login form is a failure at once, not a wait.
 */
export function verifySession(
  page: Page,
  options: { baseUrl: URL; verifyPath: string; timeoutMs: number },
): Promise<MethodResult> {
  return timed('session', async () => {
    const target = new URL(options.verifyPath, options.baseUrl).href;
    const response = await page.goto(target, { timeout: options.timeoutMs, waitUntil: 'domcontentloaded' });
    const facts = await readPageFacts(page, response?.status());
    const verdict = classifyPage(facts, options.baseUrl.origin);
    const landed = new URL(page.url());
    const where = `${landed.origin}${landed.pathname}`;
    if (verdict.kind === 'sign-in-required') return { ok: false, detail: `${target} landed on the ${verdict.where} (${where}): not signed in` };
    if (verdict.kind !== 'content') return { ok: false, detail: `${target} answered with an error page (${JSON.stringify(verdict)})` };
    if (options.verifyPath === '/' && !isAuthenticatedLanding(page.url(), options.baseUrl.origin)) {
      return { ok: false, detail: `${target} landed on ${where}, which is not an authenticated home or dashboard page` };
    }
    return { ok: true, detail: `${target} loaded signed in at ${where}` };
  });
}

export function checksumResult(mismatches: { file: string; expected?: string; actual?: string }[], durationMs: number): MethodResult {
  if (mismatches.length === 0) return { method: 'checksum', ok: true, detail: 'critical profile files match the snapshot byte for byte', durationMs };
  const list = mismatches.map((m) => `${m.file}${m.actual ? '' : ' (missing)'}`).join(', ');
  return { method: 'checksum', ok: false, detail: `clone differs from the snapshot: ${list}`, durationMs };
}
