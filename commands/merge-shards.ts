import { exitWithOperatorError, OperatorError } from '../support/shared/operator-error.js';
import { MERGE_USAGE, parseMergeArgs } from './merge-shards/merge-args.js';
import { mergeShards } from './merge-shards/shard-merge.js';

/** `npm run merge-shards -- <run folder> <run folder> … [--out <folder>] [--input <file>]` */
async function main(): Promise<void> {
  const args = parseMergeArgs(process.argv.slice(2), process.env.INIT_CWD ?? process.cwd());
  if (args.help) {
    process.stdout.write(`${MERGE_USAGE}\n`);
    return;
  }
  const result = await mergeShards({ runFolders: args.runFolders, out: args.out, input: args.input });
  process.stdout.write(
    `Merged ${args.runFolders.length} shard(s): ${result.total - result.missing.length} of ${result.total} PO(s) have a result.\n` +
      `Report: ${result.reportFile}\n` +
      (result.htmlReport ? `HTML report: ${result.htmlReport} (npx playwright show-report "${result.htmlReport}")\n` : '') +
      `Allure results: ${result.allureResults} (npm run report -- --results "${result.allureResults}")\n` +
      (result.missing.length ? `Without a result (run their shard again): ${result.missing.join(', ')}\n` : '') +
      (result.duplicates.length ? `Reported by more than one shard: ${result.duplicates.join(', ')}\n` : ''),
  );
  if (result.missing.length) process.exitCode = 1;
}

main().catch((error) => {
  if (error instanceof OperatorError) exitWithOperatorError(error);
  throw error;
});
