import fs from 'node:fs';
import path from 'node:path';
import type { BrowserContext } from '@playwright/test';
import type { ResolvedBrowser } from '../profile/browser-launch.js';
import type { FaultKind, InjectedFaults } from '../run-state/run-handle.js';
import { cookieStoreIn } from '../profile/profile-locator.js';
import type { WindowLog } from './window-identity.js';

/**
 * The points where the acceptance tests break one window on purpose, to prove that
 * verification catches the fault and remediation repairs that window alone. The window
 * calls these hooks when it is given some; the fixtures give it some only in a test run.
 */
export interface WindowFaultHooks {
  /** Called once per clone copy; the callback it returns sees the count of copied files and may throw to stop the copy part-way. */
  onCloneCopy(): ((copiedFiles: number) => void) | undefined;
  /** After a clone was copied, with the clone's profile folder. */
  afterClone(profileDir: string): void;
  /** The browser to start instead of the resolved one. */
  browserFor(browser: ResolvedBrowser): ResolvedBrowser;
  afterLaunch(context: BrowserContext): Promise<void>;
  beforePo(context: BrowserContext): Promise<void>;
}

/**
 * Test faults clear cookies, so they act only on a profile the test harness made: its user
 * data folder carries this file, which holds that folder's own path and which nothing but
 * the harness writes (a snapshot or clone never copies the user data folder's root). An
 * operator's profile never has it: COUPA_TEST_FAULTS set by mistake does nothing there, and
 * no fault can ever clear a real profile's cookies.
 */
export const TEST_PROFILE_MARKER = '.coupa-downloads-test-profile';

export function markTestProfile(userDataDir: string): void {
  fs.writeFileSync(path.join(userDataDir, TEST_PROFILE_MARKER), JSON.stringify({ userDataDir: path.resolve(userDataDir) }));
}

function isTestProfile(userDataDir: string): boolean {
  try {
    const marker = JSON.parse(fs.readFileSync(path.join(userDataDir, TEST_PROFILE_MARKER), 'utf8')) as { userDataDir?: unknown };
    return marker.userDataDir === path.resolve(userDataDir);
  } catch {
    return false;
  }
}

/**
 * The fault hooks of one window, or none: when COUPA_TEST_FAULTS is unset, or when the base
 * profile is not a test profile (then the window says it ignores them).
 */
export function testFaultsFor(options: {
  /** As the run state read them from the test suite's hook (COUPA_TEST_FAULTS). */
  faults: InjectedFaults;
  /** True the first time a "once" fault is asked for in this run, across worker restarts. */
  firstHit: (kind: FaultKind, window: string) => boolean;
  baseUserDataDir: string;
  letter: string;
  log: WindowLog;
}): WindowFaultHooks | undefined {
  if (Object.keys(options.faults).length === 0) return undefined;
  if (!isTestProfile(options.baseUserDataDir)) {
    options.log('test faults are ignored: they act only on a profile made by the test suite');
    return undefined;
  }
  return new TestFaults(options.faults, options.letter, options.firstHit, options.log);
}

const FILES_BEFORE_INTERRUPTION = 3;

class TestFaults implements WindowFaultHooks {
  constructor(
    private readonly faults: InjectedFaults,
    private readonly letter: string,
    private readonly firstHit: (kind: FaultKind, window: string) => boolean,
    private readonly log: WindowLog,
  ) {}

  /** Whether `kind` hits this window now; a "once" fault is spent by its first hit. */
  private hits(kind: FaultKind): boolean {
    const frequency = this.faults[kind]?.[this.letter];
    if (!frequency) return false;
    return frequency === 'always' || this.firstHit(kind, this.letter);
  }

  onCloneCopy(): ((copiedFiles: number) => void) | undefined {
    if (!this.hits('interruptCloneCopy')) return undefined;
    return (copiedFiles) => {
      if (copiedFiles < FILES_BEFORE_INTERRUPTION) return;
      this.log(`test fault injected: the clone copy stops after ${copiedFiles} files`);
      throw new Error('test fault: the clone copy was interrupted part-way');
    };
  }

  afterClone(profileDir: string): void {
    if (!this.hits('corruptClone')) return;
    const store = cookieStoreIn(profileDir);
    if (store) fs.rmSync(path.join(profileDir, store), { force: true });
    this.log('test fault injected: the clone\'s cookie store was deleted after cloning');
  }

  browserFor(browser: ResolvedBrowser): ResolvedBrowser {
    if (!this.hits('failLaunch')) return browser;
    this.log('test fault injected: a program that is not a browser is started in its place');
    return { executablePath: process.execPath, description: `${process.execPath} (test fault: not a browser)`, fallback: false };
  }

  async afterLaunch(context: BrowserContext): Promise<void> {
    if (!this.hits('signOutAfterLaunch')) return;
    await context.clearCookies();
    this.log('test fault injected: every cookie of the window was dropped after launch');
  }

  async beforePo(context: BrowserContext): Promise<void> {
    if (!this.hits('signOutBeforePo')) return;
    await context.clearCookies();
    this.log('test fault injected: every cookie of the window was dropped before this PO');
  }
}
