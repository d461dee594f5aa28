import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type BrowserContext, type Page } from '@playwright/test';
import { processPo } from '../../support/coupa/po-processor.js';
import { buildJobPlan, type PlannedPo } from '../../support/input/job-plan.js';
import { readInput } from '../../support/input/read-input.js';
import { ResultJournal } from '../../support/run-state/journal.js';
import { resultWithoutFiles } from '../../support/po-result.js';
import { QUIET_BROWSER_ARGS, resolveBrowser } from '../../support/profile/browser-launch.js';
import { loadSettings } from '../../support/settings.js';
import { TSX_PAGE_HELPERS } from '../../support/window/browser-process.js';
import { signInOnSimulatorForm } from '../simulator/simulator-sign-in.js';
import { BASELINE_JOURNAL, BASELINE_SUMMARY, type BaselineSummary } from './run-outputs.js';

/**
 * The peer the job is measured against (issue 11): what a Node engineer would write with
 * plain Playwright, in the manner of Crawlee's PlaywrightCrawler. One browser
 * (`chromium.launch`, the same executable and quiet flags as the job), one ordinary
 * context signed in once through the identity provider's form, N pages pulling POs from
 * one shared queue. Each PO gets the job's own PO work (processPo: open the page, find
 * the attachments, download every one completely to disk, convert Outlook messages), so
 * the two differ only in how they run browsers, not in what they do per PO.
 *
 * Run by the benchmark as its own process, so its CPU and memory are measured like the
 * job's: `node --import tsx tooling/bench/baseline-crawler.ts --pages N --out DIR`, with
 * the job's settings in the environment and the simulator's user in BASELINE_USERNAME /
 * BASELINE_PASSWORD. Writes DIR/journal.jsonl (one result per PO, as the job journals
 * them), the PO folders, and DIR/baseline-summary.json.
 */
const { values } = parseArgs({ options: { pages: { type: 'string' }, out: { type: 'string' } } });
const pages = Number(values.pages);
const out = values.out ? path.resolve(values.out) : '';
if (!(Number.isInteger(pages) && pages >= 1) || !out) {
  process.stderr.write('usage: baseline-crawler.ts --pages N --out DIR (job settings in the environment)\n');
  process.exit(2);
}

const started = Date.now();
const since = () => Date.now() - started;
const settings = loadSettings();
const queue: PlannedPo[] = buildJobPlan(await readInput(settings.inputCsv)).pos;
const total = queue.length;
const journal = new ResultJournal(path.join(out, BASELINE_JOURNAL));
fs.mkdirSync(out, { recursive: true });

const browser = resolveBrowser(settings);
const instance = await chromium.launch({
  ...(browser.channel && { channel: browser.channel }),
  ...(browser.executablePath && { executablePath: browser.executablePath }),
  headless: settings.headless,
  args: QUIET_BROWSER_ARGS,
});
const launchedMs = since();
const context: BrowserContext = await instance.newContext({ acceptDownloads: true });
await context.addInitScript({ content: TSX_PAGE_HELPERS });
const first = await context.newPage();
await first.goto(new URL('/', settings.coupaBaseUrl).href);
if (!/home|dashboard/.test(first.url())) {
  await signInOnSimulatorForm(first, { username: process.env.BASELINE_USERNAME ?? '', password: process.env.BASELINE_PASSWORD ?? '' });
  await first.waitForURL(/home|dashboard/, { timeout: settings.pageTimeoutMs });
}
const signedInMs = since();
const workers: Page[] = [first, ...(await Promise.all(Array.from({ length: pages - 1 }, () => context.newPage())))];
const readyMs = since();

const log = (message: string) => process.stdout.write(`${message}\n`);

/** One page's loop: take the next PO until the queue is empty. A page that crashed is replaced. */
async function crawl(page: Page, label: string): Promise<void> {
  for (let po = queue.shift(); po; po = queue.shift()) {
    try {
      const result = await processPo(
        { page, settings, runRoot: out, window: label, log: (m) => log(`[${label}] ${m}`), step: (_title, body) => body() },
        po,
      );
      journal.append(result);
      log(`[${label}] ${po.poNumber} ${result.status} ${result.attachmentsDownloaded}/${result.attachmentsFound} file(s)`);
    } catch (error) {
      journal.append(resultWithoutFiles(po, { status: 'FAILED', window: label, errorMessage: (error as Error).message.split('\n')[0]! }));
      log(`[${label}] ${po.poNumber} FAILED: ${(error as Error).message.split('\n')[0]}`);
      if (page.isClosed()) page = await context.newPage();
    }
  }
}

await Promise.all(workers.map((page, i) => crawl(page, `P${i + 1}`)));
await context.close();
await instance.close();
const summary: BaselineSummary = { pages, pos: total, startedAt: new Date(started).toISOString(), launchedMs, signedInMs, readyMs, endedAt: new Date().toISOString() };
fs.writeFileSync(path.join(out, BASELINE_SUMMARY), JSON.stringify(summary, null, 2));
