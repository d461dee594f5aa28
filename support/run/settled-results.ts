import fs from 'node:fs';
import path from 'node:path';
import { journalEntryIsSettled } from '../output/journal.js';
import type { PoResult } from '../po-result.js';

/**
 * Settled results of a run folder, one small file per PO, shared by every run working in
 * that folder: a run that gets a PO's lock first checks here whether another run, started
 * at the same time, finished it meanwhile (the journal would tell too, but reading it for
 * every PO of a 10,000-PO batch costs too much).
 */
export class SettledResults {
  constructor(private readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true });
  }

  get(id: string): PoResult | undefined {
    try {
      return JSON.parse(fs.readFileSync(path.join(this.dir, `${id}.json`), 'utf8')) as PoResult;
    } catch {
      return undefined;
    }
  }

  put(result: PoResult): void {
    if (!journalEntryIsSettled(result)) return;
    const file = path.join(this.dir, `${result.id}.json`);
    fs.writeFileSync(`${file}.${process.pid}.tmp`, JSON.stringify(result));
    fs.renameSync(`${file}.${process.pid}.tmp`, file);
  }
}
