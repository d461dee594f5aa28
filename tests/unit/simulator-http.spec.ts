import http from 'node:http';
import { test as base, expect } from '@playwright/test';
import { attachmentContent } from '../../tooling/simulator/attachment-content.js';
import type { SimAttachment } from '../../tooling/simulator/catalogue-model.js';
import { InvalidCatalogueError } from '../../tooling/simulator/catalogue-index.js';
import { attachmentDownloadPath, commentAttachmentPath } from '../../tooling/simulator/coupa-pages.js';
import { contentDisposition } from '../../tooling/simulator/download-headers.js';
import { fixtureCatalogue } from '../../tooling/simulator/fixture-catalogue.js';
import { SimulatorOptionsError } from '../../tooling/simulator/simulator-options.js';
import { startSimulator, SimulatorPortError, type RunningSimulator } from '../../tooling/simulator/simulator.js';
import { Client, signIn, USER } from './helpers-simulator/sim-client.js';

const test = base.extend<{ sim: RunningSimulator }>({
  sim: async ({}, use) => {
    const sim = await startSimulator();
    await use(sim);
    await sim.close();
  },
});

const allAttachments = (): SimAttachment[] =>
  fixtureCatalogue().pos.flatMap((po) => [...po.attachments, ...(po.requisition?.attachments ?? [])]);
const byId = (id: string) => allAttachments().find((a) => a.id === id)!;
const urlOf = (sim: RunningSimulator, a: SimAttachment) => sim.coupaUrl + (a.form === 'comment-link' ? commentAttachmentPath(a) : attachmentDownloadPath(a));

