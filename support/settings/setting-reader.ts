import path from 'node:path';
import { expandPath, type PathContext } from './setting-paths.js';

export type Env = Record<string, string | undefined>;

/** Reads settings from the environment, collecting every problem instead of stopping at the first. */
export class SettingReader {
  readonly problems: string[] = [];
  /** Every setting asked for: the names a `.env` key is compared with. */
  readonly names = new Set<string>(['ENV_FILE']);
  constructor(
    private readonly env: Env,
    private readonly paths: PathContext & { cwd: string },
  ) {}

  raw(name: string): string | undefined {
    this.names.add(name);
    const value = this.env[name]?.trim();
    return value === '' ? undefined : value;
  }

  /** An absolute path; `~`, `%USERPROFILE%` (and on Windows any `%NAME%`) expanded, relative ones from the working folder. */
  path(name: string, fallback: string): string;
  path(name: string, fallback?: undefined): string | undefined;
  path(name: string, fallback?: string): string | undefined {
    const value = this.raw(name);
    if (value === undefined) return fallback === undefined ? undefined : path.resolve(this.paths.cwd, fallback);
    const expanded = expandPath(value, this.paths);
    if ('unsetVariable' in expanded) {
      this.problems.push(`${name}="${value}" uses %${expanded.unsetVariable}%, which is not set in the environment.`);
      return fallback === undefined ? undefined : path.resolve(this.paths.cwd, fallback);
    }
    return path.resolve(this.paths.cwd, expanded.path);
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  int(name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      this.problems.push(`${name}="${value}" must be a whole number between ${min} and ${max}.`);
      return fallback;
    }
    return n;
  }

  bool(name: string, fallback: boolean): boolean {
    const value = this.raw(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(value)) return true;
    if (['0', 'false', 'no', 'off'].includes(value)) return false;
    this.problems.push(`${name}="${this.raw(name)}" must be true or false.`);
    return fallback;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const match = allowed.find((a) => a === value.toLowerCase());
    if (!match) {
      this.problems.push(`${name}="${value}" must be one of: ${allowed.join(', ')}.`);
      return fallback;
    }
    return match;
  }

  listOf<T extends string>(name: string, allowed: readonly T[], fallback: T[]): T[] {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const items = value.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
    const unknown = items.filter((i) => !allowed.includes(i as T));
    if (unknown.length || items.length === 0) {
      this.problems.push(`${name}="${value}" must be a comma-separated list of: ${allowed.join(', ')}.`);
      return fallback;
    }
    return [...new Set(items as T[])];
  }
}
