import type { BrowserContext } from '@playwright/test';
import type { CookieBackup } from '../profile/cookie-backup.js';
import { persistentCookiesIn, type CookieEntry } from '../profile/cookie-store.js';
import type { BaseProfile } from '../profile/profile-locator.js';
import { OperatorError } from '../shared/operator-error.js';
import type { WindowLog } from './window-identity.js';
import type { WindowRecord } from './window-record.js';

export class BaseProfileCookiesDroppedError extends OperatorError {}

const keyOf = (c: { host: string; name: string; path: string }) => `${c.host}\t${c.name}\t${c.path}`;
const hostsOf = (cookies: { host: string }[]) => [...new Set(cookies.map((c) => c.host))].join(', ');

/**
 * Window A opens the operator's own profile, whose cookies a browser deletes when it
 * cannot decrypt them. The guard keeps a copy of the cookie store from before the run,
 * puts back rows lost since (a sign-in dropped mid-run, cookies a failed start deleted)
 * before every reopening, and stops window A at once when its browser drops cookies at
 * launch, before anything else can be lost.
 */
export class BaseCookieGuard {
  constructor(
    private readonly options: { base: BaseProfile; backup: CookieBackup; record: WindowRecord; save: () => void; log: WindowLog },
  ) {}

  /**
   * Before window A's browser starts: the first opening of the run takes the backup, a
   * reopening restores what was lost since. Returns the cookies the browser must then see.
   */
  async beforeLaunch(firstOpening: boolean): Promise<CookieEntry[]> {
    const { base, backup, record, log } = this.options;
    record.cookieBackup = backup.file;
    if (firstOpening) {
      await backup.take();
      log(`copy of the base profile's cookie store kept at ${backup.file}`);
    } else {
      const at = new Date().toISOString();
      const { restored } = await backup.restoreLostRows();
      if (restored.length) {
        const reason = `${restored.length} cookie(s) the base profile had before the run were gone (${hostsOf(restored)})`;
        record.remediation.push({ step: 'restore-cookies-before-launch', at, reason, ok: true });
        log(`${reason}: put back from the copy taken before the run`);
      }
    }
    return persistentCookiesIn(base.profileDir);
  }

  /**
   * Compares the cookies the browser sees with the rows of the closed store that a start
   * keeps; on a drop it closes the browser, puts the rows back and throws.
   */
  async afterLaunch(context: BrowserContext, expected: CookieEntry[], closeBrowser: () => Promise<void>): Promise<void> {
    const { base, backup, record, save, log } = this.options;
    const seen = new Set((await context.cookies()).map((c) => keyOf({ host: c.domain, name: c.name, path: c.path })));
    const missing = expected.filter((e) => !seen.has(keyOf(e)));
    record.cookieGuard = { rowsBefore: expected.length, cookiesAfterLaunch: expected.length - missing.length, dropped: missing.length > 0, restored: false };
    if (missing.length === 0) return;
    log(`${missing.length} of ${expected.length} cookies of the base profile are gone after launch: closing and putting them back`);
    await closeBrowser();
    await backup.restoreLostRows();
    record.cookieGuard.restored = true;
    save();
    throw new BaseProfileCookiesDroppedError(
      `Window A: the browser dropped ${missing.length} of ${expected.length} cookies of the base profile ${base.profileDir} at launch (${hostsOf(missing)}); ` +
        `they were put back from the copy taken before the run (${backup.file}).`,
      'The browser could not decrypt the profile\'s cookies: use the same browser (BROWSER_CHANNEL) that created the profile, ' +
        'or set PROFILE_POLICY=all-clones. See README › Troubleshooting.',
    );
  }

  /** After window A ended with its cookies intact: the copies of earlier runs are no longer needed. */
  async endedWell(): Promise<void> {
    if (this.options.record.cookieGuard?.dropped) return;
    await this.options.backup.pruneEarlier();
  }
}
