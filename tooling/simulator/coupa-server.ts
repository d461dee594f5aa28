import type { IncomingMessage, ServerResponse } from 'node:http';
import { coupaLoginPage, errorPage, homePage, poPage, requisitionPage, serverErrorPage, ssoFailedPage, type RenderedPage } from './coupa-pages.js';
import { sendAttachment } from './download-responder.js';
import { isRelativePath, parseCookies, pause, readBody, redirect, sendPage, sessionCookie } from './http-helpers.js';
import { handleControl } from './sim-control.js';
import type { SimulatorContext } from './simulator-context.js';
import { signedStorageUrl } from './storage-server.js';

export const COUPA_SESSION_COOKIE = 'coupa_session';

const PO_PATH = /^\/order_headers\/(\d+)\/?$/;
const REQUISITION_PATH = /^\/requisition_headers\/(\d+)\/?$/;
const DOWNLOAD_PATH = /^\/attachment_files\/(\d+)\/download\/?$/;
const COMMENT_DOWNLOAD_PATH = /^\/comments\/\d+\/attachment_files\/(\d+)\/?$/;

/**
 * The simulated tenant. Everything but the sign-in endpoints and /__sim/* needs a valid
 * Coupa session; without one the request is redirected into the SSO flow, downloads
 * included, exactly like the real site.
 */
export function coupaHandler(sim: SimulatorContext) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', sim.coupaUrl);
    if (url.pathname.startsWith('/__sim/')) {
      void handleControl(req, res, url, sim).catch((error: unknown) => fail(res, error));
      return;
    }
    const done = sim.stats.coupaRequest(url.pathname);
    res.once('close', done);
    pause(sim.options.requestLatencyMs, sim.signal)
      .then((open) => (open ? route(req, res, url, sim) : undefined))
      .catch((error: unknown) => fail(res, error));
  };
}

function fail(res: ServerResponse, error: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendPage(res, serverErrorPage(String(error)));
}

async function route(req: IncomingMessage, res: ServerResponse, url: URL, sim: SimulatorContext): Promise<void> {
  const path = url.pathname;
  if (path === '/sessions/new') return signInStart(res, url, sim);
  if (path === '/sessions' && req.method === 'POST') return coupaFormSignIn(req, res, sim);
  if (path === '/sso/callback') return ssoCallback(res, url, sim);

  const sessionId = parseCookies(req.headers.cookie).get(COUPA_SESSION_COOKIE);
  const user = sim.sessions.use(sessionId, sim.options.sessionMaxRequests);
  if (user === undefined) {
    sim.stats.unauthenticatedRedirects++;
    return redirect(res, `/sessions/new?return_to=${encodeURIComponent(path + url.search)}`);
  }

  if (path === '/') return redirect(res, '/user/home');
  if (path === '/user/home') return page(res, sim, homePage(user));

  const download = DOWNLOAD_PATH.exec(path) ?? COMMENT_DOWNLOAD_PATH.exec(path);
  if (download) {
    const attachment = sim.index.attachments.get(download[1]!);
    if (!attachment) return page(res, sim, errorPage('oops', download[1]!));
    if (sim.storageUrl) return redirect(res, signedStorageUrl(sim, attachment.id));
    return sendAttachment(req, res, attachment, sim);
  }

  const poMatch = PO_PATH.exec(path);
  if (poMatch) {
    const id = poMatch[1]!;
    const requests = sim.stats.poPage(id);
    const po = sim.index.pos.get(id);
    if (!po) return page(res, sim, errorPage('oops', id));
    // A hung page never answers; closing the simulator destroys its socket.
    if (po.faults?.hang) return;
    if (po.faults?.alwaysFail500 || requests <= (po.faults?.transient500 ?? 0)) return page(res, sim, serverErrorPage());
    if (po.errorVariant) return page(res, sim, errorPage(po.errorVariant, id));
    return page(res, sim, poPage(po));
  }

  const requisitionMatch = REQUISITION_PATH.exec(path);
  if (requisitionMatch) {
    const id = requisitionMatch[1]!;
    sim.stats.requisitionPage(id);
    const requisition = sim.index.requisitions.get(id);
    if (!requisition) return page(res, sim, errorPage('oops', id));
    if (requisition.denial) return page(res, sim, errorPage(requisition.denial, id));
    return page(res, sim, requisitionPage(requisition));
  }

  return page(res, sim, errorPage('page-does-not-exist', path));
}

async function page(res: ServerResponse, sim: SimulatorContext, rendered: RenderedPage, headers?: Record<string, string | string[]>): Promise<void> {
  if (await pause(sim.options.pageLatencyMs, sim.signal)) sendPage(res, rendered, headers);
}

function returnToOf(value: string | null | undefined): string {
  return value && isRelativePath(value) ? value : '/user/home';
}

function signInStart(res: ServerResponse, url: URL, sim: SimulatorContext): Promise<void> | void {
  const returnTo = returnToOf(url.searchParams.get('return_to'));
  if (sim.options.coupaLoginForm) return page(res, sim, coupaLoginPage(returnTo, false));
  const callback = `${sim.coupaUrl}/sso/callback?return_to=${encodeURIComponent(returnTo)}`;
  return redirect(res, `${sim.idpUrl}/sso/authorize?return_to=${encodeURIComponent(callback)}`);
}

async function coupaFormSignIn(req: IncomingMessage, res: ServerResponse, sim: SimulatorContext): Promise<void> {
  const form = new URLSearchParams(await readBody(req));
  const returnTo = returnToOf(form.get('return_to'));
  const { username, password } = sim.options.credentials;
  if (form.get('user_email') !== username || form.get('user_password') !== password) {
    return page(res, sim, coupaLoginPage(returnTo, true));
  }
  sim.stats.signIns++;
  startSession(res, sim, username, returnTo);
}

function ssoCallback(res: ServerResponse, url: URL, sim: SimulatorContext): Promise<void> | void {
  const result = sim.tokens.redeem(url.searchParams.get('token') ?? '');
  if (!result.ok) {
    const why = { invalid: 'is not valid', expired: 'has expired', used: 'was already used' }[result.reason];
    return page(res, sim, ssoFailedPage(why));
  }
  startSession(res, sim, result.user, returnToOf(url.searchParams.get('return_to')));
}

function startSession(res: ServerResponse, sim: SimulatorContext, user: string, returnTo: string): void {
  const id = sim.sessions.create(user);
  sim.stats.sessionsIssued++;
  redirect(res, returnTo, { 'Set-Cookie': sessionCookie(COUPA_SESSION_COOKIE, id) });
}
