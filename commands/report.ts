import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { exitWithOperatorError, OperatorError } from '../support/shared/operator-error.js';
import { loadSettings, readEnvFile } from '../support/settings.js';
import { removeAnalytics } from './report/report-html.js';
import { allureReportConfig, parseReportArgs, readCategories, REPORT_USAGE, resolveReportTarget } from './report/report-target.js';

/**
 * `npm run report [-- <run folder>]`: the Allure HTML report of a run, made with the Allure 3
 * CLI the project installs (no Java), into `<run folder>/allure-report`.
 */
export class AllureGenerateError extends OperatorError {}

/** DOWNLOAD_DIR as the job resolves it; a report needs no tenant, so COUPA_BASE_URL may be missing. */
function downloadDirSetting(): string {
  const env = readEnvFile(process.cwd(), process.env);
  return loadSettings({ env: { COUPA_BASE_URL: 'https://not-needed-for-reports.invalid', ...env }, skipEnvFile: true }).downloadDir;
}

function allureCli(): string {
  try {
    return path.resolve(path.dirname(createRequire(import.meta.url).resolve('allure')), '..', 'cli.js');
  } catch {
    throw new AllureGenerateError('The Allure 3 command line (npm package "allure") is not installed.', 'Run npm ci in the project folder, then npm run report again.');
  }
}

function generate(argv: string[]): void {
  const args = parseReportArgs(argv);
  if (args.help) {
    process.stdout.write(`${REPORT_USAGE}\n`);
    return;
  }
  // npm runs scripts from the project folder; a relative folder is meant from where the operator typed it.
  const cwd = process.env.INIT_CWD ?? process.cwd();
  const target = resolveReportTarget(args, cwd, downloadDirSetting);
  const config = allureReportConfig(target, { singleFile: args.singleFile, categories: readCategories(target.resultsDir) });
  const configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'coupa-allure-config-'));
  try {
    const configFile = path.join(configDir, 'allurerc.json');
    fs.writeFileSync(configFile, JSON.stringify(config, null, 2));
    // A report from an earlier call would otherwise keep files of tests that no longer exist.
    fs.rmSync(target.outputDir, { recursive: true, force: true });
    const run = spawnSync(process.execPath, [allureCli(), 'generate', target.resultsDir, '--config', configFile, '--output', target.outputDir], {
      cwd: configDir,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    const index = path.join(target.outputDir, 'index.html');
    if (run.status !== 0 || !fs.existsSync(index)) {
      throw new AllureGenerateError(
        `allure generate failed for ${target.resultsDir} (exit ${run.status ?? run.signal}):\n${`${run.stdout ?? ''}${run.stderr ?? ''}`.trim() || run.error?.message || 'no output'}`,
        'Check that the folder holds the results of a job run; run npm ci if the Allure package is damaged.',
      );
    }
    fs.writeFileSync(index, removeAnalytics(fs.readFileSync(index, 'utf8')).html);
  } finally {
    fs.rmSync(configDir, { recursive: true, force: true });
  }
  process.stdout.write(
    `Allure report of ${target.name}: ${path.join(target.outputDir, 'index.html')}\n` +
      (args.singleFile
        ? 'Open that file in a browser (it needs no server and can be shared as one file).\n'
        : `Open it with: npx allure open "${target.outputDir}"\n` +
          '(It loads its data over HTTP, so a double-click on index.html shows an empty page; add --single-file for a report that opens from disk.)\n'),
  );
}

try {
  generate(process.argv.slice(2));
} catch (error) {
  if (error instanceof OperatorError) exitWithOperatorError(error, 'No report was generated.');
  throw error;
}
