import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import initSqlJs from 'sql.js';

/** Real directory trees shaped like a Chromium user data dir, for the profile-layer tests. */

export type CookieKind = 'v10' | 'v11' | 'v20' | 'plain' | 'dpapi';

export interface FakeCookie {
  host: string;
  name: string;
  kind: CookieKind;
  /** Plain cookies only; default `plain-value`. */
  value?: string;
  /** Chromium time (µs since 1601); default 13400000000000000 (August 2025). */
  expiresUtc?: number;
}

const wasm = createRequire(import.meta.url).resolve('sql.js/dist/sql-wasm.wasm');

/** A SQLite file with Chromium's `cookies` table; encrypted values start with their version prefix like Chromium's. */
export async function cookieDatabase(cookies: FakeCookie[]): Promise<Buffer> {
  const SQL = await initSqlJs({ locateFile: () => wasm });
  const db = new SQL.Database();
  db.run(`CREATE TABLE meta(key LONGVARCHAR NOT NULL UNIQUE PRIMARY KEY, value LONGVARCHAR);
    CREATE TABLE cookies(creation_utc INTEGER NOT NULL, host_key TEXT NOT NULL, top_frame_site_key TEXT NOT NULL,
      name TEXT NOT NULL, value TEXT NOT NULL, encrypted_value BLOB NOT NULL, path TEXT NOT NULL, expires_utc INTEGER NOT NULL,
      is_secure INTEGER NOT NULL, is_httponly INTEGER NOT NULL, last_access_utc INTEGER NOT NULL, has_expires INTEGER NOT NULL,
      is_persistent INTEGER NOT NULL, priority INTEGER NOT NULL, samesite INTEGER NOT NULL, source_scheme INTEGER NOT NULL,
      source_port INTEGER NOT NULL, last_update_utc INTEGER NOT NULL, source_type INTEGER NOT NULL, has_cross_site_ancestor INTEGER NOT NULL);
    INSERT INTO meta VALUES ('version', '24');`);
  for (const [i, c] of cookies.entries()) {
    const encrypted = c.kind === 'plain'
      ? new Uint8Array()
      : c.kind === 'dpapi'
        ? new Uint8Array([1, 0, 0, 0, 0xd0, 0x8c, 0x9d, 0xdf, ...randomBytes(24)])
        : new Uint8Array(Buffer.concat([Buffer.from(c.kind), randomBytes(40)]));
    db.run('INSERT INTO cookies VALUES (?, ?, \'\', ?, ?, ?, \'/\', ?, 0, 0, 0, 1, 1, 1, 0, 2, 443, 0, 0, 0)', [
      13300000000000000 + i,
      c.host,
      c.name,
      c.kind === 'plain' ? (c.value ?? 'plain-value') : '',
      encrypted,
      c.expiresUtc ?? 13400000000000000,
    ]);
  }
  const bytes = Buffer.from(db.export());
  db.close();
  return bytes;
}

export interface FakeProfileOptions {
  profileName?: string;
  /** `network`: `<profile>/Network/Cookies` (current Edge); `legacy`: `<profile>/Cookies` (Debian Chromium). */
  cookieLayout?: 'network' | 'legacy' | 'none';
  cookies?: FakeCookie[];
  /** Bytes of junk in each cache folder. */
  cacheBytes?: number;
  otherProfiles?: { folder: string; displayName: string }[];
}

export interface FakeProfile {
  udd: string;
  profileName: string;
  profileDir: string;
  cookieStore?: string;
  /** Bytes written to folders and files that a snapshot must leave out. */
  junkBytes: number;
}

export const DEFAULT_COOKIES: FakeCookie[] = [
  { host: '.login.example.test', name: 'stay_signed_in', kind: 'v10' },
  { host: '.login.example.test', name: 'idp_device', kind: 'v10' },
  { host: 'coupa.example.test', name: 'appbound', kind: 'v20' },
];

async function write(file: string, content: string | Buffer): Promise<number> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, content);
  return Buffer.byteLength(content);
}

