import fs from 'node:fs';
import path from 'node:path';

/**
 * Paths as operators write them in settings: `~` and `%USERPROFILE%` mean the home folder
 * everywhere, and on Windows every `%NAME%` is the environment variable, as in Explorer.
 */

export interface PathContext {
  env: Record<string, string | undefined>;
  platform: NodeJS.Platform;
  home: string;
}

/** The path with its variables replaced, or the name of a variable that is not set. */
export function expandPath(value: string, context: PathContext): { path: string } | { unsetVariable: string } {
  const withHome = /^~(?=$|[\\/])/.test(value) ? context.home + value.slice(1) : value;
  let unsetVariable: string | undefined;
  const expanded = withHome.replace(/%([A-Za-z_][A-Za-z0-9_()]*)%/g, (whole, name: string) => {
    const value = variable(name, context);
    if (value !== undefined) return value;
    // Outside Windows `%` is an ordinary character of a file name.
    if (context.platform === 'win32') unsetVariable ??= name;
    return whole;
  });
  return unsetVariable === undefined ? { path: expanded } : { unsetVariable };
}

function variable(name: string, context: PathContext): string | undefined {
  const isHome = name.toUpperCase() === 'USERPROFILE';
  if (context.platform !== 'win32') return isHome ? context.home : undefined;
  // Windows variable names ignore case.
  const key = Object.keys(context.env).find((candidate) => candidate.toUpperCase() === name.toUpperCase());
  const value = key === undefined ? undefined : context.env[key];
  return value || (isHome ? context.home : undefined);
}

/** Whether `inner` is `outer` or lies below it, symbolic links resolved as far as the paths exist. */
export function isInsideFolder(inner: string, outer: string, platform: NodeJS.Platform): boolean {
  const fold = (p: string) => (platform === 'win32' || platform === 'darwin' ? p.toLowerCase() : p);
  const relative = path.relative(fold(realPathAsFarAsItExists(outer)), fold(realPathAsFarAsItExists(inner)));
  return relative === '' || (!relative.startsWith(`..${path.sep}`) && relative !== '..' && !path.isAbsolute(relative));
}

function realPathAsFarAsItExists(target: string): string {
  const absolute = path.resolve(target);
  const missing: string[] = [];
  for (let existing = absolute; ; existing = path.dirname(existing)) {
    try {
      return path.join(fs.realpathSync.native(existing), ...missing.reverse());
    } catch {
      if (path.dirname(existing) === existing) return absolute;
      missing.push(path.basename(existing));
    }
  }
}
