import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import type { PoStatus } from '../../support/po-result.js';
import { renderRunTimeline, STATUS_COLORS, writeRunTimeline, type TimelineInput } from '../../support/report/run-timeline.js';
import { runPaths } from '../../support/run-state/run-paths.js';
import type { WindowRound } from '../../support/window/window-rounds.js';

const T0 = Date.UTC(2025, 2, 4, 9, 0, 0);
const iso = (s: number) => new Date(T0 + s * 1000).toISOString();

function round(start: number, verifying: number, end: number, overrides: Partial<WindowRound> = {}): WindowRound {
  return {
    trigger: 'start',
    startedAt: iso(start),
    verifyingAt: iso(verifying),
    endedAt: iso(end),
    result: 'verified',
    verification: [{ method: 'session', ok: true, detail: 'signed in', durationMs: 10 }],
    attempts: 1,
    remediation: [],
    timings: { slotWaitMs: 0, cloneMs: 0, launchWaitMs: 0, launchMs: 0, verifyMs: 0 },
    ...overrides,
  };
}

function windowRecord(window: string, kind: 'base' | 'clone', rounds: WindowRound[], parkings: { from: string; until?: string }[] = []): TimelineInput['windows'][number] {
  return {
    window,
    kind,
    startedAt: rounds[0]?.startedAt ?? iso(0),
    endedAt: iso(100),
    state: 'closed',
    timings: { slotWaitMs: 0, cloneMs: 0, launchWaitMs: 0, launchMs: 0, verifyMs: 0, totalStartMs: 0 },
    verification: [],
    attempts: 0,
    remediation: [],
    rounds,
    parkings,
  };
}

function result(poNumber: string, status: PoStatus, window: string, from: number, to: number, errorMessage = ''): TimelineInput['results'][number] {
  return { poNumber, status, window, finishedAt: iso(to), durationMs: (to - from) * 1000, attachmentsFound: 2, attachmentsDownloaded: status === 'COMPLETED' ? 2 : 1, errorMessage };
}

const input = (overrides: Partial<TimelineInput> = {}): TimelineInput => ({
  title: '20250304-10h00_CoupaDownloads',
  windows: [
    windowRecord('B', 'clone', [round(0, 10, 20), round(60, 65, 70, { trigger: 'unpark' })], [{ from: iso(40), until: iso(60) }]),
    windowRecord('A', 'base', [round(0, 5, 10)]),
    windowRecord('AA', 'clone', [round(0, 8, 12, { result: 'failed', error: 'could not be verified' })]),
  ],
  results: [
    result('PO4100001', 'COMPLETED', 'A', 10, 30),
    result('PO4100002', 'PARTIAL', 'B', 20, 40, 'damaged <scan>.pdf: HTTP 500 at https://acme.coupahost.com/x?token=secret'),
    result('PO4100003', 'FAILED', '', 30, 35, 'Failed after 3 attempt(s)'),
  ],
  load: [
    { at: T0 + 50_000, cpuPercent: 80, memoryPercent: 40 },
    { at: T0, cpuPercent: 20, memoryPercent: 30 },
  ],
  startedAt: new Date(T0),
  endedAt: new Date(T0 + 100_000),
  ...overrides,
});

interface Rect {
  x: number;
  width: number;
  y: number;
  fill: string;
  lane: string;
  kind: string;
  po?: string;
  status?: string;
  tip: string;
}

function rects(html: string): Rect[] {
  return [...html.matchAll(/<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="[\d.]+" fill="([^"]+)" data-lane="([^"]+)" data-kind="(\w+)"(?: data-po="([^"]+)" data-status="(\w+)")?[^>]*><title>([^<]*)<\/title>/g)].map((m) => ({
    x: Number(m[1]),
    y: Number(m[2]),
    width: Number(m[3]),
    fill: m[4],
    lane: m[5],
    kind: m[6],
    po: m[7],
    status: m[8],
    tip: m[9],
  }));
}

