import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { BrowserContext, Download } from '@playwright/test';
import pRetry, { AbortError } from 'p-retry';
import { pickAttachmentName, resolveInside, sanitizeFileName, uniqueFileName } from '../output/file-names.js';
import type { DownloadedFile } from '../po-result.js';
import { InfrastructureFault, isWindowGone, WindowGoneError } from './job-errors.js';

/**
 * One attachment and how to get its bytes. Links are streamed straight to disk with the
 * window's cookies; JavaScript buttons have no URL, so the browser's own download started
 * by a click is taken (Chromium does not let a download from `<a download>` be intercepted).
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
}

/** A file that could not be downloaded completely; the PO goes on with its other files. */
export class AttachmentDownloadError extends Error {
  constructor(readonly what: string, readonly reason: string, readonly attempts: number) {
    super(`${what}: ${reason} (${attempts} attempt${attempts === 1 ? '' : 's'})`);
    this.name = 'AttachmentDownloadError';
  }
}

class TransientDownloadError extends Error {}
class SessionExpired extends Error {}

/** A complete file under a temporary name in the PO folder, with what the server said about it. */
interface Landed {
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

const tempName = (folder: string) => path.join(folder, `.${crypto.randomBytes(6).toString('hex')}.part`);

function onSignInPage(url: string, coupaOrigin: string): boolean {
  const landed = new URL(url);
  return landed.origin !== coupaOrigin || /\/sessions\/new/.test(landed.pathname);
}

async function windowCookieHeader(context: BrowserContext, url: string): Promise<string> {
  return (await context.cookies(url)).map((c) => `${c.name}=${c.value}`).join('; ');
}

/**
 * Node's fetch drops the Cookie header when a redirect leaves the origin (e.g. to a
 * storage host or to the identity provider), as a browser would.
 */
async function request(url: string, method: 'GET' | 'HEAD', options: DownloadOptions): Promise<Response> {
  try {
    return await fetch(url, {
      method,
      redirect: 'follow',
      headers: { cookie: await windowCookieHeader(options.context, url) },
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (error) {
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
  const response = await request(url, 'GET', options);
  if (onSignInPage(response.url, options.coupaOrigin)) {
    await response.body?.cancel();
    throw new SessionExpired('Coupa asked for a sign-in');
  }
  if (response.status >= 500) throw new TransientDownloadError(`server answered HTTP ${response.status}`);
  if (response.status >= 400) throw new AbortError(`server answered HTTP ${response.status}`);
  const contentDisposition = response.headers.get('content-disposition') ?? undefined;
  if ((response.headers.get('content-type') ?? '').startsWith('text/html') && !contentDisposition) {
    await response.body?.cancel();
    throw new AbortError('server sent a web page instead of the file');
  }
  const tempPath = tempName(options.folder);
  try {
    const { bytes, sha256 } = await streamToDisk(response.body ?? new ReadableStream(), tempPath).catch((error) => {
      throw new TransientDownloadError(`transfer interrupted: ${describe(error)}`);
    });
    checkLength(response.headers.get('content-length'), bytes);
    return { tempPath, bytes, sha256, contentDisposition, url: response.url };
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
  const tempPath = tempName(options.folder);
  try {
    let timer: NodeJS.Timeout | undefined;
    const failure = await Promise.race([
      download.failure(),
      new Promise<string>((resolve) => (timer = setTimeout(() => resolve(`no end within ${options.timeoutMs} ms`), options.timeoutMs))),
    ]).finally(() => clearTimeout(timer));
    if (failure) throw new TransientDownloadError(`browser download failed: ${failure}`);
    const { bytes, sha256 } = await streamToDisk(Readable.toWeb(fs.createReadStream(await download.path())) as ReadableStream<Uint8Array>, tempPath);
    const head = await request(download.url(), 'HEAD', options).catch(() => undefined);
    const trusted = head && head.ok && !onSignInPage(head.url, options.coupaOrigin);
    checkLength(trusted ? head.headers.get('content-length') : null, bytes);
    return {
      tempPath,
      bytes,
      sha256,
      contentDisposition: (trusted && head.headers.get('content-disposition')) || undefined,
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

/**
 * Gives the complete file its final name without ever replacing a file: a hard link fails
 * when the name exists, so two writers can never end up on the same path; the loser takes
 * the next free `name (n).ext`.
 */
function moveIntoPlace(tempPath: string, folder: string, wanted: string, taken: Set<string>): string {
  for (;;) {
    const name = uniqueFileName(wanted, taken);
    taken.add(name.toLowerCase());
    const target = resolveInside(folder, name);
    try {
      fs.linkSync(tempPath, target);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') continue;
      // File systems without hard links (FAT/exFAT drives, some shares): check, then rename.
      if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS'].includes(code ?? '')) throw error;
      if (fs.existsSync(target)) continue;
      fs.renameSync(tempPath, target);
      return target;
    }
    fs.unlinkSync(tempPath);
    return target;
  }
}

/** Downloads one attachment into the PO folder, retrying interrupted and failed transfers with backoff. */
export async function downloadAttachment(source: AttachmentSource, options: DownloadOptions): Promise<DownloadedFile> {
  const what = source.url ?? `"${source.hints.title ?? source.hints.ariaLabel ?? source.hints.text ?? 'attachment'}" (JavaScript download)`;
  let attempts = 0;
  let landed: Landed;
  try {
    landed = await pRetry(
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
        minTimeout: options.backoffMs ?? 500,
        factor: 2,
        onFailedAttempt: async ({ error, retriesLeft }) => {
          // An expired Coupa session is renewed by the browser (SSO bounce); if that fails the window lost its sign-in.
          if (error instanceof SessionExpired) await options.renewSession();
          if (retriesLeft > 0) options.onRetry?.(`${describe(error)}; retrying (${retriesLeft} left)`);
        },
      },
    );
  } catch (error) {
    if (error instanceof InfrastructureFault) throw error;
    throw new AttachmentDownloadError(what, describe(error), attempts);
  }
  const wanted = sanitizeFileName(
    pickAttachmentName({
      ...source.hints,
      contentDisposition: landed.contentDisposition,
      downloadAttr: source.hints.downloadAttr ?? landed.suggestedName,
      href: landed.url,
    }),
  );
  const target = moveIntoPlace(landed.tempPath, options.folder, wanted, options.taken);
  return { name: path.basename(target), bytes: landed.bytes, sha256: landed.sha256, source: source.source };
}
