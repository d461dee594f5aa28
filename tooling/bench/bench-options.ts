import { OperatorError } from '../../support/shared/operator-error.js';

/**
 * Command-line flags of `npm run bench`. Defaults describe a realistic tenant: 300 ms
 * per page, attachments of 50–300 kB streamed at 1 MB/s each, a base profile carrying
 * 200 MB of browser caches.
 */
export interface BenchOptions {
  /** Window counts to run, in order; the first is the baseline of speed-up and efficiency. */
  windows: number[];
  pos: number;
  pageLatencyMs: number;
  /** Per download; 0 = unlimited. */
  downloadBytesPerSecond: number;
  attachmentsPerPo: { min: number; max: number };
  minFileBytes: number;
  maxFileBytes: number;
  /** `completed`: every PO has files to fetch; `mixed`: the generator's default share of other outcomes. */
  statuses: 'completed' | 'mixed';
  /** Cache files added to the base profile (left out of snapshots, copied by a naive full copy). */
  padBytes: number;
  headless: boolean;
  /** Where the profile, inputs and downloads go. Default `.tmp/bench/<timestamp>` in the project. */
  workDir: string | undefined;
  keepProfile: boolean;
  memorySampleMs: number;
  /** Passed to the job as CPU_LIMIT_PERCENT / MEMORY_LIMIT_PERCENT when given. */
  cpuLimitPercent: number | undefined;
  memoryLimitPercent: number | undefined;
  /** Before each run, wait (up to 10 min) until other processes use less CPU than this. */
  waitIdlePercent: number | undefined;
  seed: number;
  help: boolean;
}

export const DEFAULT_BENCH_OPTIONS: BenchOptions = {
  windows: [1, 2, 4],
  pos: 60,
  pageLatencyMs: 300,
  downloadBytesPerSecond: 1_000_000,
  attachmentsPerPo: { min: 1, max: 3 },
  minFileBytes: 50_000,
  maxFileBytes: 300_000,
  statuses: 'completed',
  padBytes: 200_000_000,
  headless: true,
  workDir: undefined,
  keepProfile: false,
  memorySampleMs: 1000,
  cpuLimitPercent: undefined,
  memoryLimitPercent: undefined,
  waitIdlePercent: undefined,
  seed: 1,
  help: false,
};

export const BENCH_USAGE = `npm run bench -- [flags]

  --windows 1,2,4          window counts to run (first one is the baseline)   [1,2,4]
  --pos 60                 POs in the synthetic batch                         [60]
  --page-latency-ms 300    simulated server time per page                     [300]
  --download-rate 1MB      rate limit per download (B, kB, MB; 0 = none)       [1MB]
  --attachments 1-3        attachments per PO (n or min-max)                  [1-3]
  --file-size 50kB-300kB   attachment sizes                                   [50kB-300kB]
  --statuses completed     completed | mixed (adds not-found, partial, ...)   [completed]
  --pad 200MB              cache padding added to the base profile            [200MB]
  --headed                 show the windows (needs a display, e.g. xvfb-run)
  --work-dir DIR           where profile, inputs and downloads go             [.tmp/bench/<time>]
  --keep-profile           keep the padded profile afterwards
  --memory-sample-ms 1000  how often browser memory is sampled                [1000]
  --cpu-limit N            CPU_LIMIT_PERCENT for the job
  --memory-limit N         MEMORY_LIMIT_PERCENT for the job
  --wait-idle N            before each run, wait (up to 10 min) for system CPU below N %
  --seed 1                 batch generator seed                               [1]
`;

export class BenchOptionsError extends OperatorError {
  constructor(problem: string) {
    super(`npm run bench: ${problem}`, "See the flags with `npm run bench -- --help`.");
  }
}

const UNITS: Record<string, number> = { '': 1, b: 1, kb: 1000, k: 1000, mb: 1_000_000, m: 1_000_000, gb: 1_000_000_000, g: 1_000_000_000 };

/** `300000`, `300kB`, `1.5MB`, `2 GB` → bytes (decimal units, case-insensitive). */
export function parseByteSize(text: string, flag: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = match ? UNITS[match[2]!.toLowerCase()] : undefined;
  if (!match || unit === undefined) throw new BenchOptionsError(`${flag} "${text}" is not a size such as 300000, 300kB or 1.5MB`);
  return Math.round(Number(match[1]) * unit);
}

