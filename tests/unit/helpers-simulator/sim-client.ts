import { expect } from '@playwright/test';
import type { RunningSimulator } from '../../../tooling/simulator/simulator.js';

/** Just enough of a browser: per-host cookies (hosts, not ports, like real cookies) and manual redirects. */
export class Client {
  readonly jars = new Map<string, Map<string, string>>();
  readonly setCookies: string[] = [];

  cookie(host: string, name: string): string | undefined {
    return this.jars.get(host)?.get(name);
  }

  setCookie(host: string, name: string, value: string): void {
    this.jars.set(host, (this.jars.get(host) ?? new Map()).set(name, value));
  }

  async request(url: string | URL, init: { method?: string; body?: URLSearchParams | string } = {}): Promise<Response> {
    const target = new URL(url);
    const jar = this.jars.get(target.hostname) ?? new Map<string, string>();
    const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const response = await fetch(target, { method: init.method ?? 'GET', body: init.body, headers: cookie ? { cookie } : {}, redirect: 'manual' });
    for (const header of response.headers.getSetCookie()) {
      this.setCookies.push(header);
      const [pair] = header.split(';');
      const eq = pair!.indexOf('=');
      this.setCookie(target.hostname, pair!.slice(0, eq), pair!.slice(eq + 1));
    }
    return response;
  }

  async follow(url: string | URL, init: { method?: string; body?: URLSearchParams } = {}) {
    const chain: string[] = [];
    let current = new URL(url);
    let next: typeof init = init;
    for (let hop = 0; hop < 10; hop++) {
      chain.push(current.href);
      const response = await this.request(current, next);
      const location = response.headers.get('location');
      if (response.status < 300 || response.status > 399 || !location) return { response, text: await response.text(), chain, url: current };
      current = new URL(location, current);
      next = {};
    }
    throw new Error(`redirect loop: ${chain.join(' → ')}`);
  }
}

export const USER = { username: 'operator@example.com', password: 'demo-password' };

export async function signIn(sim: RunningSimulator, client: Client, path = '/order_headers/4100001', stay = true) {
  const form = await client.follow(sim.coupaUrl + path);
  expect(form.url.origin).toBe(sim.idpUrl);
  const body = new URLSearchParams({ ...USER, return_to: form.url.searchParams.get('return_to')! });
  if (stay) body.set('stay_signed_in', 'yes');
  return client.follow(`${sim.idpUrl}/sso/login`, { method: 'POST', body });
}

