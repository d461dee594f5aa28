import fs from 'node:fs';
import path from 'node:path';
import type { PlannedPo } from '../input/job-plan.js';
import type { PoResult } from '../po-result.js';
import { isProcessAlive } from '../profile/profile-in-use.js';

/**
 * Playwright decides which worker runs which PO. A window that cannot work (it exhausted
 * its remediation budget, or the load governor parked it) still receives POs; it hands each
 * one over through this exchange and waits, and a working window takes it, processes it and
 * hands the result back. Files in the run's private folder, so every worker process sees
 * them; claiming is an atomic rename, so a PO is taken by exactly one window.
 */
export interface RetiredWindow {
  window: string;
  pid: number;
  at: string;
  reason: string;
}

interface Offer {
  po: PlannedPo;
  from: string;
  pid: number;
  at: string;
}

const writeAtomic = (file: string, value: unknown) => {
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, JSON.stringify(value));
  fs.renameSync(temp, file);
};

const readJson = <T>(file: string): T | undefined => {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
};

export class PoHandoff {
  private readonly offers: string;
  private readonly results: string;
  private readonly retired: string;
  private readonly workers: string;

  constructor(readonly dir: string) {
    this.offers = path.join(dir, 'offers');
    this.results = path.join(dir, 'results');
    this.retired = path.join(dir, 'retired');
    this.workers = path.join(dir, 'working-windows');
    for (const d of [this.offers, this.results, this.retired, this.workers]) fs.mkdirSync(d, { recursive: true, mode: 0o700 });
  }

  // ---- windows that stopped taking POs ----------------------------------------------

  retire(window: string, reason: string): void {
    writeAtomic(path.join(this.retired, `${window}.json`), { window, pid: process.pid, at: new Date().toISOString(), reason } satisfies RetiredWindow);
  }

  retiredWindowCount(): number {
    return fs.readdirSync(this.retired).filter((f) => f.endsWith('.json')).length;
  }

  retiredWindow(window: string): RetiredWindow | undefined {
    return readJson<RetiredWindow>(path.join(this.retired, `${window}.json`));
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
      .map((m) => m[1]);
  }

  // ---- POs handed over ---------------------------------------------------------------

  offer(po: PlannedPo, from: string): void {
    fs.rmSync(path.join(this.results, `${po.id}.json`), { force: true });
    writeAtomic(path.join(this.offers, `${po.id}.offer`), { po, from, pid: process.pid, at: new Date().toISOString() } satisfies Offer);
  }

  /** Takes the oldest open offer whose offering worker is still alive, or nothing. */
  claimNext(by: string): { po: PlannedPo; from: string } | undefined {
    const open = fs
      .readdirSync(this.offers)
      .filter((f) => f.endsWith('.offer'))
      .map((f) => ({ file: path.join(this.offers, f), offer: readJson<Offer>(path.join(this.offers, f)) }))
      .filter((o): o is { file: string; offer: Offer } => !!o.offer)
      .sort((a, b) => a.offer.at.localeCompare(b.offer.at));
    for (const { file, offer } of open) {
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
    return fs.existsSync(path.join(this.offers, `${id}.offer`));
  }

  withdraw(id: string): boolean {
    try {
      fs.rmSync(path.join(this.offers, `${id}.offer`));
      return true;
    } catch {
      return false;
    }
  }

  complete(id: string, result: PoResult): void {
    writeAtomic(path.join(this.results, `${id}.json`), result);
    this.release(id);
  }

  /** The claim is released when the window that took the PO failed on it, so the PO can be offered again. */
  release(id: string): void {
    for (const f of fs.readdirSync(this.offers)) if (f.startsWith(`${id}.offer.claimed-by-`)) fs.rmSync(path.join(this.offers, f), { force: true });
  }

  result(id: string): PoResult | undefined {
    return readJson<PoResult>(path.join(this.results, `${id}.json`));
  }

  isClaimed(id: string): boolean {
    return fs.readdirSync(this.offers).some((f) => f.startsWith(`${id}.offer.claimed-by-`));
  }
}
