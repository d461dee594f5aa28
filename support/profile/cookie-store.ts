import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import initSqlJs from 'sql.js';
import { OperatorError } from '../shared/operator-error.js';
import { cookieStoreIn, type BaseProfile } from './profile-locator.js';
import { detectProfileInUse, ProfileInUseError } from './profile-in-use.js';

/**
 * Reads a Chromium cookie store without ever opening it for writing (the bytes are copied into
 * memory), to prove a clone carries the identity provider's cookie, to spot App-Bound `v20`
 * cookies that no copy can decrypt, and to notice a browser deleting cookies it could not
 * decrypt (PROFILES.md "Cookie encryption"). Cookie values are never returned.
 */

export type CookieEncryption = 'v10' | 'v11' | 'v20' | 'plain' | 'other';

export interface CookieEntry {
  host: string;
  name: string;
  path: string;
  encryption: CookieEncryption;
  /** False for session cookies: Chromium keeps them in the file but drops them at its next start. */
  persistent: boolean;
  /** Unix seconds; null when the cookie has no expiry. */
  expiresAt: number | null;
}

/** Chromium stores times as microseconds since 1601-01-01 (Windows FILETIME epoch). */
const CHROMIUM_EPOCH_OFFSET_SECONDS = 11_644_473_600;

export function chromiumTimeToUnixSeconds(microseconds: number): number {
  return microseconds / 1e6 - CHROMIUM_EPOCH_OFFSET_SECONDS;
}

/** The rows a browser starting now keeps: persistent and not expired. */
export function cookiesSurvivingRestart(entries: CookieEntry[], nowSeconds = Date.now() / 1000): CookieEntry[] {
  return entries.filter((e) => e.persistent && (e.expiresAt === null || e.expiresAt > nowSeconds));
}

export interface CookieStoreSummary {
  file: string;
  rows: number;
  /** Row count per `host_key` (e.g. `.login.example.com`). */
  hosts: Record<string, number>;
  /** `other`: an encrypted value without a known version prefix (e.g. pre-2020 Windows DPAPI blobs). */
  encryption: Record<CookieEncryption, number>;
  entries: CookieEntry[];
}

export class CookieStoreError extends OperatorError {
  constructor(message: string, advice: string, readonly path: string, options?: { cause?: unknown }) {
    super(message, advice, options);
  }
}

let sqlJs: ReturnType<typeof initSqlJs> | undefined;
function loadSqlJs(): ReturnType<typeof initSqlJs> {
  const wasm = createRequire(import.meta.url).resolve('sql.js/dist/sql-wasm.wasm');
  sqlJs ??= initSqlJs({ locateFile: () => wasm });
  return sqlJs;
}

const VERSION_PREFIXES: CookieEncryption[] = ['v10', 'v11', 'v20'];

/** Chromium keeps a value either in plain `value` (empty `encrypted_value`) or encrypted with a version prefix. */
export function classifyCookieValue(encryptedValue: Uint8Array | null): CookieEncryption {
  if (!encryptedValue || encryptedValue.length === 0) return 'plain';
  const prefix = Buffer.from(encryptedValue.subarray(0, 3)).toString('latin1');
  return VERSION_PREFIXES.find((v) => v === prefix) ?? 'other';
}

/**
 * Summarises the committed content of a cookie store. While a browser has it open the newest
 * changes may still be in its journal; on Windows the running browser locks the file outright,
 * so read it when that browser is closed.
 */