test.describe('sign-in flow', () => {
  test('unauthenticated: /sessions/new, then the IdP form; signing in lands on the page with a session cookie', async ({ sim }) => {
    const client = new Client();
    const form = await client.follow(`${sim.coupaUrl}/order_headers/4100001?tab=1`);
    const callback = `${sim.coupaUrl}/sso/callback?return_to=${encodeURIComponent('/order_headers/4100001?tab=1')}`;
    expect(form.chain).toEqual([
      `${sim.coupaUrl}/order_headers/4100001?tab=1`,
      `${sim.coupaUrl}/sessions/new?return_to=%2Forder_headers%2F4100001%3Ftab%3D1`,
      `${sim.idpUrl}/sso/authorize?return_to=${encodeURIComponent(callback)}`,
    ]);
    expect(sim.idpUrl).toMatch(/^http:\/\/localhost:\d+$/);
    expect(form.text).toContain('<form id="idp_form" method="post" action="/sso/login">');
    for (const fragment of ['id="idp_username"', 'id="idp_password"', 'id="stay_signed_in" name="stay_signed_in" type="checkbox"', 'type="hidden" name="return_to"', 'id="idp_submit"']) {
      expect(form.text).toContain(fragment);
    }

    const body = new URLSearchParams({ ...USER, stay_signed_in: 'yes', return_to: form.url.searchParams.get('return_to')! });
    const landed = await client.follow(`${sim.idpUrl}/sso/login`, { method: 'POST', body });
    expect(landed.chain[1]).toMatch(new RegExp(`^${sim.coupaUrl}/sso/callback\\?return_to=.*&token=`));
    expect(landed.url.href).toBe(`${sim.coupaUrl}/order_headers/4100001?tab=1`);
    expect(landed.response.status).toBe(200);
    expect(landed.text).toContain('Purchase Order #4100001');

    const [idpSession, idpStay, coupaSession] = client.setCookies;
    expect(idpSession).toMatch(/^idp_session=[0-9a-f]+; Path=\/; HttpOnly; SameSite=Lax$/);
    expect(idpStay).toMatch(/^idp_stay=[\w.-]+; Max-Age=2592000; Path=\/; HttpOnly; SameSite=Lax$/);
    expect(coupaSession).toMatch(/^coupa_session=[0-9a-f]+; Path=\/; HttpOnly; SameSite=Lax$/);
    expect(sim.stats()).toMatchObject({ signIns: 1, sessionsIssued: 1, ssoBounces: 0, unauthenticatedRedirects: 1 });
  });

  test('without "stay signed in" there is no persistent cookie; a wrong password shows the form again', async ({ sim }) => {
    const client = new Client();
    const form = await client.follow(`${sim.coupaUrl}/user/home`);
    const wrong = await client.request(`${sim.idpUrl}/sso/login`, {
      method: 'POST',
      body: new URLSearchParams({ username: USER.username, password: 'nope', return_to: form.url.searchParams.get('return_to')! }),
    });
    expect(wrong.status).toBe(401);
    const text = await wrong.text();
    expect(text).toContain('id="idp_error"');
    expect(text).toContain('id="idp_form"');
    expect(client.setCookies).toEqual([]);

    await signIn(sim, client, '/user/home', false);
    expect(client.setCookies.map((c) => c.split('=')[0])).toEqual(['idp_session', 'coupa_session']);
  });

  test('a known IdP session or stay cookie bounces straight back without a form', async ({ sim }) => {
    const first = new Client();
    await signIn(sim, first);
    for (const name of ['idp_session', 'idp_stay']) {
      const client = new Client();
      client.setCookie('localhost', name, first.cookie('localhost', name)!);
      const page = await client.follow(`${sim.coupaUrl}/order_headers/4100002`);
      expect(page.response.status, name).toBe(200);
      expect(page.text).toContain('Purchase Order #4100002');
    }
    expect(sim.stats()).toMatchObject({ signIns: 1, ssoBounces: 2, sessionsIssued: 3 });

    const forged = new Client();
    forged.setCookie('localhost', 'idp_stay', first.cookie('localhost', 'idp_stay')!.replace(/^./, (c) => (c === 'a' ? 'b' : 'a')));
    forged.setCookie('localhost', 'idp_session', 'f'.repeat(48));
    expect((await forged.follow(`${sim.coupaUrl}/order_headers/4100002`)).text).toContain('id="idp_form"');
  });

  test('tokens are single use and tamper-proof; return_to never leaves the site', async ({ sim }) => {
    const client = new Client();
    const form = await client.follow(`${sim.coupaUrl}/user/home`);
    const login = await client.request(`${sim.idpUrl}/sso/login`, {
      method: 'POST',
      body: new URLSearchParams({ ...USER, return_to: form.url.searchParams.get('return_to')! }),
    });
    const callback = new URL(login.headers.get('location')!);
    const tampered = new URL(callback);
    tampered.searchParams.set('token', `x${callback.searchParams.get('token')}`);
    expect(await (await client.request(tampered)).text()).toContain('The sign-in token is not valid');
    expect((await client.request(callback)).status).toBe(302);
    const reused = await client.request(callback);
    expect(reused.status).toBe(401);
    expect(await reused.text()).toContain('The sign-in token was already used');

    for (const evil of ['https://evil.example/', '//evil.example/x', '/\\evil.example']) {
      const start = await client.request(`${sim.coupaUrl}/sessions/new?return_to=${encodeURIComponent(evil)}`);
      const authorize = new URL(start.headers.get('location')!);
      expect(new URL(authorize.searchParams.get('return_to')!).searchParams.get('return_to')).toBe('/user/home');
      const bounce = await client.request(authorize);
      const evilCallback = new URL(bounce.headers.get('location')!);
      evilCallback.searchParams.set('return_to', evil);
      const back = await client.request(evilCallback);
      expect(back.headers.get('location'), evil).toBe('/user/home');
    }
    const foreign = await client.request(`${sim.idpUrl}/sso/authorize?return_to=${encodeURIComponent('http://evil.example/sso/callback?x=1')}`);
    expect(foreign.status).toBe(400);
  });

  test('a session serves sessionMaxRequests requests, then the flow signs in again; unknown cookies are unauthenticated', async ({ sim }) => {
    sim.setOptions({ sessionMaxRequests: 3 });
    const client = new Client();
    await signIn(sim, client, '/user/home');
    const firstSession = client.cookie('127.0.0.1', 'coupa_session');
    for (let i = 0; i < 2; i++) expect((await client.request(`${sim.coupaUrl}/order_headers/4100001`)).status).toBe(200);
    const expired = await client.request(`${sim.coupaUrl}/order_headers/4100001`);
    expect(expired.status).toBe(302);
    expect(expired.headers.get('location')).toBe('/sessions/new?return_to=%2Forder_headers%2F4100001');
    const again = await client.follow(`${sim.coupaUrl}/order_headers/4100001`);
    expect(again.text).toContain('Purchase Order #4100001');
    expect(client.cookie('127.0.0.1', 'coupa_session')).not.toBe(firstSession);
    expect(sim.stats()).toMatchObject({ sessionsIssued: 2, signIns: 1, ssoBounces: 1 });

    const stranger = new Client();
    stranger.setCookie('127.0.0.1', 'coupa_session', firstSession!);
    expect((await stranger.request(`${sim.coupaUrl}/user/home`)).status).toBe(302);
    stranger.setCookie('127.0.0.1', 'coupa_session', 'a'.repeat(48));
    expect((await stranger.request(`${sim.coupaUrl}/user/home`)).status).toBe(302);
  });

  test("Coupa's own login form, when enabled", async ({ sim }) => {
    sim.setOptions({ coupaLoginForm: true });
    const client = new Client();
    const form = await client.follow(`${sim.coupaUrl}/order_headers/4100002`);
    expect(form.url.pathname).toBe('/sessions/new');
    expect(form.text).toContain('id="user_email"');
    expect(form.text).toContain('id="user_password"');
    const wrong = await client.request(`${sim.coupaUrl}/sessions`, {
      method: 'POST',
      body: new URLSearchParams({ user_email: USER.username, user_password: 'x', return_to: '/order_headers/4100002' }),
    });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('class="flash_error"');
    const right = await client.follow(`${sim.coupaUrl}/sessions`, {
      method: 'POST',
      body: new URLSearchParams({ user_email: USER.username, user_password: USER.password, return_to: '/order_headers/4100002' }),
    });
    expect(right.text).toContain('Purchase Order #4100002');
    expect(sim.stats()).toMatchObject({ signIns: 1, sessionsIssued: 1, ssoBounces: 0 });
  });

  test('a fixed secret keeps the stay cookie valid across a restart; another secret does not', async () => {
    const client = new Client();
    const first = await startSimulator({ secret: 'demo-secret' });
    await signIn(first, client);
    await first.close();
    const stayOnly = () => {
      const c = new Client();
      c.setCookie('localhost', 'idp_stay', client.cookie('localhost', 'idp_stay')!);
      return c;
    };
    const same = await startSimulator({ secret: 'demo-secret' });
    const other = await startSimulator();
    try {
      expect((await stayOnly().follow(`${same.coupaUrl}/user/home`)).text).toContain('Welcome, operator@example.com');
      expect((await stayOnly().follow(`${other.coupaUrl}/user/home`)).text).toContain('id="idp_form"');
    } finally {
      await Promise.all([same.close(), other.close()]);
    }
  });
});

