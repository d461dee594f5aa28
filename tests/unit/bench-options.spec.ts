import { test, expect } from '@playwright/test';
import { BenchOptionsError, DEFAULT_BENCH_OPTIONS, parseBenchArgs, parseByteSize } from '../../tooling/bench/bench-options.js';
import { OperatorError } from '../../support/shared/operator-error.js';

test('no flags: issue 11\'s measurement at the job\'s default settings, with the peer', () => {
  expect(parseBenchArgs([])).toEqual(DEFAULT_BENCH_OPTIONS);
  expect(DEFAULT_BENCH_OPTIONS).toMatchObject({
    windows: [1, 2, 4],
    pos: 40,
    latencyMs: 300,
    downloadBytesPerSecond: 1_000_000,
    attachmentsPerPo: { min: 2, max: 2 },
    minFileBytes: 50_000,
    maxFileBytes: 300_000,
    statuses: 'completed',
    padBytes: 200_000_000,
    headless: true,
    baseline: true,
    large: false,
    largeInputPos: 10_000,
    largeRunPos: 2_000,
  });
  // The headline never overrides the job's load governor.
  expect(DEFAULT_BENCH_OPTIONS.cpuLimitPercent).toBeUndefined();
  expect(DEFAULT_BENCH_OPTIONS.memoryLimitPercent).toBeUndefined();
});

test('every flag, in both --flag value and --flag=value forms', () => {
  const options = parseBenchArgs([
    '--windows', '1,3', '--pos=24', '--latency-ms', '150', '--download-rate=512kB', '--attachments', '2-3',
    '--file-size', '10kB-1.5MB', '--statuses=mixed', '--pad', '50MB', '--headed', '--work-dir', '/tmp/b', '--keep-profile',
    '--sample-ms=500', '--pss-ms', '0', '--cpu-limit', '90', '--memory-limit=95', '--no-baseline', '--wait-idle', '30', '--seed', '7',
    '--large', '--large-input', '5000', '--large-run=300', '--large-windows', '3', '--large-latency-ms', '0',
  ]);
  expect(options).toEqual({
    windows: [1, 3],
    pos: 24,
    latencyMs: 150,
    downloadBytesPerSecond: 512_000,
    attachmentsPerPo: { min: 2, max: 3 },
    minFileBytes: 10_000,
    maxFileBytes: 1_500_000,
    statuses: 'mixed',
    padBytes: 50_000_000,
    headless: false,
    workDir: '/tmp/b',
    keepProfile: true,
    sampleMs: 500,
    pssMs: 0,
    cpuLimitPercent: 90,
    memoryLimitPercent: 95,
    baseline: false,
    waitIdlePercent: 30,
    seed: 7,
    large: true,
    largeInputPos: 5000,
    largeRunPos: 300,
    largeWindows: 3,
    largeLatencyMs: 0,
    help: false,
  });
  expect(parseBenchArgs(['--help']).help).toBe(true);
  // The defaults object is not changed by parsing.
  expect(DEFAULT_BENCH_OPTIONS.attachmentsPerPo).toEqual({ min: 2, max: 2 });
  expect(DEFAULT_BENCH_OPTIONS.windows).toEqual([1, 2, 4]);
});

test('byte sizes: plain bytes, decimal units, fractions, case-insensitive', () => {
  expect(parseByteSize('300000', '--x')).toBe(300_000);
  expect(parseByteSize('300kB', '--x')).toBe(300_000);
  expect(parseByteSize('1.5MB', '--x')).toBe(1_500_000);
  expect(parseByteSize('2 gb', '--x')).toBe(2_000_000_000);
  expect(parseByteSize('0', '--x')).toBe(0);
  expect(() => parseByteSize('1.5 parsecs', '--pad')).toThrow(/--pad "1.5 parsecs" is not a size/);
  expect(() => parseByteSize('-1MB', '--pad')).toThrow(BenchOptionsError);
});

test('mistakes are operator errors that name the flag and the value', () => {
  const cases: [string[], RegExp][] = [
    [['--pos', 'x'], /--pos "x" must be a whole number from 1/],
    [['--pos', '0'], /--pos "0"/],
    [['--windows', '1,0'], /--windows "0"/],
    [['--windows', '2,2'], /lists a count twice/],
    [['--attachments', '3-1'], /maximum is below the minimum/],
    [['--attachments', '1-2-3'], /value or min-max/],
    [['--file-size', '0-10kB'], /at least one byte/],
    [['--statuses', 'some'], /completed or mixed/],
    [['--cpu-limit', '101'], /--cpu-limit "101"/],
    [['--pos'], /--pos needs a value/],
    [['--pos', '--headed'], /--pos needs a value/],
    [['--headed=yes'], /takes no value/],
    [['--turbo'], /unknown flag --turbo/],
    [['--page-latency-ms', '300'], /unknown flag --page-latency-ms/],
    [['--sample-ms', '50'], /--sample-ms "50" must be a whole number from 100/],
    [['--large-windows', '0'], /--large-windows "0"/],
    [['--large', '--large-input', '100', '--large-run', '200'], /--large-run 200 is more than the --large-input 100/],
    [['--no-baseline=1'], /takes no value/],
    [['fast'], /unexpected argument "fast"/],
  ];
  for (const [argv, message] of cases) {
    expect(() => parseBenchArgs(argv), argv.join(' ')).toThrow(message);
    expect(() => parseBenchArgs(argv)).toThrow(OperatorError);
  }
});
