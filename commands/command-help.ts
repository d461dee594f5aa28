/**
 * `--help` (or `-h`) on the command line of an operator command that takes no other argument:
 * its usage is printed and it ends with exit code 0, before any setting is read or any
 * browser starts.
 */
export function answerHelp(argv: readonly string[], usage: string): void {
  if (!argv.some((arg) => arg === '--help' || arg === '-h')) return;
  process.stdout.write(`${usage.trim()}\n`);
  process.exit(0);
}