export async function buildFakeProfile(udd: string, options: FakeProfileOptions = {}): Promise<FakeProfile> {
  const profileName = options.profileName ?? 'Default';
  const profileDir = path.join(udd, profileName);
  const cacheBytes = options.cacheBytes ?? 64 * 1024;
  const others = options.otherProfiles ?? [];
  const infoCache: Record<string, unknown> = { [profileName]: { name: 'Work', active_time: 1795360401.725726 } };
  for (const o of others) infoCache[o.folder] = { name: o.displayName };
  await write(path.join(udd, 'Local State'), JSON.stringify({
    os_crypt: { encrypted_key: 'RFBBUEkBAAAA0Iyd3wEV0RGMegDAT8KX6wEAAAA=' },
    profile: { info_cache: infoCache, last_used: others[0]?.folder ?? profileName, profiles_order: [profileName] },
    browser: { enabled_labs_experiments: [] },
    profile_counts_reported: '13439834001309884',
  }));
  await write(path.join(profileDir, 'Preferences'), JSON.stringify({ profile: { name: 'Work' }, homepage: 'https://coupa.example.test' }));
  await write(path.join(profileDir, 'Secure Preferences'), JSON.stringify({ protection: { macs: {} } }));
  await write(path.join(profileDir, 'Login Data'), randomBytes(8192));
  await write(path.join(profileDir, 'Login Data-journal'), randomBytes(512));
  await write(path.join(profileDir, 'Web Data'), randomBytes(4096));
  await write(path.join(profileDir, 'Local Storage', 'leveldb', '000003.log'), randomBytes(2048));
  await write(path.join(profileDir, 'Local Storage', 'leveldb', 'CURRENT'), 'MANIFEST-000001\n');
  await write(path.join(profileDir, 'IndexedDB', 'https_coupa.example.test_0.indexeddb.leveldb', '000005.ldb'), randomBytes(1024));
  await write(path.join(profileDir, 'Service Worker', 'Database', 'CURRENT'), 'MANIFEST-000001\n');
  await fs.mkdir(path.join(profileDir, 'Extension State'), { recursive: true });

  let junkBytes = 0;
  for (const cache of ['Cache/Cache_Data/data_0', 'Code Cache/js/index', 'GPUCache/data_1', 'Service Worker/CacheStorage/abc/0001',
    'Service Worker/ScriptCache/index', 'DawnWebGPUCache/data_0', 'Sessions/Session_13400000000', 'Sessions/Tabs_13400000000',
    'Storage/ext/abcdef/def/GPUCache/data_0']) {
    junkBytes += await write(path.join(profileDir, ...cache.split('/')), randomBytes(cacheBytes));
  }
  junkBytes += await write(path.join(profileDir, 'Current Session'), randomBytes(1000));
  // UDD root: component folders, crash/metrics data, run-time files of the last browser.
  await write(path.join(udd, 'Crashpad', 'settings.dat'), randomBytes(100));
  await write(path.join(udd, 'BrowserMetrics', 'BrowserMetrics-1.pma'), randomBytes(cacheBytes));
  await write(path.join(udd, 'Safe Browsing', 'UrlMalware.store.4_1'), randomBytes(100));
  await write(path.join(udd, 'Last Version'), '140.0.0.0');
  await write(path.join(udd, 'DevToolsActivePort'), '9222\n/devtools/browser/x');
  for (const o of others) await write(path.join(udd, o.folder, 'Preferences'), '{}');

  let cookieStore: string | undefined;
  const layout = options.cookieLayout ?? 'network';
  if (layout !== 'none') {
    cookieStore = layout === 'network' ? path.join(profileDir, 'Network', 'Cookies') : path.join(profileDir, 'Cookies');
    await write(cookieStore, await cookieDatabase(options.cookies ?? DEFAULT_COOKIES));
    await write(`${cookieStore}-journal`, Buffer.alloc(0));
    if (layout === 'network') await write(path.join(profileDir, 'Network', 'Network Persistent State'), '{}');
  }
  return { udd, profileName, profileDir, junkBytes, ...(cookieStore ? { cookieStore } : {}) };
}

export async function tempDir(prefix: string): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), `profile-test-${prefix}-`));
}

/** A process that stays alive until killed; tests own it and kill it by pid. */
export function spawnSleeper(): ChildProcess {
  return spawn('sleep', ['600'], { stdio: 'ignore' });
}

/** The pid of a process that has already exited. */
export async function deadPid(): Promise<number> {
  const child = spawn('true', [], { stdio: 'ignore' });
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

export async function pointSingletonLock(udd: string, host: string, pid: number): Promise<void> {
  await fs.rm(path.join(udd, 'SingletonLock'), { force: true });
  await fs.symlink(`${host}-${pid}`, path.join(udd, 'SingletonLock'));
}
