import type { Page } from '@playwright/test';
import type { PoJobContext, ProcessorSettings } from '../coupa/po-context.js';
import { processPo } from '../coupa/po-processor.js';
import type { PlannedPo } from '../input/job-plan.js';
import { resultWithoutFiles, type PoResult } from '../po-result.js';
import type { WindowProgressPublisher } from '../progress/window-progress-channel.js';
import type { PoHandoff } from '../run-state/handoff-exchange.js';
import type { ResultStore } from '../run-state/result-store.js';
import { LockLostError, type HeldLock } from '../shared/owned-lock.js';
import type { WindowLog } from '../window/window-identity.js';
import { describeHolder, type PoLocks } from './po-lock.js';
import { replaySteps, StepRecorder } from './po-steps.js';

export type StepRunner = PoJobContext['step'];

/** What the runner needs of a window: its page, its record's PO counts, and what it does before each PO. */
export interface RunnerWindow {
  readonly letter: string;
  readonly page: Page;
  /** Aborted when the window's browser closes: the PO stops and records nothing. */
  readonly signal: AbortSignal;
  readonly record: { posDone: number; posFailed: number };
  save(): void;
  beforePo(): Promise<void>;
}

export interface PoRunnerDeps {
  window: RunnerWindow;
  settings: ProcessorSettings;
  runRoot: string;
  results: ResultStore;
  locks: PoLocks;
  handoff: PoHandoff;
  log: WindowLog;
  progress: Pick<WindowProgressPublisher, 'publish'>;
  /** What processing a PO on the window's page means; the real one unless a test gives its own. */
  processPo?: typeof processPo;
}

/**
 * Processes POs in one working window: its own POs and those handed over by windows that
 * cannot work. Every result goes to the result store (journaled: the resume point; handed
 * back, so a retried test finds its PO already done instead of doing it twice).
 */
export class PoRunner {
  constructor(private readonly deps: PoRunnerDeps) {}

  /**
   * Processes a PO under its lock. A PO another run holds is reported LOCKED (not waited
   * for, never downloaded twice); a PO another run finished meanwhile is taken as done.
   * Its steps go to the test it runs in, or, recorded, with its result (a hand-over).
   */
  async process(po: PlannedPo, steps: StepRunner | StepRecorder): Promise<PoResult> {
    const { window, log, handoff, results } = this.deps;
    const lock = await this.deps.locks.acquire(po.id);
    if (!lock.acquired) {
      const result = lockedResult(po, window.letter, `Not processed: at that moment the PO was locked by ${lock.holder}`);
      log(`PO ${po.poNumber}: locked by ${lock.holder}; left to it`);
      results.finish(result);
      handoff.release(po.id);
      return result;
    }
    try {
      const earlier = results.settledInFolder(po.id);
      if (earlier) {
        log(`PO ${po.poNumber}: already ${earlier.status} by window ${earlier.window} of another run; not done again`);
        results.adopt(earlier);
        handoff.release(po.id);
        return earlier;
      }
      return await this.processLocked(po, steps, lock.lock);
    } finally {
      await lock.lock.release();
    }
  }

  private async processLocked(po: PlannedPo, steps: StepRunner | StepRecorder, lock: HeldLock): Promise<PoResult> {
    const { window, settings, log, handoff, progress, results } = this.deps;
    progress.publish({ state: 'working', poNumber: po.poNumber });
    const step = steps instanceof StepRecorder ? steps.step : steps;
    // Each step of the PO starts and ends with the lock still this window's: a PO whose lock
    // another run took over stops before it writes anything more (its folder is the new holder's).
    // Likewise a PO whose window's browser closed under it (its time limit was exceeded, it
    // crashed): its attempt is already counted, so it neither goes on nor records a result.
    const stillOurs = () => {
      window.signal.throwIfAborted();
      lock.assertHeld();
    };
    const guarded: StepRunner = async (title, body) => {
      stillOurs();
      const value = await step(title, body);
      stillOurs();
      return value;
    };
    try {
      await window.beforePo();
      let result: PoResult;
      try {
        result = await (this.deps.processPo ?? processPo)(
          {
            page: window.page,
            settings,
            runRoot: this.deps.runRoot,
            window: window.letter,
            log,
            step: guarded,
            signal: window.signal,
            onFile: (file) => progress.publish({ state: 'working', poNumber: po.poNumber, file }),
          },
          po,
        );
        window.record.posDone++;
      } catch (error) {
        if (!(error instanceof LockLostError)) throw error;
        const holder = describeHolder(error.owner);
        log(`PO ${po.poNumber}: its lock was taken over by ${holder}; stopped`);
        result = lockedResult(po, window.letter, `Stopped: the PO's lock was taken over by ${holder} while window ${window.letter} processed it`);
      }
      window.signal.throwIfAborted();
      results.finish(result, steps instanceof StepRecorder ? steps.steps : undefined);
      handoff.release(po.id);
      return result;
    } catch (error) {
      window.record.posFailed++;
      throw error;
    } finally {
      window.save();
      progress.publish({ state: 'idle' });
    }
  }

