/**
 * What `npm run check` found, one line per thing it checked, and what to do about each
 * problem. Pure: the checks produce items, this turns them into the text the operator reads.
 */
export interface CheckItem {
  name: string;
  state: 'ok' | 'failed' | 'skipped';
  detail: string;
  /** What the operator should do (failed items). */
  fix?: string;
}

const LABEL = { ok: '[ok]  ', failed: '[FAIL]', skipped: '[skip]' } as const;

export function formatCheckReport(items: CheckItem[], runCommand: string): { text: string; exitCode: number } {
  const width = Math.max(...items.map((i) => i.name.length));
  const lines = items.flatMap((item) => [
    `  ${LABEL[item.state]} ${item.name.padEnd(width)}  ${item.detail.split('\n').join(`\n${' '.repeat(width + 11)}`)}`,
    ...(item.fix ? [`${' '.repeat(width + 11)}→ ${item.fix}`] : []),
  ]);
  const problems = items.filter((i) => i.state === 'failed').length;
  const verdict = problems
    ? `${problems} problem(s) to fix before running the job (exit code 1).`
    : `Everything is ready: ${runCommand}`;
  return { text: `${lines.join('\n')}\n\n${verdict}\n`, exitCode: problems ? 1 : 0 };
}