test.describe('pages', () => {
  test('/ leads to the home page', async ({ sim }) => {
    const client = new Client();
    await signIn(sim, client, '/user/home');
    const home = await client.follow(`${sim.coupaUrl}/`);
    expect(home.url.pathname).toBe('/user/home');
    expect(home.text).toContain('<title>Home</title>');
    expect(home.text).toContain('Welcome, operator@example.com');
  });

  test('PO pages carry the toolbar, supplier field, attachment forms and requisition link', async ({ sim }) => {
    const client = new Client();
    await signIn(sim, client, '/user/home');
    const page = async (id: string) => (await client.follow(`${sim.coupaUrl}/order_headers/${id}`)).text;

    const p1 = await page('4100001');
    expect(p1).toMatch(/<div class="page_buttons_right orderHeaderShowFloatingSection floatingSectionOnTop" style="position:fixed;top:0;[^"]*z-index:1000/);
    expect(p1).toContain('<div class="field"><label>Supplier</label><div class="value">Acme Industrial Supplies</div></div>');
    expect(p1).toContain('<a class="attachment_link" href="/attachment_files/71000011/download" download="Purchase_Order_4100001.pdf">');
    expect(p1).toContain('<a href="/requisition_headers/6100001">');
    expect(p1).not.toContain('class="notice"');

    const p2 = await page('4100002');
    expect(p2).toContain('<dt>Supplier</dt><dd>Globex Corporation</dd>');
    expect(p2).toContain('<div class="notice">');

    expect(await page('4100003')).toContain('<a class="attachment_link" href="/attachment_files/71000031/download" target="_blank" rel="noopener">Signed_PO_4100003.pdf</a>');
    expect(await page('4100004')).toContain(
      '<span role="button" tabindex="0" class="attachment_button" aria-label="file attachment Delivery_Schedule.pdf" title="Delivery_Schedule.pdf" data-attachment-id="71000041">',
    );
    expect(await page('4100005')).toMatch(/<div class="commentAttachments"><a href="\/comments\/\d+\/attachment_files\/71000052\?[^"]*">RE_ Delivery date confirmation.msg<\/a><\/div>/);
    const hostile = await page('4100008');
    expect(hostile).toContain('download="Q3 &#60;draft&#62;: &#34;final&#34; | v2? *.xlsx"');
    expect(await page('4100006')).toContain('<dd>Müller &#38; Söhne GmbH</dd>');
    const requisition = (await client.follow(`${sim.coupaUrl}/requisition_headers/6100014`)).text;
    expect(requisition).toContain('Requisition #6100014');
    expect(requisition).toContain('aria-label="file attachment Specification.docx"');
  });

  test('error pages carry the exact marker texts with 404, 403 and 200', async ({ sim }) => {
    const client = new Client();
    await signIn(sim, client, '/user/home');
    const expected: Record<string, [number, string]> = {
      oops: [404, "Oops! We couldn't find what you wanted"],
      'not-authorized': [403, 'You are not authorized'],
      'access-denied': [403, 'Access denied'],
      'page-does-not-exist': [404, "The page you were looking for doesn't exist"],
      'portuguese-not-found': [200, 'Desculpe, não encontramos o que você procurava'],
      'flash-error': [200, '<div class="flash_error">'],
      'error-explanation': [200, '<div id="error_explanation">'],
    };
    const notFound = fixtureCatalogue().pos.filter((po) => po.errorVariant);
    expect(notFound).toHaveLength(7);
    for (const po of notFound) {
      const [status, marker] = expected[po.errorVariant!]!;
      const page = await client.follow(`${sim.coupaUrl}/order_headers/${po.id}`);
      expect(page.response.status, po.errorVariant).toBe(status);
      expect(page.text, po.errorVariant).toContain(marker);
    }
    const unknown = await client.follow(`${sim.coupaUrl}/order_headers/4199999`);
    expect([unknown.response.status, unknown.text.includes("Oops! We couldn't find what you wanted")]).toEqual([404, true]);
    const denied = await client.follow(`${sim.coupaUrl}/requisition_headers/6100016`);
    expect([denied.response.status, denied.text.includes('You are not authorized')]).toEqual([403, true]);
    const nowhere = await client.follow(`${sim.coupaUrl}/no/such/page`);
    expect([nowhere.response.status, nowhere.text.includes("The page you were looking for doesn't exist")]).toEqual([404, true]);
  });

  test('page faults: transient 500s, permanent 500s, latency', async ({ sim }) => {
    const client = new Client();
    await signIn(sim, client, '/user/home');
    const status = async (id: string) => (await client.request(`${sim.coupaUrl}/order_headers/${id}`)).status;
    expect([await status('4100011'), await status('4100011'), await status('4100011')]).toEqual([500, 500, 200]);
    expect([await status('4100021'), await status('4100021'), await status('4100021')]).toEqual([500, 500, 500]);
    sim.resetStats();
    expect(await status('4100011')).toBe(500);

    sim.setOptions({ pageLatencyMs: 300 });
    const started = performance.now();
    expect(await status('4100001')).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
  });

  test('request latency delays every answer: redirects, HEAD, downloads and the identity provider too', async ({ sim }) => {
    const client = new Client();
    await signIn(sim, client, '/user/home');
    sim.setOptions({ requestLatencyMs: 200 });
    const timed = async (url: string, method = 'GET') => {
      const started = performance.now();
      const response = await client.request(url, { method });
      await response.arrayBuffer();
      return { status: response.status, ms: performance.now() - started };
    };
    const attachment = fixtureCatalogue().pos.flatMap((po) => po.attachments).find((a) => !a.faults)!;
    for (const [url, method, status] of [
      [`${sim.coupaUrl}/`, 'GET', 302],
      [`${sim.coupaUrl}/order_headers/4100001`, 'GET', 200],
      [`${sim.coupaUrl}${attachmentDownloadPath(attachment)}`, 'HEAD', 200],
      [`${sim.coupaUrl}${attachmentDownloadPath(attachment)}`, 'GET', 200],
      [`${sim.idpUrl}/no/such/page`, 'GET', 404],
    ] as const) {
      const answer = await timed(url, method);
      expect(answer.status, `${method} ${url}`).toBe(status);
      expect(answer.ms, `${method} ${url}`).toBeGreaterThanOrEqual(190);
    }
    sim.setOptions({ requestLatencyMs: 0 });
    expect((await timed(`${sim.coupaUrl}/`)).ms).toBeLessThan(150);
  });
});

