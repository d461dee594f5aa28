import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { findBrowser } from '../../support/profile/browser-launch.js';
import { BrowserProcess } from '../../support/window/browser-process.js';

/**
 * A window's browser on a real Chromium: a tab serves a fixed number of POs and is then
 * replaced by a fresh one (a long-lived tab's renderers keep growing), and the browser's
 * lifetime signal stays open while it runs and aborts when it closes, so that requests the
 * window made outside the browser stop with it.
 */
let root: string;
let server: http.Server;
let origin: string;

test.beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'browser-process-e2e-'));
  server = http.createServer((req, res) => res.setHeader('Content-Type', 'text/html').end(`<title>${req.url}</title>`));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

test.afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  fs.rmSync(root, { recursive: true, force: true });
});

test('every 2nd PO on a fresh tab: one tab open at a time, the old one closed; the lifetime signal aborts when the browser closes', async () => {
  const process = new BrowserProcess({
    letter: 'A',
    profileName: 'Default',
    headless: true,
    downloadsDir: path.join(root, 'downloads'),
    freshTabEveryPos: 2,
    log: () => undefined,
  });
  await process.launch(path.join(root, 'User Data'), findBrowser({ browserChannel: 'chromium', browserExecutable: '/usr/bin/chromium' }));
  try {
    const pages: Page[] = [];
    for (let po = 1; po <= 5; po++) {
      await process.beforePo();
      pages.push(process.page);
      await process.page.goto(`${origin}/po-${po}`);
      expect(process.context.pages(), `PO ${po}: one tab`).toHaveLength(1);
      expect(process.signal.aborted).toBe(false);
    }
    const [first, second, third, fourth, fifth] = pages;
    expect(second).toBe(first);
    expect(third).not.toBe(first);
    expect(first!.isClosed()).toBe(true);
    expect(fourth).toBe(third);
    expect(fifth).not.toBe(third);
    expect(third!.isClosed()).toBe(true);
    expect(await fifth!.title()).toBe('/po-5');
  } finally {
    await process.close();
  }
  expect(process.signal.aborted).toBe(true);
  expect(String(process.signal.reason)).toContain('closed by the job');
});
