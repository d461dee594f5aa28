import { test, expect } from '@playwright/test';
import {
  BrowserMemoryPeaks,
  browserRoots,
  parsePssBytes,
  processTree,
  sumPss,
  userDataDirOf,
  usesUserDataDir,
  type ProcessEntry,
} from '../../tooling/bench/process-memory.js';

const MB = 1024 * 1024;
const CLONE = '/tmp/run/clones/B-w1/User Data';
const entry = (pid: number, ppid: number, rssMb: number, args: string, pssMb?: number): ProcessEntry => ({
  pid,
  ppid,
  rssBytes: rssMb * MB,
  args,
  ...(pssMb !== undefined && { pssBytes: pssMb * MB }),
});
const TABLE: ProcessEntry[] = [
  entry(1, 0, 1, '/sbin/init'),
  entry(500, 1, 200, `/usr/lib/chromium/chromium --user-data-dir=${CLONE} --profile-directory=Default --headless`, 90),
  entry(501, 500, 50, `/usr/lib/chromium/chromium --type=zygote --user-data-dir=${CLONE}`, 10),
  entry(502, 501, 100, '/usr/lib/chromium/chromium --type=renderer --lang=en-US', 60),
  entry(503, 500, 30, '/usr/lib/chromium/chromium --type=gpu-process', 20),
  entry(600, 1, 180, `/usr/lib/chromium/chromium --user-data-dir=${CLONE}2 --headless`, 70),
  entry(700, 1, 90, '/usr/lib/chromium/chromium --user-data-dir=/home/op/profile/User Data'),
];

test('a profile path matches only itself, even with spaces and a longer sibling path', () => {
  expect(usesUserDataDir(`chromium --user-data-dir=${CLONE} --headless`, CLONE)).toBe(true);
  expect(usesUserDataDir(`chromium --user-data-dir=${CLONE}`, CLONE)).toBe(true);
  expect(usesUserDataDir(`chromium --user-data-dir=${CLONE}2 --headless`, CLONE)).toBe(false);
  expect(usesUserDataDir(`chromium --user-data-dir=${CLONE}/Default`, CLONE)).toBe(false);
  expect(usesUserDataDir(`chromium --user-data-dir=${CLONE}2 --x --user-data-dir=${CLONE} --y`, CLONE)).toBe(true);
});

test('the user data dir is read from a command line up to the next flag, spaces included', () => {
  expect(userDataDirOf(`chromium --user-data-dir=${CLONE} --headless`)).toBe(CLONE);
  expect(userDataDirOf('chromium --headless --user-data-dir=/tmp/playwright_chromiumdev_profile-Ab12')).toBe('/tmp/playwright_chromiumdev_profile-Ab12');
  expect(userDataDirOf('chromium --headless')).toBeUndefined();
  expect(userDataDirOf('chromium --user-data-dir= --headless')).toBeUndefined();
});

test('the browser is the process with the flag whose parent lacks it; its tree includes children without the flag', () => {
  expect(browserRoots(TABLE, CLONE)).toEqual([500]);
  const tree = processTree(TABLE, 500);
  expect(tree.map((e) => e.pid).sort()).toEqual([500, 501, 502, 503]);
  expect(tree.reduce((sum, e) => sum + e.rssBytes, 0)).toBe((200 + 50 + 100 + 30) * MB);
  expect(sumPss(tree)).toBe((90 + 10 + 60 + 20) * MB);
  expect(processTree(TABLE, 999)).toEqual([]);
  expect(browserRoots(TABLE, '/nowhere')).toEqual([]);
});

test('a cycle in parent links (pid reuse between two reads) does not loop', () => {
  const entries = [entry(10, 11, 1, 'a'), entry(11, 10, 2, 'b')];
  expect(processTree(entries, 10).map((e) => e.pid)).toEqual([10, 11]);
});

test('PSS from smaps_rollup; a sum is only given when every process has one', () => {
  expect(parsePssBytes('55d0-7ffd ---p 00000000 00:00 0 [rollup]\nRss:   98764 kB\nPss:   40211 kB\nPss_Anon: 1 kB\n')).toBe(40211 * 1024);
  expect(parsePssBytes('Rss: 5 kB\n')).toBeUndefined();
  expect(sumPss([entry(1, 0, 5, 'a', 2), entry(2, 1, 5, 'b')])).toBeUndefined();
  expect(sumPss([])).toBe(0);
});

test('each browser\'s peak is kept over samples, browsers told apart by their user data dir', () => {
  const peaks = new BrowserMemoryPeaks();
  peaks.observe(TABLE);
  peaks.observe(TABLE.map((e) => (e.pid === 502 ? { ...e, rssBytes: 400 * MB, pssBytes: 5 * MB } : e)));
  peaks.observe(TABLE.filter((e) => e.pid < 500 || e.pid > 503));
  const byDir = new Map(peaks.result().map((p) => [p.userDataDir, p]));
  expect([...byDir.keys()].sort()).toEqual([CLONE, `${CLONE}2`, '/home/op/profile/User Data'].sort());
  // RSS and PSS peaks are each the highest seen, possibly at different samples.
  expect(byDir.get(CLONE)).toEqual({ userDataDir: CLONE, peakRssBytes: (200 + 50 + 400 + 30) * MB, peakPssBytes: (90 + 10 + 60 + 20) * MB, processes: 4, samples: 2 });
  expect(byDir.get(`${CLONE}2`)).toMatchObject({ peakRssBytes: 180 * MB, peakPssBytes: 70 * MB, samples: 3 });
  expect(byDir.get('/home/op/profile/User Data')).toMatchObject({ peakRssBytes: 90 * MB, peakPssBytes: undefined });
});