  /**
   * Processes every PO other windows handed over, one at a time; returns how many. Their
   * steps are recorded with their results for their own tests; `around` may wrap each one
   * (the serving test shows one step per PO it served, and gives it time).
   */
  async serveHandoffs(around: (claim: { po: PlannedPo; from: string }, serve: () => Promise<PoResult>) => Promise<unknown> = (_claim, serve) => serve()): Promise<number> {
    const { handoff, window, log } = this.deps;
    let served = 0;
    for (let claim = handoff.claimNext(window.letter); claim; claim = handoff.claimNext(window.letter)) {
      log(`PO ${claim.po.poNumber}: taken over from window ${claim.from}`);
      const po = claim.po;
      try {
        await around(claim, () => this.process(po, new StepRecorder()));
        served++;
      } catch (error) {
        handoff.release(po.id);
        throw error;
      }
    }
    return served;
  }
}

function lockedResult(po: PlannedPo, window: string, errorMessage: string): PoResult {
  return resultWithoutFiles(po, { status: 'LOCKED', window, errorMessage });
}

interface HandOverDeps {
  handoff: PoHandoff;
  results: Pick<ResultStore, 'thisRun' | 'stepsOf'>;
  log: WindowLog;
  why: string;
  /** The waiting test's steps: the steps the serving window recorded are replayed there, as the PO's own. */
  step?: StepRunner;
  /** How long the PO may wait with no other working window before the hand-over ends. Default 20 s. */
  noTakerTimeoutMs?: number;
  pollMs?: number;
}

/**
 * Hands a PO over and waits for another working window to return its result (and its steps,
 * replayed in the waiting test); a window never takes back what it offered. With no other working window left for `noTakerTimeoutMs`, a
 * window that cannot work fails the PO's attempt; a working window that only preferred
 * another one (`takeBack`) gets the PO back (undefined) and processes it itself.
 */
export async function handOver(po: PlannedPo, from: string, deps: HandOverDeps): Promise<PoResult>;
export async function handOver(po: PlannedPo, from: string, deps: HandOverDeps & { takeBack: true }): Promise<PoResult | undefined>;
export async function handOver(po: PlannedPo, from: string, deps: HandOverDeps & { takeBack?: boolean }): Promise<PoResult | undefined> {
  const { handoff, log } = deps;
  handoff.offer(po, from);
  log(`PO ${po.poNumber}: handed over to a working window (${deps.why})`);
  const noTakerTimeoutMs = deps.noTakerTimeoutMs ?? 20_000;
  let lonelySince: number | undefined;
  for (;;) {
    const result = deps.results.thisRun(po.id);
    if (result) {
      const steps = deps.results.stepsOf(po.id);
      if (deps.step && steps.length) {
        const replay = deps.step;
        await replay(`Processed by window ${result.window} for window ${from}`, () => replaySteps(steps, replay));
      }
      return result;
    }
    const claimed = handoff.isClaimed(po.id);
    // A window that took the PO and then failed releases it: offer it again.
    if (!claimed && !handoff.hasOffer(po.id)) handoff.offer(po, from);
    if (claimed || handoff.workingWindows().some((w) => w !== from)) {
      lonelySince = undefined;
    } else {
      lonelySince ??= Date.now();
      if (Date.now() - lonelySince > noTakerTimeoutMs && handoff.withdraw(po.id)) {
        if (deps.takeBack) {
          log(`PO ${po.poNumber}: no other window is left to take it; processed here after all`);
          return undefined;
        }
        throw new Error(`no working window is left to take PO ${po.poNumber} (${deps.why})`);
      }
    }
    await new Promise((r) => setTimeout(r, deps.pollMs ?? 200));
  }
}
