import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { BrowserContext, Download } from '@playwright/test';
import pRetry, { AbortError } from 'p-retry';
import { pickAttachmentName, sanitizeFileName } from '../output/file-names.js';
import { markOfTheWeb } from '../output/mark-of-the-web.js';
import { placeWithoutClobber, temporaryFileIn } from '../output/no-clobber.js';
import type { DownloadedFile } from '../po-result.js';
import { withoutQuery } from '../shared/url-text.js';
import { InfrastructureFault, isWindowGone, WindowGoneError } from './job-errors.js';
import { isTenantUrl, RedirectError, requestFromTenant, type TenantResponse } from './tenant-request.js';

/**
 * One attachment and how to get its bytes. Links to the tenant are streamed straight to
 * disk with the window's cookies (a link to any other host is refused); JavaScript buttons
 * have no URL, so the browser's own download started by a click is taken (Chromium does not
 * let a download from `<a download>` be intercepted).
 *
 * Links are fetched with Node's HTTP client rather than Playwright's request client on
 * purpose: Playwright writes request headers, cookies included, into the call log of a
 * failed request, and that log ends up in the test reports.
 */
export interface AttachmentSource {
  source: 'PO' | 'PR';
  /** What the page said about the file name; the server's Content-Disposition wins over all of it. */
  hints: { downloadAttr?: string; title?: string; ariaLabel?: string; text?: string };
  url?: string;
  /** The page the attachment was found on (for the file's Mark-of-the-Web). */
  referrerUrl?: string;
  /** Clicks the attachment and returns the browser download it started. */
  trigger?: () => Promise<Download>;
}

export interface DownloadOptions {
  context: BrowserContext;
  folder: string;
  /** Lower-cased names already used in the folder (this PO's earlier files). */
  taken: Set<string>;
  timeoutMs: number;
  retries: number;
  coupaOrigin: string;
  /** Signs the window in again when Coupa's session expired (the browser follows the SSO bounce). */
  renewSession: () => Promise<void>;
  /** Base delay of the exponential backoff between attempts. */
  backoffMs?: number;
  onRetry?: (message: string) => void;
  /** The window's browser lifetime: no request is started or kept after it aborts. */
  signal?: AbortSignal;
  /** Decides whether saved files get Windows' Mark-of-the-Web; default: this machine's. */
  platform?: NodeJS.Platform;
}

/** A file that could not be downloaded completely; the PO goes on with its other files. */
export class AttachmentDownloadError extends Error {
  /** `attempts` 0: refused without a request. */
  constructor(readonly what: string, readonly reason: string, readonly attempts: number) {
    super(`${what}: ${reason}${attempts ? ` (${attempts} attempt${attempts === 1 ? '' : 's'})` : ''}`);
    this.name = 'AttachmentDownloadError';
  }
}

class TransientDownloadError extends Error {}
class SessionExpired extends Error {}

/** A complete file under a temporary name in the PO folder, with what the server said about it. */
export interface Landed {
  tempPath: string;
  bytes: number;
  sha256: string;
  contentDisposition: string | undefined;
  url: string;
  /** The browser's own reading of the file name (JavaScript downloads). */
  suggestedName?: string;
}

const describe = (error: unknown): string => {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const detail = cause?.code ?? cause?.message;
  return `${(error as Error).message.split('\n')[0]}${detail ? ` (${detail})` : ''}`;
};

function requestSignal(options: DownloadOptions): AbortSignal {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  return options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
}

/** One request through requestFromTenant; network failures are worth another attempt. */
async function request(url: string, method: 'GET' | 'HEAD', options: DownloadOptions): Promise<TenantResponse> {
  try {
    return await requestFromTenant(url, { method, context: options.context, coupaOrigin: options.coupaOrigin, signal: requestSignal(options) });
  } catch (error) {
    options.signal?.throwIfAborted();
    if (error instanceof RedirectError) throw new AbortError(error.message);
    throw new TransientDownloadError(`request failed: ${describe(error)}`);
  }
}

