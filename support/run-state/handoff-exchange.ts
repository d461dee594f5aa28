import fs from 'node:fs';
import path from 'node:path';
import fse from 'fs-extra';
import { z } from 'zod';
import type { PlannedPo } from '../input/job-plan.js';
import { jsonText, writeFileAtomicSync } from '../shared/atomic-file.js';
import { readJsonIfValid } from '../shared/json-record.js';
import { isProcessAlive } from '../shared/process-liveness.js';
import { plannedPoSchema } from './plan-files.js';
import type { SessionPaths } from './run-paths.js';

/**
 * Playwright decides which worker runs which PO. A window that cannot work (it exhausted
 * its remediation budget, or the load governor parked it) still receives POs; it hands each
 * one over through this exchange and waits, and a working window takes it, processes it and
 * hands the result back (through the result store). Files in the run's private folder, so
 * every worker process sees them; claiming is an atomic rename, so a PO is taken by exactly
 * one window.
 */
const retiredWindowSchema = z.object({ window: z.string(), pid: z.number().int().positive(), at: z.string(), reason: z.string() });
export type RetiredWindow = z.infer<typeof retiredWindowSchema>;

const offerSchema = z.object({ po: plannedPoSchema, from: z.string(), pid: z.number().int().positive(), at: z.string() });
type Offer = z.infer<typeof offerSchema>;

export class PoHandoff {
  private readonly offers: string;
  private readonly retired: string;
  private readonly workers: string;

  constructor(paths: SessionPaths['handoff']) {
    this.offers = paths.offersDir;
    this.retired = paths.retiredDir;
    this.workers = paths.workingDir;
    for (const dir of [this.offers, this.retired, this.workers]) fse.ensureDirSync(dir, { mode: 0o700 });
  }

  // ---- windows that stopped taking POs ----------------------------------------------

  retire(window: string, reason: string): void {
    writeFileAtomicSync(this.retiredFile(window), jsonText({ window, pid: process.pid, at: new Date().toISOString(), reason } satisfies RetiredWindow));
  }

  retiredWindowCount(): number {
    return fs.readdirSync(this.retired).filter((f) => f.endsWith('.json')).length;
  }

  retiredWindow(window: string): RetiredWindow | undefined {
    return readJsonIfValid(this.retiredFile(window), retiredWindowSchema);
  }

  // ---- windows able to take POs ------------------------------------------------------

  /** A working window announces itself for as long as its worker lives. */
  registerWorking(window: string): () => void {
    const file = path.join(this.workers, `${window}-${process.pid}`);
    fs.writeFileSync(file, '');
    return () => fs.rmSync(file, { force: true });
  }

  workingWindows(): string[] {
    return fs
      .readdirSync(this.workers)
      .map((f) => /^(.+)-(\d+)$/.exec(f))
      .filter((m): m is RegExpExecArray => !!m && isProcessAlive(Number(m[2])))
      .map((m) => m[1]!);
  }

  // ---- POs handed over ---------------------------------------------------------------

  offer(po: PlannedPo, from: string): void {
    writeFileAtomicSync(this.offerFile(po.id), jsonText({ po, from, pid: process.pid, at: new Date().toISOString() } satisfies Offer));
  }

  /** Takes the oldest open offer whose offering worker is still alive, or nothing. */
  claimNext(by: string): { po: PlannedPo; from: string } | undefined {
    const open = fs
      .readdirSync(this.offers)
      .filter((f) => f.endsWith('.offer'))
      .map((f) => ({ file: path.join(this.offers, f), offer: readJsonIfValid(path.join(this.offers, f), offerSchema) }))
      .filter((o): o is { file: string; offer: Offer } => !!o.offer)
      .sort((a, b) => a.offer.at.localeCompare(b.offer.at));
    for (const { file, offer } of open) {
      // A window hands a PO over because it should not process it (e.g. its last attempt failed there).
      if (offer.from === by) continue;
      if (!isProcessAlive(offer.pid)) {
        fs.rmSync(file, { force: true });
        continue;
      }
      try {
        fs.renameSync(file, `${file}.claimed-by-${by}`);
        return { po: offer.po, from: offer.from };
      } catch {
        // Another window claimed it first.
      }
    }
    return undefined;
  }

  pendingOffers(): number {
    return fs.readdirSync(this.offers).filter((f) => f.endsWith('.offer')).length;
  }

  hasOffer(id: string): boolean {
    return fs.existsSync(this.offerFile(id));
  }

  withdraw(id: string): boolean {
    try {
      fs.rmSync(this.offerFile(id));
      return true;
    } catch {
      return false;
    }
  }

  /** The claim ends when the PO's result is recorded, or when the window that took it failed on it, so it can be offered again. */
  release(id: string): void {
    for (const f of fs.readdirSync(this.offers)) if (f.startsWith(this.claimPrefix(id))) fs.rmSync(path.join(this.offers, f), { force: true });
  }

  isClaimed(id: string): boolean {
    return fs.readdirSync(this.offers).some((f) => f.startsWith(this.claimPrefix(id)));
  }

  private offerFile = (id: string) => path.join(this.offers, `${id}.offer`);
  private claimPrefix = (id: string) => `${id}.offer.claimed-by-`;
  private retiredFile = (window: string) => path.join(this.retired, `${window}.json`);
}
