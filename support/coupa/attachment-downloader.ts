import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { APIRequestContext } from '@playwright/test';
import pRetry, { AbortError } from 'p-retry';
import { pickAttachmentName, resolveInside, sanitizeFileName, uniqueFileName } from '../output/file-names.js';
import type { DownloadedFile } from '../po-result.js';
import { AuthenticationLostError } from './job-errors.js';

export interface AttachmentSource {
  url: string;
  source: 'PO' | 'PR';
  /** What the page said about the file name; the server's Content-Disposition wins over all of it. */
  hints: { downloadAttr?: string; title?: string; ariaLabel?: string; text?: string };
}

export interface DownloadOptions {
  folder: string;
  /** Lower-cased names already used in the folder (this PO's earlier files). */
  taken: Set<string>;
  timeoutMs: number;
  retries: number;
  coupaOrigin: string;
  /** Base delay of the exponential backoff between attempts. */
  backoffMs?: number;
  onRetry?: (message: string) => void;
}

/** A file that could not be downloaded completely; the PO goes on with its other files. */
export class AttachmentDownloadError extends Error {
  constructor(readonly url: string, readonly reason: string, readonly attempts: number) {
    super(`${reason} (${attempts} attempt${attempts === 1 ? '' : 's'}, ${url})`);
    this.name = 'AttachmentDownloadError';
  }
}

class TransientDownloadError extends Error {}

interface FetchedBody {
  body: Buffer;
  contentDisposition: string | undefined;
}

async function fetchOnce(request: APIRequestContext, source: AttachmentSource, options: DownloadOptions): Promise<FetchedBody> {
  let response;
  try {
    response = await request.get(source.url, { timeout: options.timeoutMs, maxRedirects: 20, failOnStatusCode: false });
  } catch (error) {
    throw new TransientDownloadError(`transfer interrupted: ${(error as Error).message.split('\n')[0]}`);
  }
  const finalUrl = new URL(response.url());
  const contentType = response.headers()['content-type'] ?? '';
  if (finalUrl.origin !== options.coupaOrigin) {
    throw new AuthenticationLostError(
      `downloading ${source.url} ended on the sign-in page ${finalUrl.origin}${finalUrl.pathname}: the window is no longer signed in`,
    );
  }
  if (response.status() >= 500) throw new TransientDownloadError(`server answered HTTP ${response.status()}`);
  if (response.status() >= 400) throw new AbortError(`server answered HTTP ${response.status()}`);
  if (/\/sessions\/new/.test(finalUrl.pathname)) {
    throw new AuthenticationLostError(`downloading ${source.url} ended on Coupa's login form: the window is no longer signed in`);
  }
  let body: Buffer;
  try {
    body = await response.body();
  } catch (error) {
    throw new TransientDownloadError(`transfer interrupted: ${(error as Error).message.split('\n')[0]}`);
  }
  const declared = response.headers()['content-length'];
  if (declared !== undefined && Number(declared) !== body.length) {
    throw new TransientDownloadError(`transfer incomplete: received ${body.length} of ${declared} bytes`);
  }
  const contentDisposition = response.headers()['content-disposition'];
  if (contentType.startsWith('text/html') && !contentDisposition) {
    throw new AbortError('server sent a web page instead of the file');
  }
  return { body, contentDisposition };
}

/**
 * Writes under a temporary name in the PO folder and renames into place only once the
 * file on disk has the server's length, so a file under its final name is always whole.
 */
function writeComplete(folder: string, fileName: string, body: Buffer): string {
  const target = resolveInside(folder, fileName);
  const temp = path.join(folder, `.${crypto.randomBytes(6).toString('hex')}.part`);
  const fd = fs.openSync(temp, 'wx');
  try {
    fs.writeFileSync(fd, body);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  const onDisk = fs.statSync(temp).size;
  if (onDisk !== body.length) {
    fs.rmSync(temp, { force: true });
    throw new TransientDownloadError(`file on disk has ${onDisk} bytes, expected ${body.length}`);
  }
  fs.renameSync(temp, target);
  return target;
}

/**
 * Downloads one attachment with the window's cookies (the browser context's request
 * client shares them and follows the SSO bounce when Coupa's session has expired),
 * retrying interrupted and failed transfers with backoff. A file counts only when it is
 * complete on disk under its final name.
 */
export async function downloadAttachment(
  request: APIRequestContext,
  source: AttachmentSource,
  options: DownloadOptions,
): Promise<DownloadedFile> {
  let attempts = 0;
  let fetched: FetchedBody;
  try {
    fetched = await pRetry(
      async () => {
        attempts++;
        return fetchOnce(request, source, options);
      },
      {
        retries: options.retries,
        minTimeout: options.backoffMs ?? 500,
        factor: 2,
        shouldRetry: ({ error }) => !(error instanceof AuthenticationLostError),
        onFailedAttempt: ({ error, retriesLeft }) => {
          if (retriesLeft > 0 && !(error instanceof AuthenticationLostError)) {
            options.onRetry?.(`${error.message}; retrying (${retriesLeft} left)`);
          }
        },
      },
    );
  } catch (error) {
    if (error instanceof AuthenticationLostError) throw error;
    throw new AttachmentDownloadError(source.url, (error as Error).message, attempts);
  }
  const name = uniqueFileName(
    sanitizeFileName(pickAttachmentName({ contentDisposition: fetched.contentDisposition, href: source.url, ...source.hints })),
    options.taken,
  );
  options.taken.add(name.toLowerCase());
  const target = writeComplete(options.folder, name, fetched.body);
  return {
    name: path.basename(target),
    bytes: fetched.body.length,
    sha256: crypto.createHash('sha256').update(fetched.body).digest('hex'),
    source: source.source,
  };
}
