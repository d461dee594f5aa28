import fs from 'node:fs';
import path from 'node:path';
import { CookieBackup } from '../../support/profile/cookie-backup.js';
import { createSessionDir } from '../../support/profile/private-temp.js';
import type { BaseProfile } from '../../support/profile/profile-locator.js';
import { takeSnapshot } from '../../support/profile/profile-snapshot.js';
import { privateTempRoot, sessionPaths } from '../../support/run-state/run-paths.js';
import { WindowRecordStore } from '../../support/run-state/window-records.js';
import type { Settings } from '../../support/settings.js';
import { OperatorError } from '../../support/shared/operator-error.js';
import { TSX_PAGE_HELPERS } from '../../support/window/browser-process.js';
import { BrowserWindow } from '../../support/window/browser-window.js';
import type { WindowRecord } from '../../support/window/window-record.js';

export interface WindowCheck {
  ok: boolean;
  record: WindowRecord;
  /** Why the window could not be used, and what to do, when it failed. */
  error?: OperatorError;
}

/** At most this many remediation steps: a check says what is wrong within seconds instead of repairing at length. */
const CHECK_REMEDIATION_STEPS = 2;

/**
 * One window as the job starts them, on a copy of a snapshot of the closed base profile (the
 * base profile itself is only read), headless, and held to every proof the job knows:
 * session (VM-001), introspection (VM-002) and checksum (VM-003). Everything it made goes
 * when it ends.
 */
export async function checkWindow(settings: Settings, base: BaseProfile, log: (message: string) => void): Promise<WindowCheck> {
  const session = sessionPaths((await createSessionDir({ root: privateTempRoot() })).path);
  try {
    const snapshot = await takeSnapshot(base, session.snapshotUdd, { manifestPath: session.snapshotManifest });
    const window = new BrowserWindow({
      settings: {
        ...settings,
        headless: true,
        profilePolicy: 'all-clones',
        verifyMethods: ['session', 'introspection', 'checksum'],
        remediationMaxAttempts: Math.min(settings.remediationMaxAttempts, CHECK_REMEDIATION_STEPS),
      },
      parallelIndex: 0,
      workerIndex: 0,
      base,
      snapshot,
      clones: { dir: session.clonesDir, slotsDir: session.cloneSlotsDir, slotLimit: 1 },
      // One window and no load governor: its launch never waits.
      launches: { slotsDir: session.launchSlotsDir, limit: 1, mayLaunch: () => true },
      downloadsDir: session.browserDownloadsDir('check', 0),
      records: new WindowRecordStore(path.join(session.dir, 'windows')),
      // A clone: the base profile is never opened, so neither its cookie guard nor its backup acts.
      baseOpened: { isSet: () => false, set: () => undefined },
      cookieBackup: new CookieBackup(settings.cookieBackupDir, base, snapshot.createdAt),
      // This command runs under tsx, the job's page code expects Playwright's transform.
      pageScripts: [TSX_PAGE_HELPERS],
      log,
    });
    try {
      await window.start();
      return { ok: true, record: window.record };
    } catch (error) {
      if (!(error instanceof OperatorError)) throw error;
      return { ok: false, record: window.record, error };
    } finally {
      await window.close();
    }
  } finally {
    fs.rmSync(session.dir, { recursive: true, force: true, maxRetries: 5 });
  }
}
