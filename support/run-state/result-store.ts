import fs from 'node:fs';
import path from 'node:path';
import fse from 'fs-extra';
import { z } from 'zod';
import type { PoResult } from '../po-result.js';
import { jsonText, writeFileAtomicSync } from '../shared/atomic-file.js';
import { readJsonIfValid } from '../shared/json-record.js';
import { journalEntryIsSettled, ResultJournal, type JournalContents } from './journal.js';
import { poResultSchema } from './po-result-schema.js';
import { recordedStepsSchema, type RecordedStep } from './recorded-steps.js';

/**
 * Where a PO's outcome goes, once: the journal (the resume point, fsynced, torn-line
 * tolerant), the settled results of the run folder (so a run working in the same folder at
 * the same time takes a PO it finds settled as done), and this run's hand-backs (so a
 * retried test or a window that handed the PO over finds its result). Attempts of each PO
 * are kept here too, so the end of the run can journal a PO whose window died on every try.
 */
export interface ResultStorePaths {
  journalFile: string;
  settledDir: string;
  handbackDir: string;
  attemptsDir: string;
}

const attemptSchema = z.discriminatedUnion('event', [
  z.object({ event: z.literal('started'), window: z.string(), retry: z.number().int().nonnegative(), at: z.string() }),
  z.object({ event: z.literal('failed'), window: z.string(), reason: z.string(), at: z.string() }),
]);
export type AttemptEvent = z.infer<typeof attemptSchema>;

export class ResultStore {
  private readonly journal: ResultJournal;

  constructor(private readonly paths: ResultStorePaths) {
    this.journal = new ResultJournal(paths.journalFile);
  }

  /**
   * A PO this run finished (or gave up): journaled, shared once settled, handed back. A PO
   * processed on behalf of another window comes with its steps, kept for that PO's test,
   * and written before the result, which is what the test waits for.
   */
  finish(result: PoResult, steps?: RecordedStep[]): void {
    this.journal.append(result);
    if (journalEntryIsSettled(result)) writeFileAtomicSync(this.settledFile(result.id), jsonText(result));
    if (steps) writeFileAtomicSync(this.stepsFile(result.id), jsonText(steps));
    else fs.rmSync(this.stepsFile(result.id), { force: true });
    this.handBack(result);
  }

  /** The steps recorded with this run's result of a PO processed by another window; none otherwise. */
  stepsOf(id: string): RecordedStep[] {
    return readJsonIfValid(this.stepsFile(id), recordedStepsSchema) ?? [];
  }

  /** A PO another run in this folder settled: already in the journal, handed back to whoever waits here. */
  adopt(result: PoResult): void {
    this.handBack(result);
  }

  /** This run's result of a PO, if it has one. */
  thisRun(id: string): PoResult | undefined {
    return readJsonIfValid(this.handbackFile(id), poResultSchema);
  }

  /** A settled result of the PO by any run working in this folder. */
  settledInFolder(id: string): PoResult | undefined {
    return readJsonIfValid(this.settledFile(id), poResultSchema);
  }

  readJournal(): JournalContents {
    return ResultJournal.read(this.paths.journalFile);
  }

  attemptStarted(id: string, window: string, retry: number): void {
    this.appendAttempt(id, { event: 'started', window, retry, at: new Date().toISOString() });
  }

  attemptFailed(id: string, window: string, reason: string): void {
    this.appendAttempt(id, { event: 'failed', window, reason, at: new Date().toISOString() });
  }

  /** Every attempt event of a PO in this run, oldest first; a line torn by a killed worker is skipped. */
  attempts(id: string): AttemptEvent[] {
    let text: string;
    try {
      text = fs.readFileSync(this.attemptsFile(id), 'utf8');
    } catch {
      return [];
    }
    return text.split('\n').flatMap((line) => {
      if (!line.trim()) return [];
      try {
        const parsed = attemptSchema.safeParse(JSON.parse(line));
        return parsed.success ? [parsed.data] : [];
      } catch {
        return [];
      }
    });
  }

  /** Windows in which an attempt of the PO failed, so its retry can go to another one. */
  windowsThatFailed(id: string): string[] {
    return this.attempts(id).flatMap((a) => (a.event === 'failed' ? [a.window] : []));
  }

  private handBack(result: PoResult): void {
    writeFileAtomicSync(this.handbackFile(result.id), jsonText(result));
  }

  private appendAttempt(id: string, event: AttemptEvent): void {
    fse.ensureDirSync(this.paths.attemptsDir);
    // One short O_APPEND write per event: lines from different workers do not interleave.
    fs.appendFileSync(this.attemptsFile(id), jsonText(event));
  }

  private settledFile = (id: string) => path.join(this.paths.settledDir, `${id}.json`);
  private handbackFile = (id: string) => path.join(this.paths.handbackDir, `${id}.json`);
  private stepsFile = (id: string) => path.join(this.paths.handbackDir, `${id}.steps.json`);
  private attemptsFile = (id: string) => path.join(this.paths.attemptsDir, `${id}.jsonl`);
}
