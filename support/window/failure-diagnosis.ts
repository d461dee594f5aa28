import type { ResolvedBrowser } from '../profile/browser-launch.js';
import { readCookieStore, type CookieStoreSummary } from '../profile/cookie-store.js';
import type { BaseProfile } from '../profile/profile-locator.js';
import type { MethodResult } from './profile-verifier.js';

export interface DiagnosisInput {
  kind: 'base' | 'clone';
  failed: MethodResult[];
  base: BaseProfile;
  browser: ResolvedBrowser;
  /** Records of the other windows of the run, to tell "only the base fails" from "everything fails". */
  otherWindows?: { window: string; kind: 'base' | 'clone'; state: string }[];
  platform?: NodeJS.Platform;
}

/**
 * Turns "verification failed" into the reason an operator can act on. Pure: the facts
 * (cookie store summary, other windows' outcomes) are gathered by the caller.
 */
export function explainVerificationFailure(input: DiagnosisInput, cookies: CookieStoreSummary | undefined): string {
  const platform = input.platform ?? process.platform;
  const reasons: string[] = [];
  const sessionFailed = input.failed.some((f) => f.method === 'session');
  const introspectionFailed = input.failed.find((f) => f.method === 'introspection');
  const checksumFailed = input.failed.find((f) => f.method === 'checksum');
  const verifiedClones = (input.otherWindows ?? []).filter((w) => w.kind === 'clone' && w.state === 'verified').map((w) => w.window);

  if (introspectionFailed) {
    reasons.push(`the browser did not open the intended profile (${introspectionFailed.detail}); check EDGE_PROFILE_DIR / EDGE_PROFILE_NAME`);
  }
  if (checksumFailed) reasons.push(`the clone is incomplete or altered (${checksumFailed.detail}); it is re-made from the snapshot`);
  if (sessionFailed) {
    if (cookies && cookies.rows === 0) {
      reasons.push('the base profile has no cookies at all: sign in once with `npm run login` and tick "stay signed in"');
    }
    if (cookies && cookies.encryption.v20 > 0 && input.kind === 'clone') {
      reasons.push(
        `${cookies.encryption.v20} cookie(s) of the base profile are App-Bound (v20) encrypted: the browser only decrypts them in its default user data folder, so copies start signed out; ` +
          'turn off the ApplicationBoundEncryptionEnabled policy for this profile or use PROFILE_POLICY=base-first with WORKERS=1',
      );
    }
    if (input.kind === 'base' && verifiedClones.length) {
      reasons.push(
        `window A (base profile) is signed out while clone window(s) ${verifiedClones.join(', ')} of the same profile are signed in: ` +
          (platform === 'darwin'
            ? 'on macOS this points to the Keychain ("Microsoft Edge Safe Storage") refusing the key to this launch'
            : platform === 'win32'
              ? 'on Windows this points to App-Bound cookie encryption or a policy that blocks automation on the default profile'
              : 'the browser could not decrypt the base profile\'s cookies in place') +
          '; PROFILE_POLICY=all-clones runs every window on a verified clone',
      );
    }
    if (input.browser.channel === 'chrome' && input.kind === 'base') {
      reasons.push('Google Chrome 136+ refuses automation of its default user data folder: use a dedicated profile folder (`npm run login`)');
    }
    if (platform === 'linux' && cookies && cookies.encryption.v11 > 0) {
      reasons.push(`${cookies.encryption.v11} cookie(s) are encrypted with the desktop keyring (v11), which this session may not reach`);
    }
    if (reasons.length === 0) {
      reasons.push('the identity provider asked for a sign-in: its "stay signed in" cookie is missing or expired in this profile; sign in again with `npm run login`');
    }
  }
  return reasons.join('. ');
}

export async function diagnoseVerificationFailure(input: DiagnosisInput): Promise<string> {
  let cookies: CookieStoreSummary | undefined;
  try {
    cookies = await readCookieStore(input.base.cookieStorePath);
  } catch {
    cookies = undefined;
  }
  return explainVerificationFailure(input, cookies);
}
