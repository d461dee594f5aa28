import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Browser, type BrowserContext } from '@playwright/test';
import { LINK_CONCURRENCY } from '../../support/coupa/attachment-collector.js';
import { processPo } from '../../support/coupa/po-processor.js';
import type { PoJobContext } from '../../support/coupa/po-context.js';
import { attachmentContent } from '../../tooling/simulator/attachment-content.js';
import type { SimAttachment, SimPo } from '../../tooling/simulator/catalogue-model.js';
import { COUPA_SESSION_COOKIE } from '../../tooling/simulator/index.js';
import { startSimulator, type RunningSimulator } from '../../tooling/simulator/simulator.js';
import { signedInBrowser } from './helpers-simulator/signed-in-browser.js';

/**
 * A PO's links are fetched a few at a time (JavaScript buttons one by one, first), with the
 * real downloader, a real Chromium and the simulator: never more than LINK_CONCURRENCY at
 * once, files named in the page's order whatever order they arrive in, and one session
 * renewal shared by links that all found the session expired.
 */
const attachment = (id: number, fileName: string, fields: Partial<SimAttachment> = {}): SimAttachment => ({
  id: String(id),
  fileName,
  size: 20_000 + id % 1000,
  form: 'download-link',
  disposition: 'attachment',
  ...fields,
});

const po: SimPo = {
  id: '4900001',
  supplier: 'Parallel Parts Ltd',
  supplierMarkup: 'label-value',
  attachments: [
    attachment(79000011, 'Clicked.pdf', { form: 'script-button' }),
    // The first "Same.pdf" arrives last: it is still the one named Same.pdf.
    attachment(79000012, 'Same.pdf', { faults: { slow: { chunkBytes: 4_000, delayMs: 150 } } }),
    attachment(79000013, 'Same.pdf'),
    attachment(79000014, 'Notes.txt'),
    attachment(79000015, 'Terms.pdf', { form: 'comment-link' }),
    attachment(79000016, 'Drawing.pdf', { form: 'inline-link', disposition: 'inline' }),
  ],
  expectedStatus: 'COMPLETED',
  scenario: 'several links fetched at once',
};

let sim: RunningSimulator;
let browser: Browser;
let context: BrowserContext;
let folder: string;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  sim = await startSimulator({ catalogue: { pos: [po] }, downloadLatencyMs: 300 });
  ({ browser, context } = await signedInBrowser(sim));
});

test.afterAll(async () => {
  await browser?.close();
  await sim?.close();
});

test.beforeEach(() => {
  folder = fs.mkdtempSync(path.join(os.tmpdir(), 'concurrent-'));
  sim.resetStats();
});

test.afterEach(() => fs.rmSync(folder, { recursive: true, force: true }));

const sha = (bytes: Buffer) => crypto.createHash('sha256').update(bytes).digest('hex');

function jobContext(log: string[] = []): PoJobContext {
  return {
    page: context.pages()[0]!,
    settings: { coupaBaseUrl: new URL(sim.coupaUrl), pageTimeoutMs: 10_000, pageRetries: 0, downloadTimeoutMs: 20_000, downloadRetries: 2, msgToPdf: false },
    runRoot: folder,
    window: 'A',
    log: (message) => log.push(message),
    step: (_title, body) => body(),
    backoffMs: 10,
  };
}

const planned = { id: po.id, poNumber: `PO${po.id}`, title: `PO${po.id}`, rowNumbers: [2], hierarchy: null };

test('links are fetched a few at a time and named in the page\'s order, the JavaScript button first', async () => {
  const log: string[] = [];
  const result = await processPo(jobContext(log), planned);
  expect(result.status).toBe('COMPLETED');
  const stats = sim.stats();
  expect(stats.maxConcurrentRequests, 'links overlapped').toBeGreaterThanOrEqual(2);
  expect(stats.maxConcurrentRequests, 'bounded').toBeLessThanOrEqual(LINK_CONCURRENCY);
  expect(result.files.map((f) => f.name)).toEqual(['Clicked.pdf', 'Same.pdf', 'Same (2).pdf', 'Notes.txt', 'Drawing.pdf', 'Terms.pdf']); // The comment thread comes last on the page.
  // Named by page order, not by arrival: the slow first "Same.pdf" keeps the plain name.
  const saved = log.filter((l) => l.includes('saved "Same'));
  expect(saved).toEqual([expect.stringContaining('saved "Same.pdf"'), expect.stringContaining('saved "Same (2).pdf"')]);
  for (const [name, spec] of [['Same.pdf', po.attachments[1]!], ['Same (2).pdf', po.attachments[2]!]] as const) {
    expect(sha(fs.readFileSync(path.join(result.downloadFolder, name))), name).toBe(sha(attachmentContent(spec)));
  }
});

test('links that all find the session expired share one renewal', async () => {
  // The session ends once the JavaScript button's file is saved, just before the links are fetched together.
  const base = jobContext();
  const ctx: PoJobContext = {
    ...base,
    step: async (title, body) => {
      if (title.startsWith('Saved "Clicked.pdf"')) await context.clearCookies({ name: COUPA_SESSION_COOKIE });
      return body();
    },
  };
  const result = await processPo(ctx, planned);
  expect(result.status).toBe('COMPLETED');
  expect(result.files).toHaveLength(po.attachments.length);
  expect(sim.stats().ssoBounces, 'one renewal for the links fetched together').toBe(1);
});
