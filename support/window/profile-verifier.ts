import path from 'node:path';
import type { Page } from '@playwright/test';
import { readPageFacts } from '../coupa/coupa-page.js';
import { classifyPage, isAuthenticatedLanding } from '../coupa/page-classifier.js';

/**
 * The three proofs of the seed that a window runs on the intended profile:
 * VM-002 `introspection` (the browser itself reports the profile it runs on, see
 * browser-introspection.ts), VM-003 `checksum` (the clone's critical files equal the
 * snapshot's) and VM-001 `session` (a page that needs a login loads without a sign-in prompt).
 */
export type VerificationMethodName = 'introspection' | 'checksum' | 'session';

export interface MethodResult {
  method: VerificationMethodName;
  ok: boolean;
  detail: string;
  durationMs: number;
  /** The browser's version as it reports it (introspection only), e.g. "142.0.3595.53". */
  browserVersion?: string;
}

export async function timed(method: VerificationMethodName, body: () => Promise<{ ok: boolean; detail: string; browserVersion?: string }>): Promise<MethodResult> {
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
