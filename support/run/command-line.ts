/**
 * Playwright options the job needs before Playwright hands them over: the config is
 * evaluated before any test is loaded, and an option can change what the job must do
 * first (`--grep` that selects nothing).
 * Read as Playwright's command line parser reads them: `--name value`, `--name=value`,
 * `-x value`, `-xvalue`; the last occurrence wins; nothing after `--` is an option.
 */
export function commandLineOption(argv: readonly string[], long: string, short?: string): string | undefined {
  let value: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') break;
    if ((arg === long || arg === short) && i + 1 < argv.length) value = argv[++i];
    else if (arg.startsWith(`${long}=`)) value = arg.slice(long.length + 1);
    else if (short && arg.length > short.length && arg.startsWith(short) && !arg.startsWith('--')) value = arg.slice(short.length);
  }
  return value;
}
