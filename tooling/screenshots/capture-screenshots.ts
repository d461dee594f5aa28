import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Page } from '@playwright/test';
import { exitWithOperatorError, OperatorError } from '../../support/shared/operator-error.js';
import { LINUX_SYSTEM_CHROMIUM, QUIET_BROWSER_ARGS } from '../../support/profile/browser-launch.js';
import { PROJECT_ROOT } from '../../commands/job-process.js';
import { formatRunSummary, type RunSummary } from '../../support/report/run-summary.js';
import { serveFolder } from './static-server.js';
import { runPaths } from '../../support/run-state/run-paths.js';
import { summaryFromTerminalLog, terminalPageHtml } from './terminal-page.js';

/**
 * The README's screenshots, taken from a real run folder after `npm run report` on it:
 *
 *   npx tsx tooling/screenshots/capture-screenshots.ts <run folder> [--out docs/screenshots]
 *       [--terminal <captured output of the run>] [--browser /usr/bin/chromium]
 *
 * The Allure report is served on 127.0.0.1 (it loads its data with fetch, which file://
 * refuses); any request elsewhere is blocked and reported. The terminal summary comes from
 * the run's `run-summary.json`, or from a captured terminal log given with --terminal.
 */
export class ScreenshotError extends OperatorError {}

const USAGE =
  'Usage: npx tsx tooling/screenshots/capture-screenshots.ts <run folder> [--out <folder>] [--terminal <log file>] [--browser <chromium executable>]';

interface CaptureArgs {
  runRoot: string;
  out: string;
  terminal?: string;
  browser: string;
}

function parseArgs(argv: string[], cwd: string): CaptureArgs {
  let runRoot: string | undefined;
  let out = path.join(PROJECT_ROOT, 'docs', 'screenshots');
  let terminal: string | undefined;
  let browser = LINUX_SYSTEM_CHROMIUM;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined) throw new ScreenshotError(`${arg} needs a value.`, USAGE);
      return path.resolve(cwd, next);
    };
    if (arg === '--out') out = value();
    else if (arg === '--terminal') terminal = value();
    else if (arg === '--browser') browser = value();
    else if (arg.startsWith('--') || runRoot) throw new ScreenshotError(`Unexpected argument ${arg}.`, USAGE);
    else runRoot = path.resolve(cwd, arg);
  }
  if (!runRoot) throw new ScreenshotError('No run folder given.', USAGE);
  return { runRoot, out, terminal, browser };
}

function summaryText(args: CaptureArgs): string {
  if (args.terminal) {
    const text = summaryFromTerminalLog(fs.readFileSync(args.terminal, 'utf8'));
    if (!text) throw new ScreenshotError(`${args.terminal} has no "Run summary" block.`, 'Give the complete output of a run (e.g. npm run demo | tee demo.log).');
    return text;
  }
  const file = runPaths(args.runRoot).runSummaryFile;
  if (!fs.existsSync(file)) {
    throw new ScreenshotError(`${file} does not exist.`, 'Use a run made by a version of the job that writes the run summary, or give its captured output with --terminal.');
  }
  return formatRunSummary(JSON.parse(fs.readFileSync(file, 'utf8')) as RunSummary, { color: true });
}

/** Opens tree groups of the report by their exact titles, outermost first. */
async function expandTree(page: Page, titles: string[]): Promise<void> {
  for (const title of titles) await page.getByTestId('tree-section-title').getByText(title, { exact: true }).first().click();
}

