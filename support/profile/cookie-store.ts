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

/** Persistent, unexpired cookies of a closed profile folder (names and hosts only): what a browser starting on it keeps. */
export async function persistentCookiesIn(profileDir: string): Promise<CookieEntry[]> {
  const store = cookieStoreIn(profileDir);
  if (!store) return [];
  return cookiesSurvivingRestart((await readCookieStore(path.join(profileDir, ...store.split('/')))).entries);
}

export interface RowRestoreReport {
  /** The base profile's cookie store. */
  file: string;
  /** The rows put back, by host, name and path (never values). */
  restored: Pick<CookieEntry, 'host' | 'name' | 'path'>[];
}

type Row = Record<string, unknown>;
const rowKey = (row: { host: unknown; name: unknown; path: unknown }) => `${String(row.host)}\t${String(row.name)}\t${String(row.path)}`;

function columnsOf(db: { exec(sql: string): { values: unknown[][] }[] }): string[] {
  return (db.exec('PRAGMA table_info(cookies)')[0]?.values ?? []).map((column) => String(column[1]));
}

/**
 * Puts back into the base profile's closed cookie store the rows of `backupFile` that are
 * gone from it (a browser that could not decrypt them deleted them, or the session was
 * dropped), matched by host, name and path. Rows the store still has are left as they are,
 * so a cookie renewed during the run is never replaced by its older copy; only rows a
 * browser keeps at its next start are put back. Refuses a profile in use: its browser would
 * overwrite the file.
 */
export async function restoreCookieRows(backupFile: string, baseProfile: BaseProfile): Promise<RowRestoreReport> {
  const holder = detectProfileInUse(baseProfile.userDataDir);
  if (holder) throw new ProfileInUseError(baseProfile.userDataDir, holder, 0);
  const target = baseProfile.cookieStorePath;
  const report: RowRestoreReport = { file: target, restored: [] };
  const wal = await fs.stat(`${target}-wal`).catch(() => undefined);
  if (wal && wal.size > 0) {
    throw new CookieStoreError(
      `The cookie store "${target}" has changes its browser did not write back (${target}-wal); its lost cookies cannot be merged safely.`,
      `Open and close the browser on this profile once, then run again; the copy from before the run is "${backupFile}".`,
      target,
    );
  }
  const currentBytes = await fs.readFile(target).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (!currentBytes) {
    // No store at all: the backup is everything there is, with nothing newer to keep.
    await fs.copyFile(backupFile, target);
    await fs.chmod(target, 0o600);
    report.restored = cookiesSurvivingRestart((await readCookieStore(target)).entries).map(({ host, name, path: p }) => ({ host, name, path: p }));
    return report;
  }
  const SQL = await loadSqlJs();
  const backup = new SQL.Database(await fs.readFile(backupFile));
  const current = new SQL.Database(currentBytes);
  try {
    const shared = columnsOf(backup).filter((c) => columnsOf(current).includes(c));
    const present = new Set(
      (current.exec('SELECT host_key, name, path FROM cookies')[0]?.values ?? []).map(([host, name, p]) => rowKey({ host, name, path: p })),
    );
    const keep = new Set(cookiesSurvivingRestart((await readCookieStore(backupFile)).entries).map((e) => rowKey(e)));
    const select = backup.prepare(`SELECT ${shared.map((c) => `"${c}"`).join(', ')} FROM cookies`);
    const insert = current.prepare(`INSERT INTO cookies (${shared.map((c) => `"${c}"`).join(', ')}) VALUES (${shared.map(() => '?').join(', ')})`);
    while (select.step()) {
      const row = select.getAsObject() as Row;
      const entry = { host: String(row.host_key), name: String(row.name), path: String(row.path) };
      if (present.has(rowKey(entry)) || !keep.has(rowKey(entry))) continue;
      insert.run(shared.map((c) => row[c]) as never);
      report.restored.push(entry);
    }
    select.free();
    insert.free();
    if (report.restored.length === 0) return report;
    const staged = `${target}.restore-${process.pid}`;
    await fs.writeFile(staged, current.export(), { mode: 0o600 });
    await fs.rename(staged, target);
    // A journal left beside the old file would be replayed into the new one.
    await fs.rm(`${target}-journal`, { force: true });
    return report;
  } finally {
    backup.close();
    current.close();
  }
}