test.describe('downloads', () => {
  test('every attachment: its Content-Disposition, Content-Type, Content-Length (or chunked) and exact bytes', async ({ sim }) => {
    const client = new Client();
    await signIn(sim, client, '/user/home');
    const servable = allAttachments().filter((a) => !a.faults?.alwaysCutOff && !a.faults?.cutOffAttempts);
    expect(servable.length).toBeGreaterThan(30);
    for (const a of servable) {
      const response = await client.request(urlOf(sim, a));
      expect(response.status, a.fileName).toBe(200);
      expect(response.headers.get('content-disposition') ?? undefined, a.fileName).toBe(contentDisposition(a));
      if (a.faults?.chunked) {
        expect(response.headers.get('transfer-encoding')).toBe('chunked');
        expect(response.headers.get('content-length')).toBeNull();
      } else {
        expect(response.headers.get('content-length'), a.fileName).toBe(String(a.size));
      }
      const body = Buffer.from(await response.arrayBuffer());
      expect(body.equals(attachmentContent(a)), a.fileName).toBe(true);
    }
    const types = await Promise.all(
      ['71000011', '71000052', '71000012'].map(async (id) => (await client.request(urlOf(sim, byId(id)))).headers.get('content-type')),
    );
    expect(types).toEqual(['application/pdf', 'application/vnd.ms-outlook', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet']);
    const stats = sim.stats();
    expect(stats.downloadsCompleted['71000011']).toBe(2);
    expect(Object.keys(stats.downloadsCompleted)).toHaveLength(servable.length);
  });

  test('HEAD answers the headers without counting a download; downloads need a session too', async ({ sim }) => {
    const anonymous = await new Client().request(`${sim.coupaUrl}/attachment_files/71000011/download`);
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get('location')).toBe('/sessions/new?return_to=%2Fattachment_files%2F71000011%2Fdownload');
    const client = new Client();
    await signIn(sim, client, '/user/home');
    const head = await client.request(`${sim.coupaUrl}/attachment_files/71000011/download`, { method: 'HEAD' });
    expect(head.headers.get('content-length')).toBe(String(byId('71000011').size));
    expect(sim.stats().downloadsStarted).toEqual({});
  });

  test('a cut-off download announces the full length, delivers half and closes; the retry completes', async ({ sim }) => {
    const client = new Client();
    await signIn(sim, client, '/user/home');
    const a = byId('71000121');
    expect(a.faults?.cutOffAttempts).toBe(1);
    const raw = await new Promise<{ announced: number; received: number; complete: boolean }>((resolve, reject) => {
      const request = http.get(urlOf(sim, a), { headers: { cookie: `coupa_session=${client.cookie('127.0.0.1', 'coupa_session')}` } }, (response) => {
        let received = 0;
        response.on('data', (chunk: Buffer) => (received += chunk.length));
        response.on('error', () => undefined);
        response.on('close', () => resolve({ announced: Number(response.headers['content-length']), received, complete: response.complete }));
      });
      request.on('error', reject);
    });
    expect(raw).toEqual({ announced: a.size, received: Math.floor(a.size / 2), complete: false });

    const retry = await client.request(urlOf(sim, a));
    expect(Buffer.from(await retry.arrayBuffer()).equals(attachmentContent(a))).toBe(true);

    const broken = byId('71000193');
    expect(broken.faults?.alwaysCutOff).toBe(true);
    for (let i = 0; i < 3; i++) {
      const response = await client.request(urlOf(sim, broken));
      await expect(response.arrayBuffer()).rejects.toThrow();
    }
    const stats = sim.stats();
    expect(stats.downloadsStarted).toMatchObject({ [a.id]: 2, [broken.id]: 3 });
    expect(stats.downloadsCompleted).toEqual({ [a.id]: 1 });
    expect(stats.downloadsCutOff).toEqual({ [a.id]: 1, [broken.id]: 3 });
  });

  test('slow chunks and the rate limit take the time they should; concurrent requests are counted', async ({ sim }) => {
    const client = new Client();
    await signIn(sim, client, '/user/home');
    const slow = byId('71000132');
    const chunks = Math.ceil(slow.size / slow.faults!.slow!.chunkBytes);
    let started = performance.now();
    const bodies = await Promise.all([1, 2, 3, 4].map(async () => Buffer.from(await (await client.request(urlOf(sim, slow))).arrayBuffer())));
    expect(performance.now() - started).toBeGreaterThanOrEqual((chunks - 1) * slow.faults!.slow!.delayMs - 10);
    expect(bodies.every((b) => b.equals(attachmentContent(slow)))).toBe(true);
    expect(sim.stats()).toMatchObject({ maxConcurrentRequests: 4, concurrentRequests: 0 });

    sim.setOptions({ downloadBytesPerSecond: 100_000, downloadLatencyMs: 100 });
    const pdf = byId('71000011');
    started = performance.now();
    const body = Buffer.from(await (await client.request(urlOf(sim, pdf))).arrayBuffer());
    expect(body.equals(attachmentContent(pdf))).toBe(true);
    expect(performance.now() - started).toBeGreaterThanOrEqual(100 + ((pdf.size - 10_000) / 100_000) * 1000);
  });
});

test.describe('control and lifecycle', () => {
  test('/__sim endpoints need no session and drive the simulator from another process', async ({ sim }) => {
    const client = new Client();
    await signIn(sim, client, '/user/home');
    const stats = await (await fetch(`${sim.coupaUrl}/__sim/stats`)).json();
    expect(stats).toEqual(sim.stats());
    expect(stats.requestsByPath['/__sim/stats']).toBeUndefined();
    expect(stats.idpRequestsByPath).toEqual({ '/sso/authorize': 1, '/sso/login': 1 });

    const post = (path: string, body?: unknown) => fetch(`${sim.coupaUrl}${path}`, { method: 'POST', body: body === undefined ? undefined : JSON.stringify(body) });
    const set = await post('/__sim/options', { sessionMaxRequests: 5, pageLatencyMs: 1, credentials: { username: 'u', password: 'p' } });
    expect(set.status).toBe(200);
    expect(sim.options()).toMatchObject({ sessionMaxRequests: 5, pageLatencyMs: 1, credentials: { username: 'u', password: 'p' } });
    const rejected = await post('/__sim/options', { foo: 1, pageLatencyMs: -1, coupaPort: 80 });
    expect(rejected.status).toBe(400);
    const { error } = (await rejected.json()) as { error: string };
    expect(error).toContain('unknown option foo');
    expect(error).toContain('pageLatencyMs must be a non-negative integer');
    expect(error).toContain('coupaPort cannot change while the simulator runs');
    expect((await post('/__sim/reset')).status).toBe(200);
    expect(sim.stats()).toMatchObject({ requestsByPath: {}, signIns: 0, sessionsIssued: 0, unauthenticatedRedirects: 0 });
    expect(() => sim.setOptions({ downloadLatencyMs: -5 })).toThrow(SimulatorOptionsError);
  });

  test('close() ends hung requests and keep-alive connections at once', async ({ sim }) => {
    const client = new Client();
    await signIn(sim, client, '/user/home');
    const hung = client.request(`${sim.coupaUrl}/order_headers/4100022`).then(
      () => 'answered',
      () => 'failed',
    );
    await expect.poll(() => sim.stats().concurrentRequests).toBe(1);
    const started = performance.now();
    await sim.close();
    expect(performance.now() - started).toBeLessThan(1000);
    expect(await hung).toBe('failed');
    await sim.close();
  });

  test('startup problems are operator errors naming what to fix', async ({ sim }) => {
    const port = Number(new URL(sim.coupaUrl).port);
    await expect(startSimulator({ coupaPort: port })).rejects.toThrow(SimulatorPortError);
    const broken = fixtureCatalogue();
    broken.pos[1]!.id = broken.pos[0]!.id;
    await expect(startSimulator({ catalogue: broken })).rejects.toThrow(InvalidCatalogueError);
    await expect(startSimulator({ pageLatencyMs: -1 })).rejects.toThrow(/pageLatencyMs must be a non-negative integer/);
  });
});
