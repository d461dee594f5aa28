import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, test, expect, type BrowserContext, type Page } from '@playwright/test';
import initSqlJs from 'sql.js';
import { attachmentContent } from '../../tooling/simulator/attachment-content.js';
import { fixtureCatalogue } from '../../tooling/simulator/fixture-catalogue.js';
import { startSimulator, type RunningSimulator } from '../../tooling/simulator/simulator.js';

/**
 * The simulator against a real Chromium: the cookies land where a real profile keeps
 * them (the IdP's stay-signed-in cookie on disk, Coupa's session cookie only in memory),
 * the SSO bounce works without a form after a restart, and the page features the job
 * must cope with behave in a browser as they do on the real tenant.
 */

const LAUNCH_ARGS = ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const attachments = fixtureCatalogue().pos.flatMap((po) => po.attachments);

let sim: RunningSimulator;
let userDataDir: string;
let context: BrowserContext | undefined;

test.beforeEach(async () => {
  sim = await startSimulator();
  userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sim-sso-profile-'));
});

test.afterEach(async () => {
  await context?.close();
  context = undefined;
  await sim.close();
  fs.rmSync(userDataDir, { recursive: true, force: true });
});

async function launch(): Promise<Page> {
  context = await chromium.launchPersistentContext(userDataDir, { executablePath: '/usr/bin/chromium', args: LAUNCH_ARGS, headless: true });
  return context.pages()[0] ?? context.newPage();
}

async function signInThroughForm(page: Page, poId: string, staySignedIn: boolean): Promise<void> {
  await page.goto(`${sim.coupaUrl}/order_headers/${poId}`);
  await expect(page.locator('#idp_form')).toBeVisible();
  expect(new URL(page.url()).origin).toBe(sim.idpUrl);
  await page.fill('#idp_username', 'operator@example.com');
  await page.fill('#idp_password', 'demo-password');
  if (staySignedIn) await page.check('#stay_signed_in');
  await page.click('#idp_submit');
  await page.waitForURL(`${sim.coupaUrl}/order_headers/${poId}`);
  await expect(page.locator('h1')).toHaveText(`Purchase Order #${poId}`);
}

async function cookiesOnDisk(): Promise<{ host: string; name: string; persistent: number }[]> {
  const candidates = [path.join(userDataDir, 'Default', 'Network', 'Cookies'), path.join(userDataDir, 'Default', 'Cookies')];
  const file = candidates.find((candidate) => fs.existsSync(candidate));
  expect(file, `cookie store in ${candidates.join(' or ')}`).toBeDefined();
  const SQL = await initSqlJs();
  const db = new SQL.Database(fs.readFileSync(file!));
  try {
    const [result] = db.exec('SELECT host_key, name, is_persistent FROM cookies');
    return (result?.values ?? []).map(([host, name, persistent]) => ({ host: String(host), name: String(name), persistent: Number(persistent) }));
  } finally {
    db.close();
  }
}

test('stay signed in: only the IdP cookie survives a browser restart, and the next visit bounces through the IdP without a form', async () => {
  let page = await launch();
  await signInThroughForm(page, '4100001', true);
  const inMemory = await context!.cookies();
  const coupa = inMemory.find((c) => c.name === 'coupa_session');
  const stay = inMemory.find((c) => c.name === 'idp_stay');
  expect(coupa).toMatchObject({ domain: '127.0.0.1', expires: -1, httpOnly: true, sameSite: 'Lax' });
  expect(stay).toMatchObject({ domain: 'localhost', httpOnly: true });
  expect(stay!.expires * 1000).toBeGreaterThan(Date.now() + 29 * 86_400_000);
  await context!.close();
  context = undefined;

  // Chromium writes session cookies to the store too, flagged non-persistent, and drops
  // them at the next start (unless session restore is on): only idp_stay counts on disk.
  const onDisk = await cookiesOnDisk();
  expect(onDisk).toContainEqual({ host: 'localhost', name: 'idp_stay', persistent: 1 });
  expect(onDisk.filter((c) => c.persistent === 1).map((c) => c.name)).toEqual(['idp_stay']);

  page = await launch();
  const restored = (await context!.cookies()).map((c) => c.name);
  expect(restored).toEqual(['idp_stay']);
  const documents: string[] = [];
  page.on('request', (request) => {
    if (request.isNavigationRequest()) documents.push(new URL(request.url()).pathname);
  });
  await page.goto(`${sim.coupaUrl}/order_headers/4100004`);
  expect(page.url()).toBe(`${sim.coupaUrl}/order_headers/4100004`);
  await expect(page.locator('h1')).toHaveText('Purchase Order #4100004');
  expect(documents).toEqual(['/order_headers/4100004', '/sessions/new', '/sso/authorize', '/sso/callback', '/order_headers/4100004']);
  expect(sim.stats()).toMatchObject({ signIns: 1, ssoBounces: 1, sessionsIssued: 2 });
});

test('the floating toolbar intercepts a plain click on the first attachment', async () => {
  const page = await launch();
  await signInThroughForm(page, '4100001', false);
  const first = page.locator('a[href*="attachment_file"]').first();
  const box = (await first.boundingBox())!;
  const hit = await page.evaluate(([x, y]) => document.elementFromPoint(x!, y!)?.closest('.floatingSectionOnTop') !== null, [box.x + box.width / 2, box.y + box.height / 2]);
  expect(hit).toBe(true);
  await expect(first.click({ timeout: 2_000 })).rejects.toThrow(/intercepts pointer events/);
  expect(sim.stats().downloadsStarted).toEqual({});
});

test('span[role=button] attachments start a real browser download from their script, by click or keyboard', async () => {
  const page = await launch();
  await signInThroughForm(page, '4100004', false);
  const buttons = page.locator('span[role="button"][aria-label*="file attachment"]');
  await expect(buttons).toHaveCount(2);

  const expectDownload = async (trigger: () => Promise<void>, fileName: string) => {
    const [download] = await Promise.all([page.waitForEvent('download'), trigger()]);
    expect(download.suggestedFilename()).toBe(fileName);
    const expected = attachmentContent(attachments.find((a) => a.fileName === fileName)!);
    expect(fs.readFileSync(await download.path()).equals(expected)).toBe(true);
  };
  await expectDownload(() => buttons.nth(0).dispatchEvent('click'), 'Delivery_Schedule.pdf');
  await expectDownload(async () => {
    await buttons.nth(1).focus();
    await page.keyboard.press('Enter');
  }, '発注書.pdf');
  expect(sim.stats().downloadsCompleted).toEqual({ '71000041': 1, '71000042': 1 });
});
