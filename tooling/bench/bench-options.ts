import { OperatorError } from '../../support/shared/operator-error.js';

/**
 * Command-line flags of `npm run bench`. The defaults are issue 11's measurement: 40 POs ×
 * 2 attachments (50–300 kB, streamed at 1 MB/s each), 300 ms of server time before every
 * answer (pages, downloads, redirects, HEAD, identity provider), the job at its default
 * settings (load governor included), a
 * base profile carrying 200 MB of browser caches.
 */
export interface BenchOptions {
  /** Window counts to run, in order; the first is the reference of speed-up and efficiency. */
  windows: number[];
  pos: number;
  /** Server time before every answer of the simulator (its requestLatencyMs). */
  latencyMs: number;
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
  /** Pace of the process-tree sampler (memory, processes); CPU-seconds do not depend on it. */
  sampleMs: number;
  /** Proportional set sizes are read at most this often (they cost the machine CPU). */
  pssMs: number;
  /** Diagnosis only: passed to the job as CPU_LIMIT_PERCENT / MEMORY_LIMIT_PERCENT. The headline uses the job's defaults. */
  cpuLimitPercent: number | undefined;
  memoryLimitPercent: number | undefined;
  /** Also run the single-browser N-page peer at every N (the default). */
  baseline: boolean;
  /** Before each run, wait (up to 10 min) until other processes use less CPU than this. */
  waitIdlePercent: number | undefined;
  seed: number;
  /** `--large`: the large-batch measurements instead of the window comparison. */
  large: boolean;
  /** POs in the input whose planning and test generation are timed. */
  largeInputPos: number;
  /** POs the long run processes (the first ones of that input). */
  largeRunPos: number;
  largeWindows: number;
  largeLatencyMs: number;
  help: boolean;
}

export const DEFAULT_BENCH_OPTIONS: BenchOptions = {
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
  workDir: undefined,
  keepProfile: false,
  sampleMs: 1000,
  pssMs: 5000,
  cpuLimitPercent: undefined,
  memoryLimitPercent: undefined,
  baseline: true,
  waitIdlePercent: undefined,
  seed: 1,
  large: false,
  largeInputPos: 10_000,
  largeRunPos: 2_000,
  largeWindows: 2,
  largeLatencyMs: 10,
  help: false,
};

export const BENCH_USAGE = `npm run bench -- [flags]

Window comparison (default): the job with its default settings at each N, and a
single-browser N-page peer (plain Playwright) on the same simulator and POs.
  --windows 1,2,4          window counts to run (first one is the reference)  [1,2,4]
  --pos 40                 POs in the synthetic batch                         [40]
  --latency-ms 300         server time before every request's answer          [300]
  --download-rate 1MB      rate limit per download (B, kB, MB; 0 = none)       [1MB]
  --attachments 2          attachments per PO (n or min-max)                  [2]
  --file-size 50kB-300kB   attachment sizes                                   [50kB-300kB]
  --statuses completed     completed | mixed (adds not-found, partial, ...)   [completed]
  --pad 200MB              cache padding added to the base profile            [200MB]
  --no-baseline            skip the single-browser peer
  --cpu-limit N            diagnosis: CPU_LIMIT_PERCENT for the job (headline: job default)
  --memory-limit N         diagnosis: MEMORY_LIMIT_PERCENT for the job
Large batches (--large): planning and test generation of a large input, memory of the
runner and workers over a long run, report writing, the HTML report opening.
  --large
  --large-input 10000      POs in the input whose planning is timed           [10000]
  --large-run 2000         POs the long run processes                         [2000]
  --large-windows 2        windows of the long run                            [2]
  --large-latency-ms 10    server time per request in the long run            [10]
Both:
  --headed                 show the windows (needs a display, e.g. xvfb-run)
  --work-dir DIR           where profile, inputs, downloads and the JSON go   [.tmp/bench/<time>]
                           (with the default, the JSON is also kept in bench-results/)
  --keep-profile           keep the padded profile afterwards
  --sample-ms 1000         pace of the process-tree memory sampler            [1000]
  --pss-ms 5000            window comparison: read PSS at most this often     [5000]
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

type NumberFlag = 'pos' | 'latencyMs' | 'sampleMs' | 'pssMs' | 'cpuLimitPercent' | 'memoryLimitPercent' | 'waitIdlePercent' | 'seed' |
  'largeInputPos' | 'largeRunPos' | 'largeWindows' | 'largeLatencyMs';

/** Flags holding one whole number: the option they set and its range. */
const NUMBER_FLAGS: Record<string, [NumberFlag, number, number]> = {
  pos: ['pos', 1, 100_000],
  'latency-ms': ['latencyMs', 0, 60_000],
  'sample-ms': ['sampleMs', 100, 60_000],
  'pss-ms': ['pssMs', 0, 600_000],
  'cpu-limit': ['cpuLimitPercent', 1, 100],
  'memory-limit': ['memoryLimitPercent', 1, 100],
  'wait-idle': ['waitIdlePercent', 1, 100],
  seed: ['seed', 0, Number.MAX_SAFE_INTEGER],
  'large-input': ['largeInputPos', 1, 1_000_000],
  'large-run': ['largeRunPos', 1, 1_000_000],
  'large-windows': ['largeWindows', 1, 32],
  'large-latency-ms': ['largeLatencyMs', 0, 60_000],
};
const OTHER_VALUE_FLAGS = new Set(['windows', 'download-rate', 'attachments', 'file-size', 'statuses', 'pad', 'work-dir']);
const SWITCHES = new Set(['headed', 'keep-profile', 'no-baseline', 'large', 'help']);

export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  const options: BenchOptions = { ...DEFAULT_BENCH_OPTIONS, windows: [...DEFAULT_BENCH_OPTIONS.windows], attachmentsPerPo: { ...DEFAULT_BENCH_OPTIONS.attachmentsPerPo } };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!match) throw new BenchOptionsError(`unexpected argument "${arg}"`);
    const name = match[1]!;
    if (SWITCHES.has(name)) {
      if (match[2] !== undefined) throw new BenchOptionsError(`--${name} takes no value`);
      if (name === 'headed') options.headless = false;
      if (name === 'keep-profile') options.keepProfile = true;
      if (name === 'no-baseline') options.baseline = false;
      if (name === 'large') options.large = true;
      if (name === 'help') options.help = true;
      continue;
    }
    const numeric = NUMBER_FLAGS[name];
    if (!numeric && !OTHER_VALUE_FLAGS.has(name)) throw new BenchOptionsError(`unknown flag --${name}`);
    const value = match[2] ?? argv[++i];
    if (value === undefined || value.startsWith('--')) throw new BenchOptionsError(`--${name} needs a value`);
    const flag = `--${name}`;
    if (numeric) {
      const [key, min, max] = numeric;
      options[key] = parseWholeNumber(value, flag, min, max);
      continue;
    }
    switch (name) {
      case 'windows': {
        const counts = value.split(',').map((v) => parseWholeNumber(v, flag, 1, 32));
        if (new Set(counts).size !== counts.length) throw new BenchOptionsError(`${flag} "${value}" lists a count twice`);
        options.windows = counts;
        break;
      }
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
    }
  }
  if (options.large && options.largeRunPos > options.largeInputPos) {
    throw new BenchOptionsError(`--large-run ${options.largeRunPos} is more than the --large-input ${options.largeInputPos} POs it is taken from`);
  }
  return options;
}
