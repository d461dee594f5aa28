import fs from 'node:fs';
import type { FullConfig } from '@playwright/test';
import { buildJobPlan } from '../input/job-plan.js';
import { readInput } from '../input/read-input.js';
import { resolveBrowser } from '../profile/browser-launch.js';
import { createSessionDir, sweepStaleDirs } from '../profile/private-temp.js';
import { describeHolder, waitForProfileFree } from '../profile/profile-in-use.js';
import { resolveBaseProfile, type BaseProfile } from '../profile/profile-locator.js';
import { SnapshotInconsistentError, takeSnapshot, type SnapshotManifest } from '../profile/profile-snapshot.js';
import { abandonRunFolder, leaveRunFolder } from '../run-state/run-folder.js';
import { testHooks } from '../run-state/run-handle.js';
import { privateTempRoot, sessionPaths, type SessionPaths } from '../run-state/run-paths.js';
import { RunState } from '../run-state/run-state.js';
import { exitWithOperatorError, OperatorError, RUN_NOT_STARTED } from '../shared/operator-error.js';
import { showDetail } from '../progress/run-log.js';
import { loadSettings } from '../settings.js';
import { lockBaseProfile } from './base-profile-lock.js';
import { freezePlan } from './frozen-plan.js';
import { startRunLoadGovernor } from './run-load-governor.js';

const say = (message: string) => showDetail(`[setup] ${message}\n`, (line) => process.stdout.write(line));

/**
 * Everything that must hold before the first window starts, in one place: settings,
 * input (read and parsed here, once per run), browser, base profile (found, not held by
 * another browser or run), one snapshot of it for all clones, the frozen list of POs, and
 * the load governor. Any problem stops the run here with a message that names the file,
 * row or setting; no browser has started. Returns the run's end (Playwright's global
 * teardown): reports and summaries, then the session folder and the locks go.
 */
async function prepareRun(config: FullConfig, published: RunState): Promise<() => Promise<void>> {
  const startedAt = new Date();
  // What an earlier run in this folder left for the terminal is not this run's.
  fs.rmSync(published.paths.closingFile, { force: true });
  const settings = loadSettings();
  // Checked here, before any browser starts, like every other setting.
  const hooks = testHooks();
  const table = await readInput(settings.inputCsv);
  const plan = buildJobPlan(table);
  const browser = resolveBrowser(settings);
  const base = resolveBaseProfile({ userDataDir: settings.edgeProfileDir, profileName: settings.edgeProfileName });
  say(`input ${settings.inputCsv}: ${plan.pos.length} PO(s), ${plan.invalidRows.length} invalid row(s), ${plan.completedRows.length} already COMPLETED`);
  say(`browser: ${browser.description}; base profile: ${base.profileDir}; policy ${settings.profilePolicy}; ${config.workers} window(s)`);

  const sweep = await sweepStaleDirs({ root: privateTempRoot() });
  if (sweep.removed.length) say(`removed ${sweep.removed.length} profile clone folder(s) left behind by a crashed run`);

  const cleanups: (() => Promise<void>)[] = [];
  const cleanup = async () => {
    for (const step of cleanups.reverse()) await step().catch(() => undefined);
    cleanups.length = 0;
  };
  try {
    if (settings.profilePolicy === 'base-first') {
      const release = await lockBaseProfile(base.userDataDir, {
        runRoot: published.paths.runRoot,
        waitMs: settings.profileInUseWaitMs,
        onWait: (owner, waited) =>
          say(`base profile is used by another run${owner ? ` (process ${owner.pid})` : ''}; waiting (${Math.round(waited / 1000)} s)`),
        onLost: (message) => process.stderr.write(`[run] ${message}\n`),
      });
      cleanups.push(release);
    }

    const session = sessionPaths((await createSessionDir({ root: privateTempRoot() })).path);
    const removeSession = () => fs.rmSync(session.dir, { recursive: true, force: true, maxRetries: 5 });
    // A run stopped by a signal or an uncaught error must not leave a copy of the user's session on disk.
    process.once('exit', removeSession);
    cleanups.push(async () => {
      process.removeListener('exit', removeSession);
      removeSession();
    });
    const manifest = await snapshotWhenClosed(base, session, settings.profileInUseWaitMs);
    say(
      `snapshot of the base profile: ${manifest.copiedFiles} files, ${(manifest.copiedBytes / 1e6).toFixed(1)} MB ` +
        `(${(manifest.excludedBytes / 1e6).toFixed(1)} MB of caches left out) in ${manifest.timings.totalMs} ms`,
    );

    const frozen = freezePlan(published, table, plan);
    if (frozen.alreadySettled.length) say(`resuming: ${frozen.alreadySettled.length} PO(s) already done in ${published.paths.runRoot}`);
    if (frozen.pos.length === 0) {
      // Playwright treats "no tests" as an error; for the operator it means there is nothing left to do.
      const { writeFinalReport } = await import('./final-report.js');
      const report = await writeFinalReport(published);
      process.stdout.write(`Nothing to process: every PO of the input is done or invalid. Report: ${report.reportFile}\n`);
      await cleanup();
      process.exit(0);
    }
    const state = published.withSession(session.dir);
    state.publish();
    const windows = Math.min(config.workers, frozen.pos.length);
    const governor = await startRunLoadGovernor(state, settings, { workers: config.workers, windows, signalFile: hooks.loadSignalFile }, (message) =>
      process.stderr.write(`[load] ${message}\n`),
    );
    return async () => {
      try {
        // The reports' modules load at the end only: loading them first delayed every worker's start (~0.3 CPU-s in the runner).
        const { closeRun } = await import('./run-closing.js');
        await closeRun({ state, settings, config, plan: frozen, startedAt, load: await governor.stop() });
      } finally {
        leaveRunFolder(state.handle);
        await cleanup();
      }
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/**
 * One consistent copy of the closed base profile. A browser that just let go of the
 * profile may still be writing its last files for a moment: a copy that saw a file change
 * is thrown away and taken again.
 */
async function snapshotWhenClosed(base: BaseProfile, session: SessionPaths, waitMs: number): Promise<SnapshotManifest> {
  for (let attempt = 1; ; attempt++) {
    await waitForProfileFree(base.userDataDir, {
      timeoutMs: waitMs,
      onWait: (holder, waited) => say(`base profile is open in ${describeHolder(holder)}; waiting for it to close (${Math.round(waited / 1000)} s)`),
    });
    try {
      return await takeSnapshot(base, session.snapshotUdd, { manifestPath: session.snapshotManifest });
    } catch (error) {
      if (!(error instanceof SnapshotInconsistentError) || attempt >= 5) throw error;
      say(`the base profile was still being written while it was copied; copying again (${attempt + 1} of 5)`);
      await new Promise((r) => setTimeout(r, 1_000 * attempt));
    }
  }
}

export default async function jobGlobalSetup(config: FullConfig): Promise<() => Promise<void>> {
  const published = RunState.published();
  try {
    if (!published) throw new OperatorError('The run folder was not decided by playwright.config.ts.', 'Start the job with `npx playwright test`.');
    return await prepareRun(config, published);
  } catch (error) {
    if (!(error instanceof OperatorError)) throw error;
    if (published) abandonRunFolder(published.handle);
    exitWithOperatorError(error, RUN_NOT_STARTED);
  }
}