export async function readCookieStore(file: string): Promise<CookieStoreSummary> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CookieStoreError(
      `Cannot read the cookie store "${file}": ${(error as Error).message}.`,
      code === 'EBUSY' || code === 'EPERM' || code === 'EACCES'
        ? 'A running browser holds it: close that browser and try again.'
        : 'Check EDGE_PROFILE_DIR / EDGE_PROFILE_NAME; run npm run login if the profile was never signed in.',
      file,
      { cause: error },
    );
  }
  const SQL = await loadSqlJs();
  let db: InstanceType<typeof SQL.Database> | undefined;
  try {
    db = new SQL.Database(bytes);
    const stmt = db.prepare('SELECT host_key, name, path, encrypted_value, is_persistent, has_expires, expires_utc FROM cookies');
    const summary: CookieStoreSummary = { file, rows: 0, hosts: {}, encryption: { v10: 0, v11: 0, v20: 0, plain: 0, other: 0 }, entries: [] };
    while (stmt.step()) {
      const [host, name, cookiePath, encrypted, isPersistent, hasExpires, expiresUtc] = stmt.get() as [
        string, string, string, Uint8Array | null, number, number, number,
      ];
      const encryption = classifyCookieValue(encrypted);
      summary.rows++;
      summary.hosts[host] = (summary.hosts[host] ?? 0) + 1;
      summary.encryption[encryption]++;
      summary.entries.push({
        host,
        name,
        path: cookiePath,
        encryption,
        persistent: isPersistent === 1,
        expiresAt: hasExpires === 1 ? chromiumTimeToUnixSeconds(expiresUtc) : null,
      });
    }
    stmt.free();
    return summary;
  } catch (error) {
    throw new CookieStoreError(
      `"${file}" is not a readable Chromium cookie store: ${(error as Error).message}.`,
      'The file is damaged or not a cookie database; restore it from the run\'s snapshot or sign in again with npm run login.',
      file,
      { cause: error },
    );
  } finally {
    db?.close();
  }
}

const SIDECARS = ['-journal', '-wal', '-shm'];

export interface RestoreReport {
  /** The base profile's cookie store that was replaced. */
  file: string;
  copied: string[];
  /** The base profile's SQLite sidecars that the snapshot did not have. */
  removed: string[];
}

/**
 * Puts the snapshot's cookie store back over the base profile's, after a launch deleted cookies
 * it could not decrypt. Only ever call this while the base profile's browser is closed: it
 * refuses a profile in use, because a running browser would overwrite or corrupt the restored file.
 */
export async function restoreCookieStore(snapshotUdd: string, baseProfile: BaseProfile): Promise<RestoreReport> {
  const holder = detectProfileInUse(baseProfile.userDataDir);
  if (holder) throw new ProfileInUseError(baseProfile.userDataDir, holder, 0);
  const snapshotProfile = path.join(snapshotUdd, baseProfile.profileName);
  const rel = cookieStoreIn(snapshotProfile);
  if (!rel) {
    throw new CookieStoreError(
      `The snapshot "${snapshotProfile}" has no cookie store to restore from.`,
      'Sign in again with npm run login; the snapshot of this run cannot repair the base profile.',
      snapshotProfile,
    );
  }
  const from = path.join(snapshotProfile, ...rel.split('/'));
  const to = path.join(baseProfile.profileDir, ...rel.split('/'));
  const report: RestoreReport = { file: to, copied: [], removed: [] };
  const staged: { tmp: string; final: string }[] = [];
  // Stage everything first so the base profile is without a consistent database only for a few renames.
  for (const suffix of ['', ...SIDECARS]) {
    const tmp = `${to}${suffix}.restore-${process.pid}`;
    try {
      await fs.copyFile(`${from}${suffix}`, tmp);
      staged.push({ tmp, final: `${to}${suffix}` });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || suffix === '') throw error;
    }
  }
  // A sidecar from the damaged database would be replayed into the restored one.
  for (const suffix of SIDECARS) {
    const sidecar = `${to}${suffix}`;
    if (staged.some((s) => s.final === sidecar)) continue;
    try {
      await fs.unlink(sidecar);
      report.removed.push(sidecar);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  for (const { tmp, final } of staged.reverse()) {
    await fs.rename(tmp, final);
    report.copied.push(final);
  }
  return report;
}
