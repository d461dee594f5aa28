import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test, expect } from '@playwright/test';
import { resolveBaseProfile } from '../../support/profile/profile-locator.js';
import {
  acquireCloneSlot,
  CloneError,
  cloneSnapshot,
  verifyCloneAgainstManifest,
} from '../../support/profile/profile-cloner.js';
import { takeSnapshot, type SnapshotManifest } from '../../support/profile/profile-snapshot.js';
import { buildFakeProfile, tempDir } from './helpers-profile/fake-profile.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const projectRoot = path.resolve(here, '..', '..');
const holderScript = path.join(here, 'helpers-profile', 'clone-slot-holder.ts');

let root: string;
test.beforeEach(async () => {
  root = await tempDir('cloner');
});
test.afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

async function snapshot(): Promise<SnapshotManifest> {
  const fake = await buildFakeProfile(path.join(root, 'base'));
  return takeSnapshot(resolveBaseProfile({ userDataDir: fake.udd, profileName: 'Default' }), path.join(root, 'run', 'snapshot'));
}

async function treeDigest(dir: string, prefix = ''): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) Object.assign(out, { [`${rel}/`]: 'dir' }, await treeDigest(full, rel));
    else out[rel] = createHash('sha256').update(await fs.readFile(full)).digest('hex');
  }
  return out;
}

test('a clone is an exact copy of the snapshot and verifies against the manifest', async () => {
  const manifest = await snapshot();
  const clone = path.join(root, 'run', 'B', 'User Data');
  const result = await cloneSnapshot(manifest.snapshotUdd, clone);
  expect(await treeDigest(clone)).toEqual(await treeDigest(manifest.snapshotUdd));
  expect(['reflink', 'copy']).toContain(result.method);
  expect(result.files).toBe(manifest.copiedFiles);
  expect(result.bytes).toBe(manifest.copiedBytes);
  expect(await verifyCloneAgainstManifest(clone, 'Default', manifest)).toEqual({ ok: true, mismatches: [] });
});

test('a clone with its cookie store deleted or Preferences changed fails verification', async () => {
  const manifest = await snapshot();
  const clone = path.join(root, 'run', 'C');
  await cloneSnapshot(manifest.snapshotUdd, clone);
  await fs.rm(path.join(clone, 'Default', 'Network', 'Cookies'));
  const cookieStore = manifest.artifacts.find((a) => a.role === 'cookie-store')!;
  const verification = await verifyCloneAgainstManifest(clone, 'Default', manifest);
  expect(verification.ok).toBe(false);
  expect(verification.mismatches).toEqual([
    { file: 'Default/Network/Cookies', expected: cookieStore.sha256, expectedSize: cookieStore.size },
  ]);

  await fs.writeFile(path.join(clone, 'Default', 'Preferences'), '{}');
  const again = await verifyCloneAgainstManifest(clone, 'Default', manifest);
  expect(again.mismatches.map((m) => m.file)).toEqual(['Default/Network/Cookies', 'Default/Preferences']);
  expect(again.mismatches[1]!.actualSize).toBe(2);
});

test('cloning into an existing folder is refused, and a failed clone leaves nothing behind', async () => {
  const manifest = await snapshot();
  const existing = path.join(root, 'exists');
  await fs.mkdir(existing);
  await expect(cloneSnapshot(manifest.snapshotUdd, existing)).rejects.toBeInstanceOf(CloneError);

  const target = path.join(root, 'from-missing');
  const error = await cloneSnapshot(path.join(root, 'no-such-snapshot'), target).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(CloneError);
  expect((error as CloneError).message).toContain('no-such-snapshot');
  await expect(fs.stat(target)).rejects.toMatchObject({ code: 'ENOENT' });
});

interface Span {
  start: number;
  end: number;
}

/** Most spans open at one time; a span that ends in the millisecond another starts does not overlap it. */
function peakOverlap(spans: Span[]): number {
  const edges = spans.flatMap((s) => [{ t: s.start, d: 1 }, { t: s.end, d: -1 }]).sort((a, b) => a.t - b.t || a.d - b.d);
  let open = 0;
  let peak = 0;
  for (const edge of edges) peak = Math.max(peak, (open += edge.d));
  return peak;
}

test('peakOverlap counts overlapping holders', () => {
  expect(peakOverlap([])).toBe(0);
  expect(peakOverlap([{ start: 1, end: 5 }, { start: 2, end: 3 }])).toBe(2);
  expect(peakOverlap([{ start: 1, end: 2 }, { start: 3, end: 4 }])).toBe(1);
  expect(peakOverlap([{ start: 1, end: 5 }, { start: 5, end: 9 }])).toBe(1);
  expect(peakOverlap([{ start: 1, end: 4 }, { start: 2, end: 4 }, { start: 3, end: 4 }])).toBe(3);
});

function startHolder(slotsDir: string, limit: number, hold: string, staleMs?: number): { child: ChildProcess; acquired: Promise<void>; span: () => Span | undefined } {
  const child = spawn(process.execPath, ['--import', 'tsx', holderScript, slotsDir, String(limit), hold, ...(staleMs ? [String(staleMs)] : [])], {
    cwd: projectRoot,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const acquired = new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('acquired')) resolve();
    });
    child.once('exit', (code) => (out.includes('acquired') ? resolve() : reject(new Error(`holder exited with ${code} before acquiring`))));
  });
  const span = () => {
    const line = /^span (.+)$/m.exec(out);
    return line ? (JSON.parse(line[1]!) as Span) : undefined;
  };
  return { child, acquired, span };
}

const exited = (child: ChildProcess): Promise<number | null> =>
  child.exitCode !== null ? Promise.resolve(child.exitCode) : new Promise((resolve) => child.once('exit', (code) => resolve(code)));

test('six worker processes share two clone slots: never more than two at once', async () => {
  test.setTimeout(60_000);
  const slotsDir = path.join(root, 'slots');
  const holders = Array.from({ length: 6 }, () => startHolder(slotsDir, 2, '400'));
  try {
    await Promise.all(holders.map((h) => h.acquired));
    expect(await Promise.all(holders.map((h) => exited(h.child)))).toEqual([0, 0, 0, 0, 0, 0]);
  } finally {
    for (const h of holders) if (h.child.exitCode === null) h.child.kill('SIGKILL');
  }
  const spans = holders.map((h) => h.span());
  expect(spans.every((s) => s && s.end - s.start >= 400)).toBe(true);
  expect(peakOverlap(spans as Span[])).toBe(2);
});

test('waiting for a slot reports progress, and a killed holder\'s slot is taken over once stale', async () => {
  test.setTimeout(60_000);
  const slotsDir = path.join(root, 'slots');
  const holder = startHolder(slotsDir, 1, 'forever', 2_000);
  try {
    await holder.acquired;
    holder.child.kill('SIGKILL');
    await exited(holder.child);
    const waits: [number, number][] = [];
    const started = Date.now();
    const release = await acquireCloneSlot(slotsDir, { limit: 1, pollMs: 100, staleMs: 2_000, onWait: (ms, busy) => waits.push([ms, busy]) });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(waits.length).toBeGreaterThan(0);
    expect(waits[0]![1]).toBe(1);
    await release();
    await release();
    const again = await acquireCloneSlot(slotsDir, { limit: 1, pollMs: 100, staleMs: 2_000 });
    await again();
  } finally {
    if (holder.child.exitCode === null && holder.child.signalCode === null) holder.child.kill('SIGKILL');
  }
});
