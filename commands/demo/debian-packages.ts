import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

/** A program the demo or the test suite needs, and the Debian package that brings it. */
export interface DebianPackage {
  binary: string;
  name: string;
}

/** The packages whose program is not on this machine. */
export function missingPackages(wanted: readonly DebianPackage[], exists: (file: string) => boolean = fs.existsSync): DebianPackage[] {
  return wanted.filter((p) => !exists(p.binary));
}

/** Whether packages can be installed here without asking anyone: Linux with apt-get, as root. */
export function canInstallWithApt(): boolean {
  return process.platform === 'linux' && process.getuid?.() === 0 && fs.existsSync('/usr/bin/apt-get');
}

/**
 * Installs Debian packages with apt-get (Playwright's own browser download is not an option
 * on closed networks). False when this machine cannot (see canInstallWithApt) or apt-get failed.
 */
export function installWithApt(names: readonly string[], log: (message: string) => void): boolean {
  if (names.length === 0) return true;
  if (!canInstallWithApt()) return false;
  log(`installing ${names.join(', ')} with apt-get (one time)…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  return [['update', '-qq'], ['install', '-y', '-qq', ...names]].every((args) => spawnSync('apt-get', args, { stdio: 'inherit', env }).status === 0);
}
