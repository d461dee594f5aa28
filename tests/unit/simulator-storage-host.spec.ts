import { test as base, expect } from '@playwright/test';
import { attachmentContent } from '../../tooling/simulator/attachment-content.js';
import { fixtureCatalogue } from '../../tooling/simulator/fixture-catalogue.js';
import { startSimulator, type RunningSimulator } from '../../tooling/simulator/simulator.js';
import { Client, signIn } from './helpers-simulator/sim-client.js';

/** Storage-host mode: tenant downloads redirect to a signed URL on a second loopback host that takes no cookies. */
const test = base.extend<{ sim: RunningSimulator }>({
  sim: async ({}, use) => {
    const sim = await startSimulator({ storageHost: true });
    await use(sim);
    await sim.close();
  },
});

const pdf = fixtureCatalogue().pos.flatMap((po) => po.attachments).find((a) => a.id === '71000011')!;
const downloadUrl = (sim: RunningSimulator) => `${sim.coupaUrl}/attachment_files/${pdf.id}/download`;

test('a tenant download redirects to a signed URL on another host, which serves the file without cookies', async ({ sim }) => {
  expect(sim.storageUrl).toMatch(/^http:\/\/127\.0\.0\.2:\d+$/);
  const client = new Client();
  await signIn(sim, client, '/user/home');
  const redirect = await client.request(downloadUrl(sim));
  expect(redirect.status).toBe(302);
  const signed = redirect.headers.get('location')!;
  expect(signed).toMatch(new RegExp(`^${sim.storageUrl}/objects/${pdf.id}\\?expires=\\d+&signature=`));
  const response = await client.request(signed);
  expect(response.status).toBe(200);
  expect(Buffer.from(await response.arrayBuffer()).equals(attachmentContent(pdf))).toBe(true);
  const headRedirect = await client.request(downloadUrl(sim), { method: 'HEAD' });
  const head = await client.request(headRedirect.headers.get('location')!, { method: 'HEAD' });
  expect(head.headers.get('content-length')).toBe(String(pdf.size));
  const stats = sim.stats();
  expect(stats).toMatchObject({ storageRequests: 2, storageRequestsWithCookies: 0, downloadsCompleted: { [pdf.id]: 1 } });
  expect(stats.storageSignatures).toHaveLength(2);
  expect(decodeURIComponent(signed)).toContain(stats.storageSignatures[0]);
});

test('the storage host refuses a request with cookies, a forged or foreign signature, and an unsigned URL', async ({ sim }) => {
  const client = new Client();
  await signIn(sim, client, '/user/home');
  const signed = new URL((await client.request(downloadUrl(sim))).headers.get('location')!);
  const refusal = async (url: URL, cookie?: string) => {
    const response = await fetch(url, { headers: cookie ? { cookie } : {} });
    expect(response.headers.get('content-type')).toBe('application/xml');
    return { status: response.status, code: /<Code>(\w+)<\/Code>/.exec(await response.text())?.[1] };
  };
  expect(await refusal(signed, `coupa_session=${client.cookie('127.0.0.1', 'coupa_session')}`)).toEqual({ status: 403, code: 'CookiesNotAccepted' });
  const forged = new URL(signed);
  forged.searchParams.set('expires', String(Number(signed.searchParams.get('expires')) + 3_600_000));
  expect(await refusal(forged)).toEqual({ status: 403, code: 'SignatureDoesNotMatch' });
  const otherObject = new URL(signed);
  otherObject.pathname = '/objects/71000012';
  expect(await refusal(otherObject)).toEqual({ status: 403, code: 'SignatureDoesNotMatch' });
  expect(await refusal(new URL(`${sim.storageUrl}/objects/${pdf.id}`))).toEqual({ status: 403, code: 'SignatureDoesNotMatch' });
  expect(sim.stats()).toMatchObject({ storageRequests: 4, storageRequestsWithCookies: 1, downloadsStarted: {} });
  const ok = await fetch(signed);
  expect(ok.status).toBe(200);
});

test('without storage-host mode downloads are served by the tenant itself', async () => {
  const sim = await startSimulator();
  try {
    expect(sim.storageUrl).toBeUndefined();
    const client = new Client();
    await signIn(sim, client, '/user/home');
    const { chain, response } = await client.follow(downloadUrl(sim));
    expect(chain).toEqual([downloadUrl(sim)]);
    expect(response.status).toBe(200);
  } finally {
    await sim.close();
  }
});
