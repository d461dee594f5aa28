import crypto from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { seal, unseal } from './hmac-seal.js';
import { idpMessagePage, idpSignInPage } from './idp-pages.js';
import { parseCookies, pause, persistentCookie, readBody, redirect, sendPage, sessionCookie } from './http-helpers.js';
import { serverErrorPage } from './coupa-pages.js';
import type { SimulatorContext } from './simulator-context.js';

export const IDP_SESSION_COOKIE = 'idp_session';
export const IDP_STAY_COOKIE = 'idp_stay';
const STAY_SECONDS = 30 * 24 * 60 * 60;

/**
 * The corporate identity provider. It bounces straight back to Coupa with a token when
 * its session cookie or its persistent "stay signed in" cookie is valid, and shows its
 * sign-in form otherwise. Only Coupa's own callback is accepted as a destination.
 */
export function idpHandler(sim: SimulatorContext) {
  const sessions = new Map<string, string>();

  const signedInUser = (req: IncomingMessage): string | undefined => {
    const cookies = parseCookies(req.headers.cookie);
    const session = cookies.get(IDP_SESSION_COOKIE);
    if (session !== undefined && sessions.has(session)) return sessions.get(session);
    const stay = cookies.get(IDP_STAY_COOKIE);
    return stay === undefined ? undefined : stayCookieUser(sim.secret, stay, Date.now());
  };

  const backToCoupa = (res: ServerResponse, returnTo: string, user: string, cookies: string[] = []) => {
    const separator = returnTo.includes('?') ? '&' : '?';
    redirect(res, `${returnTo}${separator}token=${encodeURIComponent(sim.tokens.issue(user))}`, cookies.length ? { 'Set-Cookie': cookies } : {});
  };

  const validReturnTo = (value: string | null): value is string => value !== null && value.startsWith(`${sim.coupaUrl}/sso/callback?`);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', sim.idpUrl);
    sim.stats.idpRequest(url.pathname);
    if (!(await pause(sim.options.requestLatencyMs, sim.signal))) return;
    if (url.pathname === '/sso/authorize') {
      const returnTo = url.searchParams.get('return_to');
      if (!validReturnTo(returnTo)) return sendPage(res, idpMessagePage(400, 'Unknown application: return_to must be the Coupa callback.'));
      const user = signedInUser(req);
      if (user === undefined) return sendPage(res, idpSignInPage(returnTo, false));
      sim.stats.ssoBounces++;
      return backToCoupa(res, returnTo, user);
    }
    if (url.pathname === '/sso/login' && req.method === 'POST') {
      const form = new URLSearchParams(await readBody(req));
      const returnTo = form.get('return_to');
      if (!validReturnTo(returnTo)) return sendPage(res, idpMessagePage(400, 'Unknown application: return_to must be the Coupa callback.'));
      const { username, password } = sim.options.credentials;
      if (form.get('username') !== username || form.get('password') !== password) return sendPage(res, idpSignInPage(returnTo, true));
      const session = crypto.randomBytes(24).toString('hex');
      sessions.set(session, username);
      const cookies = [sessionCookie(IDP_SESSION_COOKIE, session)];
      if (form.has('stay_signed_in')) cookies.push(persistentCookie(IDP_STAY_COOKIE, stayCookieValue(sim.secret, username, Date.now()), STAY_SECONDS));
      sim.stats.signIns++;
      return backToCoupa(res, returnTo, username, cookies);
    }
    sendPage(res, idpMessagePage(404, `No such page: ${url.pathname}`));
  };

  return (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch((error: unknown) => (res.headersSent ? res.destroy() : sendPage(res, serverErrorPage(String(error)))));
  };
}

/** Stateless (signed, with its own expiry) so that it stays valid across restarts with the same secret. */
export function stayCookieValue(secret: Buffer, user: string, now: number): string {
  return seal(secret, 'idp-stay', `${user}|${now + STAY_SECONDS * 1000}`);
}

export function stayCookieUser(secret: Buffer, value: string, now: number): string | undefined {
  const match = unseal(secret, 'idp-stay', value)?.match(/^(.*)\|(\d+)$/s);
  return match && Number(match[2]) >= now ? match[1] : undefined;
}
