import fs from 'node:fs';
import path from 'node:path';
import type { PoJobContext } from '../coupa/po-context.js';
import { processPo } from '../coupa/po-processor.js';
import type { PlannedPo } from '../input/job-plan.js';
import { ResultJournal } from '../output/journal.js';
import { resultWithoutFiles, type PoResult } from '../po-result.js';
import type { Settings } from '../settings.js';
import type { BrowserWindow } from '../window/browser-window.js';
import type { WindowLog } from '../window/window-identity.js';
import type { PoHandoff } from './po-handoff.js';
import { PoLocks } from './po-lock.js';
import type { RunLocation } from './run-location.js';
import { SettledResults } from './settled-results.js';
import type { WindowProgressPublisher } from '../progress/window-progress-channel.js';

export type StepRunner = PoJobContext['step'];

/**
 * Processes POs in one working window: its own POs and those handed over by windows that
 * cannot work. Every result is journaled (the resume point) and kept in the hand-off
 * exchange, so a retried test finds its PO already done instead of doing it twice.
 */
export class PoRunner {
  private readonly journal: ResultJournal;
  private readonly locks: PoLocks;
  private readonly settled: SettledResults;

  constructor(
    private readonly deps: {
      window: BrowserWindow;
      settings: Settings;
      location: RunLocation;
      handoff: PoHandoff;
      log: WindowLog;
      progress: WindowProgressPublisher;
    },
  ) {
    this.journal = new ResultJournal(deps.location.journalFile);
    this.locks = PoLocks.forDownloadDir(deps.settings.downloadDir, { runRoot: deps.location.runRoot, window: deps.window.letter });
    this.settled = new SettledResults(deps.location.settledDir);
  }

  /**
   * Processes a PO under its lock. A PO another run holds is reported LOCKED (not waited
   * for, never downloaded twice); a PO another run finished meanwhile is taken as done.
   */
  async process(po: PlannedPo, step: StepRunner): Promise<PoResult> {
    const { window, log, handoff } = this.deps;
    const lock = await this.locks.acquire(po.id);
    if (!lock.acquired) {
      const owner = lock.owner;
      const result = lockedResult(po, window.letter, owner ? `process ${owner.pid} on ${owner.host}, window ${owner.window}, run folder ${owner.runRoot}` : 'another run');
      log(`PO ${po.poNumber}: locked by ${result.errorMessage.replace(/^.*locked by /, '')}; left to it`);
      this.journal.append(result);
      handoff.complete(po.id, result);
      return result;
    }
    try {
      const earlier = this.settled.get(po.id);
      if (earlier) {
        log(`PO ${po.poNumber}: already ${earlier.status} by window ${earlier.window} of another run; not done again`);
        handoff.complete(po.id, earlier);
        return earlier;
      }
      return await this.processLocked(po, step);
    } finally {
      await lock.release();
    }
  }

  private async processLocked(po: PlannedPo, step: StepRunner): Promise<PoResult> {
    const { window, settings, location, log, handoff, progress } = this.deps;
    const runRoot = location.runRoot;
    progress.publish({ state: 'working', poNumber: po.poNumber });
    try {
      await window.injectFaultsBeforePo();
      const result = await processPo(
        {
          page: window.page,
          settings,
          runRoot,
          window: window.letter,
          log,
          step,
          onFile: (file) => progress.publish({ state: 'working', poNumber: po.poNumber, file }),
        },
        po,
      );
      this.journal.append(result);
      this.settled.put(result);
      handoff.complete(po.id, result);
      window.record.posDone++;
      return result;
    } catch (error) {
      window.record.posFailed++;
      throw error;
    } finally {
      window.save();
      progress.publish({ state: 'idle' });
    }
  }

  /** Processes every PO other windows handed over, one at a time; returns how many. */
  async serveHandoffs(step: StepRunner, beforeEach: () => void = () => undefined): Promise<number> {
    const { handoff, window, log } = this.deps;
    let served = 0;
    for (let claim = handoff.claimNext(window.letter); claim; claim = handoff.claimNext(window.letter)) {
      beforeEach();
      log(`PO ${claim.po.poNumber}: taken over from window ${claim.from}`);
      try {
        await this.process(claim.po, step);
        served++;
      } catch (error) {
        handoff.release(claim.po.id);
        throw error;
      }
    }
    return served;
  }
}

function lockedResult(po: PlannedPo, window: string, holder: string): PoResult {
  return resultWithoutFiles(po, { status: 'LOCKED', window, errorMessage: `Not processed: at that moment the PO was locked by ${holder}` });
}

/**
 * Attempts of a PO that ended in a window fault, so that its retry goes to another window
 * (FR-007: the failed worker is restarted, the PO is retried on a different worker).
 */
export class FailedAttempts {
  constructor(private readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  record(poId: string, window: string): void {
    fs.appendFileSync(path.join(this.dir, `${poId}.log`), `${window}\n`);
  }

  windows(poId: string): string[] {
    try {
      return fs.readFileSync(path.join(this.dir, `${poId}.log`), 'utf8').split('\n').filter(Boolean);
    } catch {
      return [];
    }
  }
}

/** Hands a PO over and waits for a working window to return its result. */
export async function handOver(
  po: PlannedPo,
  from: string,
  deps: { handoff: PoHandoff; log: WindowLog; why: string; noTakerTimeoutMs?: number },
): Promise<PoResult> {
  const { handoff, log } = deps;
  handoff.offer(po, from);
  log(`PO ${po.poNumber}: handed over to a working window (${deps.why})`);
  const noTakerTimeoutMs = deps.noTakerTimeoutMs ?? 20_000;
  let lonelySince: number | undefined;
  for (;;) {
    const result = handoff.result(po.id);
    if (result) return result;
    const claimed = handoff.isClaimed(po.id);
    // A window that took the PO and then failed releases it: offer it again.
    if (!claimed && !handoff.hasOffer(po.id)) handoff.offer(po, from);
    if (claimed || handoff.workingWindows().length > 0) {
      lonelySince = undefined;
    } else {
      lonelySince ??= Date.now();
      if (Date.now() - lonelySince > noTakerTimeoutMs) {
        handoff.withdraw(po.id);
        throw new Error(`no working window is left to take PO ${po.poNumber} (${deps.why})`);
      }
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
