import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { restoreCookieRows, type RowRestoreReport } from './cookie-store.js';
import { ensurePrivateDir } from './private-temp.js';
import type { BaseProfile } from './profile-locator.js';

/**
 * A copy of the base profile's cookie store taken before window A first opens the profile
 * in a run (PROFILES.md: keep a backup from before the run). Unlike the run's snapshot it
 * outlives the run: it is kept, readable by the operator alone (0600 in a 0700 folder),
 * until the next run that ends with the profile's cookies intact, so a sign-in lost in a run
 * that crashed can still be put back by hand. One folder per profile; the file name says when
 * the run took it.
 */
export class CookieBackup {
  readonly dir: string;
  readonly file: string;

  /** `runStartedAt`: the run's snapshot time (ISO), the same for every window A of the run, restarts included. */
  constructor(readonly root: string, private readonly base: BaseProfile, runStartedAt: string) {
    const key = createHash('sha256').update(path.resolve(base.profileDir)).digest('hex').slice(0, 12);
    this.dir = path.join(root, `${base.profileName.replace(/[^\w.-]+/g, '_')}-${key}`);
    this.file = path.join(this.dir, `${path.basename(base.cookieStorePath)}-${runStartedAt.replace(/:/g, '-')}`);
  }

  /** Copies the closed cookie store once per run; a window A restarted later in the run keeps the first copy. */
  async take(): Promise<void> {
    await fs.mkdir(path.dirname(this.root), { recursive: true });
    await ensurePrivateDir(this.root, false, 'COOKIE_BACKUP_DIR');
    await ensurePrivateDir(this.dir, false, 'COOKIE_BACKUP_DIR');
    if (await fs.stat(this.file).then(() => true, () => false)) return;
    await fs.writeFile(path.join(this.dir, 'profile.txt'), `${this.base.profileDir}\n`, { mode: 0o600 });
    const staged = `${this.file}.${process.pid}.tmp`;
    await fs.writeFile(staged, await fs.readFile(this.base.cookieStorePath), { mode: 0o600, flag: 'wx' });
    await fs.rename(staged, this.file);
  }

  /** Puts back the rows the base profile lost since the copy was taken (row by row, newer rows kept). */
  async restoreLostRows(): Promise<RowRestoreReport> {
    if (!(await fs.stat(this.file).then(() => true, () => false))) return { file: this.base.cookieStorePath, restored: [] };
    return restoreCookieRows(this.file, this.base);
  }

  /** After a good run: the copies of earlier runs go, this run's stays until the next good run. */
  async pruneEarlier(): Promise<string[]> {
    const prefix = `${path.basename(this.base.cookieStorePath)}-`;
    const mine = path.basename(this.file);
    const earlier = (await fs.readdir(this.dir).catch(() => [] as string[])).filter((f) => f.startsWith(prefix) && !f.endsWith('.tmp') && f < mine);
    for (const name of earlier) await fs.rm(path.join(this.dir, name), { force: true });
    return earlier.map((name) => path.join(this.dir, name));
  }
}