async function capture(args: CaptureArgs): Promise<string[]> {
  const paths = runPaths(args.runRoot);
  const reportDir = paths.allureReportDir;
  if (!fs.existsSync(path.join(reportDir, 'index.html'))) {
    throw new ScreenshotError(`${reportDir} has no Allure report.`, `Run npm run report -- "${args.runRoot}" first.`);
  }
  const windowLetters = fs.existsSync(paths.windowSummaryFile)
    ? [...new Set((JSON.parse(fs.readFileSync(paths.windowSummaryFile, 'utf8')) as { windows: { window: string }[] }).windows.map((w) => w.window))]
    : [];
  const terminal = summaryText(args);
  fs.mkdirSync(args.out, { recursive: true });

  const server = await serveFolder(reportDir);
  // Playwright's HTML report and the run's timeline, from the run folder itself.
  const runServer = await serveFolder(args.runRoot);
  const browser = await chromium.launch({ executablePath: args.browser, args: QUIET_BROWSER_ARGS, headless: true });
  const blocked: string[] = [];
  const written: string[] = [];
  try {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: 'light' });
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(server.url) || url.startsWith(runServer.url) || url.startsWith('data:')) return route.continue();
      blocked.push(url);
      return route.abort();
    });
    const page = await context.newPage();
    const shot = async (name: string, options: Parameters<Page['screenshot']>[0] = {}) => {
      const file = path.join(args.out, name);
      await page.screenshot({ ...options, path: file });
      written.push(file);
    };

    // (a) Each window's profile verification: the Windows suite opened, window A's entry beside it.
    await page.goto(server.url);
    await page.getByTestId('toggle-layout-button').click();
    await expandTree(page, ['Profile verification', 'Windows', ...windowLetters.map((w) => `Window ${w}`)]);
    await page.getByTestId('tree-leaf-title').getByText(/^Window A, start 1: /).first().click();
    await page.getByText('Test body').first().waitFor();
    await shot('allure-windows.png');

    // (b) Business outcomes apart from infrastructure faults: the categories, a PO not found opened.
    await page.getByTestId('nav-tab-categories').click();
    await expandTree(page, ['Business outcome: PO not found']);
    await page.getByTestId('tree-leaf-title').first().click();
    await page.getByText(/Outcome PO_NOT_FOUND: /).first().waitFor();
    await shot('allure-categories.png');

    // (c) Which window processed what, and when.
    await page.goto(`${server.url}#timeline`);
    await page.getByText(/^window A$/).first().waitFor();
    await page.setViewportSize({ width: 1440, height: 480 });
    // The timeline fades its bars in; a screenshot taken at once shows them half drawn.
    await page.waitForTimeout(2_000);
    await shot('allure-timeline.png');

    // (d) Playwright's HTML report: the POs that did not complete, each failed with its outcome on its test.
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto(new URL('playwright-report/index.html#?q=s:failed', runServer.url).href);
    const failedPo = page.getByText(/^[A-Z]+\d{4,}$/).first();
    await failedPo.waitFor();
    await shot('html-report-failed.png');
    await failedPo.click();
    await page.getByText(/^Outcome [A-Z_]+:/).first().waitFor();
    await shot('html-report-po.png');

    // (e) The run's timeline: one lane per window, each PO coloured by its outcome, the load below.
    await page.setViewportSize({ width: 1440, height: 700 });
    await page.goto(new URL('timeline.html', runServer.url).href);
    await page.locator('svg').first().waitFor();
    await shot('run-timeline.png', { fullPage: true });

    // (f) The end of the run in the terminal.
    await page.setViewportSize({ width: 1300, height: 400 });
    await page.setContent(terminalPageHtml(`end of the run: ${path.basename(args.runRoot)}`, terminal));
    await shot('terminal-summary.png', { fullPage: true });
  } finally {
    await browser.close();
    await server.close();
    await runServer.close();
  }
  if (blocked.length) process.stderr.write(`Blocked request(s) to other hosts (not needed for the screenshots):\n${blocked.map((u) => `  ${u}`).join('\n')}\n`);
  return written;
}

try {
  const args = parseArgs(process.argv.slice(2), process.env.INIT_CWD ?? process.cwd());
  for (const file of await capture(args)) {
    const kb = Math.round(fs.statSync(file).size / 1024);
    process.stdout.write(`${file} (${kb} KB)${kb > 300 ? '  ← larger than 300 KB' : ''}\n`);
  }
} catch (error) {
  if (error instanceof OperatorError) exitWithOperatorError(error, 'No screenshot was taken.');
  throw error;
}