test('one lane per window in the order A, B, …, AA, then POs that no window finished', () => {
  const html = renderRunTimeline(input());
  const lanes = [...html.matchAll(/class="lane">([^<]+)/g)].map((m) => m[1].trim());
  expect(lanes).toEqual(['Window A', 'Window B', 'Window AA', 'no window', 'Machine load']);
  const shapes = rects(html);
  const laneY = (lane: string) => shapes.find((s) => s.lane === lane)!.y;
  expect(laneY('A')).toBeLessThan(laneY('B'));
  expect(laneY('B')).toBeLessThan(laneY('AA'));
  expect(shapes.find((s) => s.po === 'PO4100003')?.lane).toBe('(none)');
});

test('start-up, verification, parking and POs sit on the time axis where they happened, POs coloured by outcome', () => {
  const shapes = rects(renderRunTimeline(input()));
  // The plot spans x 120..1180 for 100 s: 10.6 px per second.
  const at = (s: number) => 120 + s * 10.6;
  const b = shapes.filter((s) => s.lane === 'B');
  expect(b.map((s) => s.kind)).toEqual(['startup', 'verify', 'startup', 'verify', 'parked', 'po']);
  const [startup, verify, , , parked, po] = b;
  expect(startup.x).toBeCloseTo(at(0), 0);
  expect(startup.width).toBeCloseTo(10 * 10.6, 0);
  expect(verify.x).toBeCloseTo(at(10), 0);
  expect(parked.x).toBeCloseTo(at(40), 0);
  expect(parked.width).toBeCloseTo(20 * 10.6, 0);
  expect(po).toMatchObject({ po: 'PO4100002', status: 'PARTIAL', fill: STATUS_COLORS.PARTIAL });
  expect(po.x).toBeCloseTo(at(20), 0);
  expect(po.width).toBeCloseTo(20 * 10.6, 0);
  expect(shapes.find((s) => s.po === 'PO4100001')?.fill).toBe(STATUS_COLORS.COMPLETED);
  expect(STATUS_COLORS.FAILED).not.toBe(STATUS_COLORS.COMPLETED);

  const failedVerify = shapes.find((s) => s.lane === 'AA' && s.kind === 'verify')!;
  expect(failedVerify.fill).not.toBe(shapes.find((s) => s.lane === 'A' && s.kind === 'verify')!.fill);
  expect(failedVerify.tip).toContain('verification FAILED');
  expect(failedVerify.tip).toContain('could not be verified');
  expect(b[2].tip).toContain('start 2 (back after parking)');
});

test('a window still parked at the end is drawn parked to the end of the run', () => {
  const still = windowRecord('C', 'clone', [round(0, 2, 4)], [{ from: iso(50) }]);
  const parked = rects(renderRunTimeline(input({ windows: [still] }))).find((s) => s.kind === 'parked')!;
  expect(parked.x + parked.width).toBeCloseTo(1180, 0);
});

test('CPU and memory are drawn below over the same axis, in time order; without samples the chart says so', () => {
  const html = renderRunTimeline(input());
  const cpu = /<polyline data-series="cpu" points="([^"]+)"/.exec(html)![1].split(' ').map((p) => p.split(',').map(Number));
  expect(cpu.map(([px]) => Math.round(px))).toEqual([120, Math.round(120 + 50 * 10.6)]);
  // Higher load is higher up.
  expect(cpu[1][1]).toBeLessThan(cpu[0][1]);
  expect(html).toContain('data-series="memory"');
  const empty = renderRunTimeline(input({ load: [] }));
  expect(empty).toContain('no load samples were recorded');
  expect(empty).not.toContain('<polyline');
});

test('the page is self-contained and its text is escaped and cleaned', () => {
  const html = renderRunTimeline(input());
  expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
  expect(html).not.toMatch(/<script|<link|@import|url\(|\bsrc=/i);
  expect(html).toContain('damaged &lt;scan&gt;.pdf');
  expect(html).not.toContain('<scan>');
  expect(html).not.toContain('token=secret');
  expect(html).toContain('PARTIAL 1');
});

test('with nothing to draw the page still renders, and it is written under the given name', () => {
  const html = renderRunTimeline({ title: 'empty', windows: [], results: [], load: [] });
  expect(html).toContain('0 PO(s), 0 window(s)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'timeline-'));
  try {
    const file = runPaths(dir).timelineFile;
    writeRunTimeline(file, input());
    expect(fs.readFileSync(file, 'utf8')).toBe(renderRunTimeline(input()));
    expect(path.relative(dir, file)).toBe('timeline.html');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
