import { execFileSync, spawn } from 'node:child_process';
import { test, expect } from '@playwright/test';
import {
  browserRoots,
  parsePsOutput,
  parsePssBytes,
  processTree,
  usesUserDataDir,
  WindowMemorySampler,
  type ProcessEntry,
} from '../../tooling/bench/process-memory.js';

const PS = `    1     0  1200 /sbin/init
  500     1 204800 /usr/lib/chromium/chromium --user-data-dir=/tmp/run/clones/B-w1/User Data --profile-directory=Default --headless
  501   500  51200 /usr/lib/chromium/chromium --type=zygote --user-data-dir=/tmp/run/clones/B-w1/User Data
  502   501 102400 /usr/lib/chromium/chromium --type=renderer --lang=en-US
  503   500  30720 /usr/lib/chromium/chromium --type=gpu-process
  600     1 180000 /usr/lib/chromium/chromium --user-data-dir=/tmp/run/clones/B-w1/User Data2 --headless
  700     1  90000 /usr/lib/chromium/chromium --user-data-dir=/home/op/profile/User Data
  garbage line
`;

test('ps output: pid, parent, RSS in KiB → bytes, full command line', () => {
  const entries = parsePsOutput(PS);
  expect(entries).toHaveLength(7);
  expect(entries[1]).toEqual({
    pid: 500,
    ppid: 1,
    rssBytes: 204800 * 1024,
    args: '/usr/lib/chromium/chromium --user-data-dir=/tmp/run/clones/B-w1/User Data --profile-directory=Default --headless',
  });
});

test('a profile path matches only itself, even with spaces and a longer sibling path', () => {
  const udd = '/tmp/run/clones/B-w1/User Data';
  expect(usesUserDataDir(`chromium --user-data-dir=${udd} --headless`, udd)).toBe(true);
  expect(usesUserDataDir(`chromium --user-data-dir=${udd}`, udd)).toBe(true);
  expect(usesUserDataDir(`chromium --user-data-dir=${udd}2 --headless`, udd)).toBe(false);
  expect(usesUserDataDir(`chromium --user-data-dir=${udd}/Default`, udd)).toBe(false);
  expect(usesUserDataDir(`chromium --user-data-dir=${udd}2 --x --user-data-dir=${udd} --y`, udd)).toBe(true);
});

test('the browser is the process with the flag whose parent lacks it; its tree includes children without the flag', () => {
  const entries = parsePsOutput(PS);
  const roots = browserRoots(entries, '/tmp/run/clones/B-w1/User Data');
  expect(roots).toEqual([500]);
  const tree = processTree(entries, 500);
  expect(tree.map((e) => e.pid).sort()).toEqual([500, 501, 502, 503]);
  expect(tree.reduce((sum, e) => sum + e.rssBytes, 0)).toBe((204800 + 51200 + 102400 + 30720) * 1024);
  expect(processTree(entries, 999)).toEqual([]);
  expect(browserRoots(entries, '/nowhere')).toEqual([]);
});

test('a cycle in parent links (pid reuse between two ps reads) does not loop', () => {
  const entries: ProcessEntry[] = [
    { pid: 10, ppid: 11, rssBytes: 1, args: 'a' },
    { pid: 11, ppid: 10, rssBytes: 2, args: 'b' },
  ];
  expect(processTree(entries, 10).map((e) => e.pid)).toEqual([10, 11]);
});

test('PSS from smaps_rollup', () => {
  expect(parsePssBytes('55d0-7ffd ---p 00000000 00:00 0 [rollup]\nRss:   98764 kB\nPss:   40211 kB\nPss_Anon: 1 kB\n')).toBe(40211 * 1024);
  expect(parsePssBytes('Rss: 5 kB\n')).toBeUndefined();
});

test('the sampler keeps each window\'s peak over samples, from injected process tables', async () => {
  const tables = [
    PS,
    PS.replace('  502   501 102400', '  502   501 402400'),
    PS.replace(/^ {2}50[0-3].*\n/gm, ''),
  ].map(parsePsOutput);
  let call = 0;
  const sampler = new WindowMemorySampler({
    everyMs: 1000,
    windows: () => [
      { window: 'B', userDataDir: '/tmp/run/clones/B-w1/User Data' },
      { window: 'C', userDataDir: '' },
    ],
    list: async () => tables[Math.min(call++, tables.length - 1)]!,
  });
  for (let i = 0; i < 3; i++) await sampler.sampleOnce();
  const [b, ...others] = sampler.result();
  expect(others).toEqual([]);
  expect(b).toMatchObject({ window: 'B', peakRssBytes: (204800 + 51200 + 402400 + 30720) * 1024, processes: 4, samples: 2 });
});

test('the sampler finds a real process tree by its --user-data-dir flag and measures it, without touching it', async () => {
  const udd = `/tmp/bench-sampler-test-${process.pid}/User Data`;
  // A parent with the flag and a child without it, as a browser and its renderer.
  const parentScript = `const { spawn } = require('node:child_process');
spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
setInterval(() => {}, 1000);`;
  const parent = spawn(process.execPath, ['-e', parentScript, '--', `--user-data-dir=${udd}`], { stdio: 'ignore' });
  try {
    const sampler = new WindowMemorySampler({ everyMs: 50, windows: () => [{ window: 'B', userDataDir: udd }] });
    const deadline = Date.now() + 10_000;
    let peak;
    while (Date.now() < deadline) {
      await sampler.sampleOnce();
      peak = sampler.result()[0];
      if (peak && peak.processes >= 2) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(peak?.processes).toBe(2);
    expect(peak!.peakRssBytes).toBeGreaterThan(10_000_000);
    if (process.platform === 'linux') {
      expect(peak!.peakPssBytes).toBeGreaterThan(1_000_000);
      expect(peak!.peakPssBytes).toBeLessThanOrEqual(peak!.peakRssBytes);
    }
    expect(parent.exitCode).toBeNull();
  } finally {
    // Both processes were started by this test; they are ended by their PIDs.
    const entries = parsePsOutput(execFileSync('ps', ['-ww', '-eo', 'pid=,ppid=,rss=,args='], { encoding: 'utf8' }));
    for (const e of processTree(entries, parent.pid!)) process.kill(e.pid);
  }
});
