import fs from 'node:fs';
import path from 'node:path';
import dotenv from 'dotenv';

/** What `.env` (or ENV_FILE) held, before the environment overrides it. */
export interface EnvFile {
  /** Absolute path of the file read; undefined when there was none. */
  file: string | undefined;
  values: Record<string, string>;
}

export function readEnvFileValues(file: string): EnvFile {
  if (!fs.existsSync(file) || fs.statSync(file).isDirectory()) return { file: undefined, values: {} };
  return { file, values: dotenv.parse(fs.readFileSync(file)) };
}

/**
 * Keys of the file that are no setting but look like one (`HEADLES`, `WORKER`, `headless`),
 * each with the setting it probably meant: otherwise a typo is silently ignored and the
 * default applies. Keys that resemble no setting may belong to something else and pass.
 */
export function lookalikeKeys(keys: readonly string[], known: ReadonlySet<string>): { key: string; meant: string }[] {
  const found: { key: string; meant: string }[] = [];
  for (const key of keys) {
    if (known.has(key)) continue;
    const upper = key.toUpperCase();
    const allowed = upper.length >= 8 ? 2 : 1;
    const meant = [...known].find((candidate) => editDistance(upper, candidate, allowed) <= allowed);
    if (meant) found.push({ key, meant });
  }
  return found;
}

export function describeLookalike(file: string, { key, meant }: { key: string; meant: string }): string {
  return `${path.basename(file)} (${file}) sets "${key}", which is not a setting and is ignored: did you mean ${meant}?`;
}

/** Optimal string alignment distance (a swap of two neighbours counts once), giving up past `limit`. */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = best;
    }
  }
  return rows[a.length]![b.length]!;
}
