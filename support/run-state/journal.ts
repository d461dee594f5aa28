import fs from 'node:fs';
import path from 'node:path';
import fse from 'fs-extra';
import { SETTLED_STATUSES, type PoResult } from '../po-result.js';
import { parsePoResult } from './po-result-schema.js';

export interface JournalContents {
  /** By PO id: the last entry of each id wins (a LOCKED entry never replaces another), in the order POs last finished. */
  results: Map<string, PoResult>;
  /** Lines that were neither blank nor a usable entry (torn by a kill mid-write, edited by hand). */
  skippedLines: number;
}

/**
 * Every finished PO, one JSON line each, written as soon as it finishes: a run killed at any
 * point keeps every PO it had finished, and the next run resumes from here. Several workers
 * (processes) append to the same file.
 */
export class ResultJournal {
  private directoryReady = false;

  constructor(readonly file: string) {}

  append(result: PoResult): void {
    if (!this.directoryReady) {
      fse.ensureDirSync(path.dirname(this.file));
      this.directoryReady = true;
    }
    // `id` first: the reader finds entries glued to a torn line by their `{"id":` start.
    const { id, ...rest } = result;
    const line = Buffer.from(`${JSON.stringify({ id, ...rest })}\n`, 'utf8');
    const created = !fs.existsSync(this.file);
    // O_APPEND makes each write land at the end of the file even with other processes writing;
    // one write per line keeps lines from interleaving.
    const fd = fs.openSync(this.file, 'a');
    try {
      let written = 0;
      while (written < line.length) written += fs.writeSync(fd, line, written, line.length - written);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    if (created) syncDirectory(path.dirname(this.file));
  }

  /** Tolerates a missing file, blank lines and lines torn by a kill mid-write. */
  static read(file: string): JournalContents {
    const contents: JournalContents = { results: new Map(), skippedLines: 0 };
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (error) {
      if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return contents;
      throw error;
    }
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      const { result, torn } = parseLine(line);
      if (torn) contents.skippedLines += 1;
      // LOCKED only says another run had the PO at that moment; it never hides that run's result.
      if (result && !(result.status === 'LOCKED' && contents.results.has(result.id))) {
        // Re-inserting moves the id to the end, so iteration follows the order POs last finished.
        contents.results.delete(result.id);
        contents.results.set(result.id, result);
      }
    }
    return contents;
  }
}

export function journalEntryIsSettled(result: PoResult): boolean {
  return SETTLED_STATUSES.has(result.status);
}

/** The POs a journal holds a final outcome for: a resumed run does not process them again. */
export function settledIds(journalFile: string): Set<string> {
  return new Set([...ResultJournal.read(journalFile).results.values()].filter(journalEntryIsSettled).map((r) => r.id));
}

const ENTRY_START = '{"id":';

/**
 * A line torn by a kill mid-write has no newline, so the next process's entry is glued to
 * it. JSON escapes every `"` inside strings, so `{"id":` only occurs where an entry starts:
 * the glued entry is recovered from its last occurrence.
 */
function parseLine(line: string): { result: PoResult | undefined; torn: boolean } {
  const whole = parsePoResult(line);
  if (whole) return { result: whole, torn: false };
  const start = line.lastIndexOf(ENTRY_START);
  return { result: start > 0 ? parsePoResult(line.slice(start)) : undefined, torn: true };
}

/** Makes the new file's directory entry durable too; Windows cannot open a directory for this and does not need it. */
function syncDirectory(directory: string): void {
  if (process.platform === 'win32') return;
  const fd = fs.openSync(directory, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
