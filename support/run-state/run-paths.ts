import os from 'node:os';
import path from 'node:path';

/**
 * Every file and folder a run keeps its state in, in one place. Three homes:
 * - the run folder (`<DOWNLOAD_DIR>/<date>_CoupaDownloads`): what the operator keeps (downloads,
 *   reports) and, in `.run-state/`, what a resumed run needs (journal, plan, window records);
 * - the download folder's `.coupa-downloads/`: what runs sharing the folder agree on (which run
 *   folder belongs to an input, which PO is being processed);
 * - the run's private session folder in the temp folder (mode 0700): copies of the signed-in
 *   profile and the workers' exchange, removed when the run ends.
 */
export interface RunPaths {
  runRoot: string;
  stateDir: string;
  journalFile: string;
  planFile: string;
  /** The input as the global setup read it, for the final report. */
  reportBasisFile: string;
  windowsDir: string;
  /** Settled results, one file per PO, shared by runs working in this folder at the same time. */
  settledDir: string;
  progressDir: string;
  loadGateFile: string;
  loadSamplesFile: string;
  /** Runs working in this folder now, one file each. */
  membersDir: string;
  /** What the end of the run wrote for the terminal (summary, outcome). */
  closingFile: string;
  testOutputDir: string;
  htmlReportDir: string;
  allureResultsDir: string;
  /** Made by `npm run report` from the Allure results. */
  allureReportDir: string;
  blobReportDir: string;
  windowSummaryFile: string;
  runSummaryFile: string;
  /** The picture of the run: a lane per window, the load below. */
  timelineFile: string;
  /** Everything the terminal showed, without the live progress block's redraws. */
  runLogFile: string;
}

export function runPaths(runRoot: string): RunPaths {
  const stateDir = path.join(runRoot, '.run-state');
  const state = (name: string) => path.join(stateDir, name);
  return {
    runRoot,
    stateDir,
    journalFile: state('journal.jsonl'),
    planFile: state('plan.json'),
    reportBasisFile: state('report-basis.json'),
    windowsDir: state('windows'),
    settledDir: state('settled'),
    progressDir: state('progress'),
    loadGateFile: state('load-gate.json'),
    loadSamplesFile: state('load-samples.json'),
    membersDir: state('members'),
    closingFile: state('closing.json'),
    testOutputDir: state('test-output'),
    htmlReportDir: path.join(runRoot, 'playwright-report'),
    allureResultsDir: path.join(runRoot, 'allure-results'),
    allureReportDir: path.join(runRoot, 'allure-report'),
    blobReportDir: path.join(runRoot, 'blob-report'),
    windowSummaryFile: path.join(runRoot, 'window-summary.json'),
    runSummaryFile: path.join(runRoot, 'run-summary.json'),
    timelineFile: path.join(runRoot, 'timeline.html'),
    runLogFile: path.join(runRoot, 'run.log'),
  };
}

export interface DownloadFolderPaths {
  /** Which run folder belongs to this input (by the SHA-256 of its bytes) and whether it finished. */
  runRecordFile: string;
  poLockDir: (poId: string) => string;
}

export function downloadFolderPaths(downloadDir: string, inputSha256: string): DownloadFolderPaths {
  const shared = path.join(downloadDir, '.coupa-downloads');
  return {
    runRecordFile: path.join(shared, 'runs', `${inputSha256.slice(0, 32)}.json`),
    poLockDir: (poId) => path.join(shared, 'po-locks', `${poId}.lock`),
  };
}

export interface SessionPaths {
  dir: string;
  snapshotUdd: string;
  snapshotManifest: string;
  clonesDir: string;
  cloneSlotsDir: string;
  /** The launch queue shared by the run's workers: launch slots, waiting tickets, ranks that launched. */
  launchSlotsDir: string;
  /** Set once window A's browser opened the base profile in this run. */
  baseOpenedMarker: string;
  faultMarkersDir: string;
  /** The hand-over exchange between windows: POs offered, windows retired, windows working. */
  handoff: { offersDir: string; retiredDir: string; workingDir: string };
  /** Results of this run by PO, for the window or the retried test waiting for one. */
  handbackDir: string;
  /** Attempts of each PO in this run (started, failed and in which window). */
  attemptsDir: string;
  browserDownloadsDir: (window: string, workerIndex: number) => string;
}

export function sessionPaths(sessionDir: string): SessionPaths {
  const handoffDir = path.join(sessionDir, 'handoff');
  const snapshotDir = path.join(sessionDir, 'snapshot');
  return {
    dir: sessionDir,
    snapshotUdd: path.join(snapshotDir, 'User Data'),
    snapshotManifest: path.join(snapshotDir, 'manifest.json'),
    clonesDir: path.join(sessionDir, 'clones'),
    cloneSlotsDir: path.join(sessionDir, 'clone-slots'),
    launchSlotsDir: path.join(sessionDir, 'launch-slots'),
    baseOpenedMarker: path.join(sessionDir, 'base-profile-opened'),
    faultMarkersDir: path.join(sessionDir, 'injected-faults'),
    handoff: {
      offersDir: path.join(handoffDir, 'offers'),
      retiredDir: path.join(handoffDir, 'retired'),
      workingDir: path.join(handoffDir, 'working-windows'),
    },
    handbackDir: path.join(handoffDir, 'results'),
    attemptsDir: path.join(sessionDir, 'attempts'),
    browserDownloadsDir: (window, workerIndex) => path.join(sessionDir, 'browser-downloads', `${window}-w${workerIndex}`),
  };
}

/** Our folder in the temp folder, per user: session folders of runs, and the base-profile locks. */
export function privateTempRoot(): string {
  const who = typeof process.getuid === 'function' ? String(process.getuid()) : os.userInfo().username.replace(/[^\w.-]/g, '_');
  return path.join(os.tmpdir(), `coupa-downloads-${who}`);
}

/** One lock per base profile, in our private temp folder, never inside the browser's own folders. */
export function baseProfileLockDir(profileKey: string): string {
  return path.join(privateTempRoot(), 'locks', `base-profile-${profileKey}.lock`);
}