function parseWholeNumber(text: string, flag: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < min || n > max) throw new BenchOptionsError(`${flag} "${text}" must be a whole number from ${min} to ${max}`);
  return n;
}

function parseRange(text: string, flag: string, parse: (part: string) => number): { min: number; max: number } {
  const parts = text.split('-');
  if (parts.length > 2 || parts.some((p) => p.trim() === '')) throw new BenchOptionsError(`${flag} "${text}" must be a value or min-max`);
  const min = parse(parts[0]!);
  const max = parts.length === 2 ? parse(parts[1]!) : min;
  if (max < min) throw new BenchOptionsError(`${flag} "${text}": the maximum is below the minimum`);
  return { min, max };
}

const VALUE_FLAGS = new Set([
  'windows', 'pos', 'page-latency-ms', 'download-rate', 'attachments', 'file-size', 'statuses', 'pad', 'work-dir',
  'memory-sample-ms', 'cpu-limit', 'memory-limit', 'wait-idle', 'seed',
]);
const SWITCHES = new Set(['headed', 'keep-profile', 'help']);

export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  const options: BenchOptions = { ...DEFAULT_BENCH_OPTIONS, attachmentsPerPo: { ...DEFAULT_BENCH_OPTIONS.attachmentsPerPo } };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!match) throw new BenchOptionsError(`unexpected argument "${arg}"`);
    const name = match[1]!;
    if (SWITCHES.has(name)) {
      if (match[2] !== undefined) throw new BenchOptionsError(`--${name} takes no value`);
      if (name === 'headed') options.headless = false;
      if (name === 'keep-profile') options.keepProfile = true;
      if (name === 'help') options.help = true;
      continue;
    }
    if (!VALUE_FLAGS.has(name)) throw new BenchOptionsError(`unknown flag --${name}`);
    const value = match[2] ?? argv[++i];
    if (value === undefined || value.startsWith('--')) throw new BenchOptionsError(`--${name} needs a value`);
    const flag = `--${name}`;
    switch (name) {
      case 'windows': {
        const counts = value.split(',').map((v) => parseWholeNumber(v, flag, 1, 32));
        if (new Set(counts).size !== counts.length) throw new BenchOptionsError(`${flag} "${value}" lists a count twice`);
        options.windows = counts;
        break;
      }
      case 'pos':
        options.pos = parseWholeNumber(value, flag, 1, 100_000);
        break;
      case 'page-latency-ms':
        options.pageLatencyMs = parseWholeNumber(value, flag, 0, 60_000);
        break;
      case 'download-rate':
        options.downloadBytesPerSecond = parseByteSize(value, flag);
        break;
      case 'attachments':
        options.attachmentsPerPo = parseRange(value, flag, (p) => parseWholeNumber(p, flag, 1, 50));
        break;
      case 'file-size': {
        const { min, max } = parseRange(value, flag, (p) => parseByteSize(p, flag));
        if (min < 1) throw new BenchOptionsError(`${flag} "${value}": files need at least one byte`);
        options.minFileBytes = min;
        options.maxFileBytes = max;
        break;
      }
      case 'statuses':
        if (value !== 'completed' && value !== 'mixed') throw new BenchOptionsError(`${flag} "${value}" must be completed or mixed`);
        options.statuses = value;
        break;
      case 'pad':
        options.padBytes = parseByteSize(value, flag);
        break;
      case 'work-dir':
        options.workDir = value;
        break;
      case 'memory-sample-ms':
        options.memorySampleMs = parseWholeNumber(value, flag, 100, 60_000);
        break;
      case 'cpu-limit':
        options.cpuLimitPercent = parseWholeNumber(value, flag, 1, 100);
        break;
      case 'memory-limit':
        options.memoryLimitPercent = parseWholeNumber(value, flag, 1, 100);
        break;
      case 'wait-idle':
        options.waitIdlePercent = parseWholeNumber(value, flag, 1, 100);
        break;
      case 'seed':
        options.seed = parseWholeNumber(value, flag, 0);
        break;
    }
  }
  return options;
}
