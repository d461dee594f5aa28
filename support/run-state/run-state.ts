import { OperatorError } from '../shared/operator-error.js';
import { firstFaultHit } from './fault-markers.js';
import { PoHandoff } from './handoff-exchange.js';
import { publishedRunHandle, publishRunHandle, testHooks, type InjectedFaults, type FaultKind, type RunHandle } from './run-handle.js';
import { downloadFolderPaths, runPaths, sessionPaths, type DownloadFolderPaths, type RunPaths, type SessionPaths } from './run-paths.js';
import { ResultStore } from './result-store.js';
import { WindowProgressFiles } from './window-progress-files.js';
import { WindowRecordStore } from './window-records.js';

/**
 * A run as any of its processes sees it: where its state lives and the stores that read and
 * write it. Built from the run handle the runner published in the environment.
 */
export class RunState {
  readonly paths: RunPaths;
  readonly download: DownloadFolderPaths;

  constructor(readonly handle: RunHandle) {
    this.paths = runPaths(handle.runRoot);
    this.download = downloadFolderPaths(handle.downloadDir, handle.inputSha256);
  }

  /** The run of this process, if the runner has decided it (not under `--list`). */
  static published(env: NodeJS.ProcessEnv = process.env): RunState | undefined {
    const handle = publishedRunHandle(env);
    return handle ? new RunState(handle) : undefined;
  }

  /** The run a worker belongs to, prepared by the global setup (snapshot taken, plan frozen). */
  static prepared(env: NodeJS.ProcessEnv = process.env): RunState {
    const state = RunState.published(env);
    if (!state?.isPrepared) {
      throw new OperatorError(
        'This process found no prepared run (run folder, profile snapshot): the job\'s global setup did not run.',
        'Start the job with `npx playwright test` from the project folder (it uses playwright.config.ts).',
      );
    }
    return state;
  }

  publish(env: NodeJS.ProcessEnv = process.env): void {
    publishRunHandle(this.handle, env);
  }

  /** The same run with its session folder: the snapshot is taken and the plan frozen. */
  withSession(sessionDir: string): RunState {
    return new RunState({ ...this.handle, sessionDir });
  }

  get isPrepared(): boolean {
    return this.handle.sessionDir !== undefined;
  }

  get session(): SessionPaths {
    if (!this.handle.sessionDir) throw new Error('the run has no session folder before its global setup prepared it');
    return sessionPaths(this.handle.sessionDir);
  }

  results(): ResultStore {
    const session = this.session;
    return new ResultStore({
      journalFile: this.paths.journalFile,
      settledDir: this.paths.settledDir,
      handbackDir: session.handbackDir,
      attemptsDir: session.attemptsDir,
    });
  }

  handoff(): PoHandoff {
    return new PoHandoff(this.session.handoff);
  }

  windowRecords(): WindowRecordStore {
    return new WindowRecordStore(this.paths.windowsDir);
  }

  progressFiles(): WindowProgressFiles {
    return new WindowProgressFiles(this.paths.progressDir);
  }

  /** The test suite's injected faults, "once" faults remembered in this run's private folder. */
  faultHooks(env: NodeJS.ProcessEnv = process.env): { faults: InjectedFaults; firstHit: (kind: FaultKind, window: string) => boolean } {
    return { faults: testHooks(env).faults, firstHit: firstFaultHit(this.session.faultMarkersDir) };
  }
}
