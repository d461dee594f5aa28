import path from 'node:path';
import { parseArgs } from 'node:util';
import { exitWithOperatorError, OperatorError } from '../support/shared/operator-error.js';
import { MergeError, mergeShards } from './merge-shards/shard-merge.js';

/** `npm run merge-shards -- <run folder> <run folder> … [--out <folder>] [--input <file>]` */
async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { out: { type: 'string' }, input: { type: 'string' } } });
  if (positionals.length === 0) {
    throw new MergeError('No run folders given.', 'Usage: npm run merge-shards -- <run folder> <run folder> … [--out <folder>] [--input <file>]');
  }
  const out = path.resolve(values.out ?? `merged-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  const result = await mergeShards({ runFolders: positionals.map((p) => path.resolve(p)), out, input: values.input });
  process.stdout.write(
    `Merged ${positionals.length} shard(s): ${result.total - result.missing.length} of ${result.total} PO(s) have a result.\n` +
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
