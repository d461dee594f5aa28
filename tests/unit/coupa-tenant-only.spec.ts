import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { AttachmentDownloadError, fetchAttachment, placeAttachment, type AttachmentSource, type DownloadOptions } from '../../support/coupa/attachment-downloader.js';
import { clickForDownload, discoverAttachments, neutraliseFloatingToolbar } from '../../support/coupa/coupa-page.js';
import { AuthenticationLostError } from '../../support/coupa/job-errors.js';
import { processPo } from '../../support/coupa/po-processor.js';
import { attachmentContent } from '../../tooling/simulator/attachment-content.js';
import { fixtureCatalogue } from '../../tooling/simulator/fixture-catalogue.js';
import { startSimulator, type RunningSimulator } from '../../tooling/simulator/simulator.js';
import { signedInBrowser } from './helpers-simulator/signed-in-browser.js';

/**
 * The window's session goes to the tenant only: with the real downloader, a real Chromium
 * and the simulator in storage-host mode (downloads redirect to a signed URL on 127.0.0.2).
 */
const attachments = fixtureCatalogue().pos.flatMap((po) => po.attachments);
const attachment = (id: string) => attachments.find((a) => a.id === id)!;

/** One attachment as the collector downloads it: fetched, then named. */
const downloadAttachment = async (source: AttachmentSource, options: DownloadOptions) => placeAttachment(await fetchAttachment(source, options), options);

let sim: RunningSimulator;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let folder: string;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  sim = await startSimulator({ storageHost: true });
  ({ browser, context, page } = await signedInBrowser(sim));
});

test.afterAll(async () => {
  await browser?.close();
  await sim?.close();
});

test.beforeEach(() => {
  folder = fs.mkdtempSync(path.join(os.tmpdir(), 'tenant-only-'));
  sim.resetStats();
});

test.afterEach(() => {
  fs.rmSync(folder, { recursive: true, force: true });
});

function options(overrides: Partial<DownloadOptions> = {}): DownloadOptions & { retried: string[] } {
  const retried: string[] = [];
  return {
    context,
    folder,
    taken: new Set(),
    timeoutMs: 10_000,
    retries: 1,
    backoffMs: 10,
    coupaOrigin: new URL(sim.coupaUrl).origin,
    renewSession: async () => {
      throw new Error('the session was renewed although it had not expired');
    },
    onRetry: (message) => retried.push(message),
    retried,
    ...overrides,
  };
}

test('a link the tenant redirects to a storage host is downloaded, without a cookie to that host, and marked as from the Internet', async () => {
  const pdf = attachment('71000011');
  const opts = options({ platform: 'win32' });
  const referrerUrl = `${sim.coupaUrl}/order_headers/4100001`;
  const file = await downloadAttachment({ source: 'PO', hints: {}, referrerUrl, url: `${sim.coupaUrl}/attachment_files/${pdf.id}/download` }, opts);
  expect(opts.retried).toEqual([]);
  expect(file.name).toBe(pdf.fileName);
  expect(fs.readFileSync(path.join(folder, file.name)).equals(attachmentContent(pdf))).toBe(true);
  const stats = sim.stats();
  expect(stats).toMatchObject({ storageRequests: 1, storageRequestsWithCookies: 0, downloadsCompleted: { [pdf.id]: 1 } });
  expect(stats.storageSignatures).toHaveLength(1);
  expect(JSON.stringify(file)).not.toContain(stats.storageSignatures[0]);
  // As Windows would keep it: the Internet zone, the storage host without its signed query.
  expect(fs.readFileSync(path.join(folder, `${file.name}:Zone.Identifier`), 'utf8')).toBe(
    `[ZoneTransfer]\r\nZoneId=3\r\nReferrerUrl=${referrerUrl}\r\nHostUrl=${sim.storageUrl}/objects/${pdf.id}\r\n`,
  );
});

test('a JavaScript download redirected to the storage host is saved; neither the browser nor our length check sends that host a cookie', async () => {
  await page.goto(`${sim.coupaUrl}/order_headers/4100004`);
  await neutraliseFloatingToolbar(page);
  const buttons = (await discoverAttachments(page)).filter((found) => found.form === 'button');
  expect(buttons).toHaveLength(2);
  const opts = options();
  const source: AttachmentSource = { source: 'PO', hints: { title: buttons[0]!.title }, trigger: () => clickForDownload(page, buttons[0]!, 10_000) };
  const file = await downloadAttachment(source, opts);
  expect(opts.retried).toEqual([]);
  expect(fs.readdirSync(folder), 'no Mark-of-the-Web stream off Windows').toEqual([file.name]);
  const expected = attachment('71000041');
  expect(fs.readFileSync(path.join(folder, file.name)).equals(attachmentContent(expected))).toBe(true);
  // The browser's GET and our HEAD both went to the storage host, neither with a cookie.
  expect(sim.stats()).toMatchObject({ storageRequests: 2, storageRequestsWithCookies: 0 });
});

test('a link to another origin is reported and never requested, not even on the same host with another port', async () => {
  const requests: (string | undefined)[] = [];
  const elsewhere = http.createServer((req, res) => {
    requests.push(req.headers.cookie);
    res.writeHead(200, { 'Content-Type': 'application/pdf', 'Content-Disposition': 'attachment; filename="x.pdf"' }).end('%PDF-');
  });
  await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}/attachment_files/1/download?key=abc`;
    const error = await downloadAttachment({ source: 'PO', hints: {}, url }, options()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AttachmentDownloadError);
    expect((error as Error).message).toBe(
      `${url.replace('?key=abc', '')}: a link to another host, not fetched: only ${new URL(sim.coupaUrl).origin} is trusted with the window's session`,
    );
    expect(requests).toEqual([]);
    expect(fs.readdirSync(folder)).toEqual([]);
  } finally {
    await new Promise((resolve) => elsewhere.close(resolve));
  }
});

test("a window that lost its sign-in is told so without the sign-in page's query (it carries the return address and tokens)", async () => {
  const signedOut = await browser.newContext();
  try {
    const error = await processPo(
      {
        page: await signedOut.newPage(),
        settings: { coupaBaseUrl: new URL(sim.coupaUrl), pageTimeoutMs: 10_000, pageRetries: 0, downloadTimeoutMs: 10_000, downloadRetries: 0, msgToPdf: false },
        runRoot: folder,
        window: 'A',
        log: () => undefined,
        step: (_title, body) => body(),
      },
      { id: '4100001', poNumber: 'PO4100001', title: 'PO4100001', rowNumbers: [2], hierarchy: null },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationLostError);
    expect((error as Error).message).toContain(`(${sim.idpUrl}/sso/authorize)`);
    expect((error as Error).message).not.toMatch(/[?&](return_to|token)=/);
  } finally {
    await signedOut.close();
  }
});