async function streamToDisk(body: ReadableStream<Uint8Array>, target: string): Promise<{ bytes: number; sha256: string }> {
  const hash = crypto.createHash('sha256');
  let bytes = 0;
  // Opened synchronously and written chunk by chunk, so that when the transfer fails the
  // caller removes a file that exists, not one a stream is still opening or closing.
  const fd = fs.openSync(target, 'wx');
  try {
    for await (const chunk of Readable.fromWeb(body as import('node:stream/web').ReadableStream<Uint8Array>)) {
      const buffer = Buffer.from(chunk as Uint8Array);
      for (let written = 0; written < buffer.length; ) written += fs.writeSync(fd, buffer, written);
      hash.update(buffer);
      bytes += buffer.length;
    }
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  return { bytes, sha256: hash.digest('hex') };
}

function checkLength(declared: string | null, received: number): void {
  if (declared !== null && Number(declared) !== received) {
    throw new TransientDownloadError(`transfer incomplete: received ${received} of ${declared} bytes`);
  }
}

async function fetchLink(url: string, options: DownloadOptions): Promise<Landed> {
  const answer = await request(url, 'GET', options);
  if (answer.kind === 'sign-in') throw new SessionExpired('Coupa asked for a sign-in');
  const { response } = answer;
  if (response.status >= 500) throw new TransientDownloadError(`server answered HTTP ${response.status}`);
  if (response.status >= 400) throw new AbortError(`server answered HTTP ${response.status}`);
  const contentDisposition = response.headers.get('content-disposition') ?? undefined;
  if ((response.headers.get('content-type') ?? '').startsWith('text/html') && !contentDisposition) {
    await response.body?.cancel();
    throw new AbortError('server sent a web page instead of the file');
  }
  const tempPath = temporaryFileIn(options.folder);
  try {
    const { bytes, sha256 } = await streamToDisk(response.body ?? new ReadableStream(), tempPath).catch((error) => {
      throw new TransientDownloadError(`transfer interrupted: ${describe(error)}`);
    });
    checkLength(response.headers.get('content-length'), bytes);
    return { tempPath, bytes, sha256, contentDisposition, url: answer.url };
  } catch (error) {
    fs.rmSync(tempPath, { force: true });
    throw error;
  }
}

/**
 * Chromium itself fails a download whose body ends before its Content-Length; the length
 * is also asked of the server (HEAD, no body) and compared with the file, so a download
 * counts only when the file has the server's length.
 */
async function fetchByBrowser(trigger: () => Promise<Download>, options: DownloadOptions): Promise<Landed> {
  const download = await trigger();
  const tempPath = temporaryFileIn(options.folder);
  try {
    let timer: NodeJS.Timeout | undefined;
    const failure = await Promise.race([
      download.failure(),
      new Promise<string>((resolve) => (timer = setTimeout(() => resolve(`no end within ${options.timeoutMs} ms`), options.timeoutMs))),
    ]).finally(() => clearTimeout(timer));
    if (failure) throw new TransientDownloadError(`browser download failed: ${failure}`);
    const { bytes, sha256 } = await streamToDisk(Readable.toWeb(fs.createReadStream(await download.path())) as ReadableStream<Uint8Array>, tempPath);
    const answer = await request(download.url(), 'HEAD', options).catch(() => undefined);
    const head = answer?.kind === 'response' && answer.response.ok ? answer.response : undefined;
    checkLength(head ? head.headers.get('content-length') : null, bytes);
    return {
      tempPath,
      bytes,
      sha256,
      contentDisposition: head?.headers.get('content-disposition') || undefined,
      url: download.url(),
      suggestedName: download.suggestedFilename(),
    };
  } catch (error) {
    fs.rmSync(tempPath, { force: true });
    throw error;
  } finally {
    await download.delete().catch(() => undefined);
  }
}

/** A file fetched completely under a temporary name in the PO folder, not yet given its name. */
export interface FetchedAttachment {
  source: AttachmentSource;
  landed: Landed;
}

/**
 * Fetches one attachment into the PO folder under a temporary name, retrying interrupted
 * and failed transfers with backoff. Safe to run for several links at once: the name is
 * given afterwards (placeAttachment), in the page's order.
 */
export async function fetchAttachment(source: AttachmentSource, options: DownloadOptions): Promise<FetchedAttachment> {
  const what = source.url ? withoutQuery(source.url) : `"${source.hints.title ?? source.hints.ariaLabel ?? source.hints.text ?? 'attachment'}" (JavaScript download)`;
  if (source.url && !isTenantUrl(source.url, options.coupaOrigin)) {
    throw new AttachmentDownloadError(what, `a link to another host, not fetched: only ${options.coupaOrigin} is trusted with the window's session`, 0);
  }
  let attempts = 0;
  try {
    const landed = await pRetry(
      async () => {
        attempts++;
        try {
          if (source.url) return await fetchLink(source.url, options);
          if (source.trigger) return await fetchByBrowser(source.trigger, options);
        } catch (error) {
          throw isWindowGone(error) ? new AbortError(new WindowGoneError(`downloading ${what}`)) : error;
        }
        throw new AbortError('the page gave neither a link nor a button for this attachment');
      },
      {
        retries: options.retries,
        ...(options.signal ? { signal: options.signal } : {}),
        minTimeout: options.backoffMs ?? 500,
        factor: 2,
        onFailedAttempt: async ({ error, retriesLeft }) => {
          // An expired Coupa session is renewed by the browser (SSO bounce); if that fails the window lost its sign-in.
          if (error instanceof SessionExpired) await options.renewSession();
          if (retriesLeft > 0) options.onRetry?.(`${describe(error)}; retrying (${retriesLeft} left)`);
        },
      },
    );
    return { source, landed };
  } catch (error) {
    if (error instanceof InfrastructureFault) throw error;
    if (options.signal?.aborted) throw options.signal.reason instanceof InfrastructureFault ? options.signal.reason : new WindowGoneError(`downloading ${what}`);
    throw new AttachmentDownloadError(what, describe(error), attempts);
  }
}

/** Gives a fetched file its name in the PO folder (the server's, never replacing a file there) and its Mark-of-the-Web. */
export function placeAttachment({ source, landed }: FetchedAttachment, options: Pick<DownloadOptions, 'folder' | 'taken' | 'platform'>): DownloadedFile {
  const wanted = sanitizeFileName(
    pickAttachmentName({
      ...source.hints,
      contentDisposition: landed.contentDisposition,
      downloadAttr: source.hints.downloadAttr ?? landed.suggestedName,
      href: landed.url,
    }),
  );
  const target = placeWithoutClobber(landed.tempPath, options.folder, wanted, options.taken);
  markOfTheWeb(target, { hostUrl: landed.url, referrerUrl: source.referrerUrl }, options.platform);
  return { name: path.basename(target), bytes: landed.bytes, sha256: landed.sha256, source: source.source };
}
