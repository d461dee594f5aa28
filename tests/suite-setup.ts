import { installWithApt, missingPackages, type DebianPackage } from '../commands/demo/debian-packages.js';

/**
 * `npm ci && npm test` on a fresh Debian machine: what the end-to-end tests drive (Debian's
 * Chromium, an Xvfb for headed windows, pdftotext to read the PDFs made from .msg files) is
 * installed first when missing and this is root with apt; otherwise the suite stops at once,
 * saying what to install, instead of failing test by test.
 */
export const SUITE_NEEDS: DebianPackage[] = [
  { binary: '/usr/bin/chromium', name: 'chromium' },
  { binary: '/usr/bin/Xvfb', name: 'xvfb' },
  { binary: '/usr/bin/pdftotext', name: 'poppler-utils' },
];

export default function suiteSetup(): void {
  if (process.platform !== 'linux') return;
  const missing = missingPackages(SUITE_NEEDS);
  if (missing.length === 0) return;
  const names = missing.map((p) => p.name).join(' ');
  if (installWithApt(missing.map((p) => p.name), (message) => process.stdout.write(`[suite] ${message}\n`)) && missingPackages(missing).length === 0) return;
  throw new Error(`The test suite needs ${missing.map((p) => p.binary).join(', ')}: install them (on Debian or Ubuntu: apt-get install -y ${names}) and run it again.`);
}
