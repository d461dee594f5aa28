import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendAttachment } from './download-responder.js';
import { seal, unseal } from './hmac-seal.js';
import type { SimulatorContext } from './simulator-context.js';

/**
 * Storage-host mode: a tenant download answers with a redirect to another host (object
 * storage, a CDN) carrying a signed, short-lived URL. That host knows nothing of Coupa's
 * session: the signature is the only key, and a request that brings cookies is refused,
 * so a client that leaks the window's cookies to it fails loudly.
 */

const OBJECT_PATH = /^\/objects\/(\d+)\/?$/;
const PURPOSE = 'storage-object';
/** How long a signed URL is valid. */
export const SIGNED_URL_LIFETIME_MS = 60_000;

/** Where the tenant sends the client for this attachment; the signature is recorded so tests can look for leaks. */
export function signedStorageUrl(sim: SimulatorContext, attachmentId: string): string {
  const expires = Date.now() + SIGNED_URL_LIFETIME_MS;
  const signature = seal(sim.secret, PURPOSE, `${attachmentId}\n${expires}`);
  sim.stats.storageSignatureIssued(signature);
  return `${sim.storageUrl}/objects/${attachmentId}?expires=${expires}&signature=${encodeURIComponent(signature)}`;
}

export function storageHandler(sim: SimulatorContext) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', sim.storageUrl);
    const withCookie = req.headers.cookie !== undefined;
    sim.stats.storageRequest(withCookie);
    if (withCookie) return refuse(res, 'CookiesNotAccepted', 'This host takes no cookies; the signed URL is the only credential.');
    const match = OBJECT_PATH.exec(url.pathname);
    const attachment = match ? sim.index.attachments.get(match[1]!) : undefined;
    if (!match || !attachment) return refuse(res, 'NoSuchKey', 'The object does not exist.', 404);
    const expires = Number(url.searchParams.get('expires'));
    const signed = unseal(sim.secret, PURPOSE, url.searchParams.get('signature') ?? '');
    if (signed !== `${match[1]}\n${url.searchParams.get('expires')}`) return refuse(res, 'SignatureDoesNotMatch', 'The signature is not valid for this object.');
    if (!(expires > Date.now())) return refuse(res, 'AccessDenied', 'The signed URL has expired.');
    sendAttachment(req, res, attachment, sim).catch(() => res.destroy());
  };
}

/** Storage hosts answer with an XML error document, never with a sign-in page. */
function refuse(res: ServerResponse, code: string, message: string, status = 403): void {
  const body = Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>\n`, 'utf8');
  res.writeHead(status, { 'Content-Type': 'application/xml', 'Content-Length': body.length, 'Cache-Control': 'no-store' });
  res.end(body);
}
