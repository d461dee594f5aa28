import path from 'node:path';
import { parseArgs } from 'node:util';
import { MergeError } from './shard-merge.js';

export const MERGE_USAGE = `Usage: npm run merge-shards -- <run folder> <run folder> … [--out <folder>] [--input <file>]

Brings the run folders of a batch split with --shard=k/n (one per machine) together:
one CSV report over the whole input, one Playwright HTML report, one Allure results folder.
  --out <folder>   where the merged reports go (default: merged-<date> here)
  --input <file>   the input every shard ran with, when its path differs on this machine
Relative paths are taken from the folder you run the command in.`;

export type MergeArgs = { help: true } | { help: false; runFolders: string[]; out: string; input: string | undefined };

/**
 * The command line of `npm run merge-shards`. npm runs a script in the project folder; a
 * relative path is meant from where the operator stands, which npm passes as INIT_CWD.
 */
export function parseMergeArgs(argv: string[], cwd: string, now = new Date()): MergeArgs {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { out: { type: 'string' }, input: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  } catch (error) {
    throw new MergeError((error as Error).message, MERGE_USAGE);
  }
  const { values, positionals } = parsed;
  if (values.help) return { help: true };
  if (positionals.length === 0) throw new MergeError('No run folders given.', MERGE_USAGE);
  return {
    help: false,
    runFolders: positionals.map((folder) => path.resolve(cwd, folder)),
    out: path.resolve(cwd, values.out ?? `merged-${now.toISOString().replace(/[:.]/g, '-')}`),
    input: values.input === undefined ? undefined : path.resolve(cwd, values.input),
  };
}
