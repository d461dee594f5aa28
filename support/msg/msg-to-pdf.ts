import fs from 'node:fs';
import path from 'node:path';
import type { BrowserContext } from '@playwright/test';
import { namesIn, placeWithoutClobber, temporaryFileIn } from '../output/no-clobber.js';
import { OperatorError } from '../shared/operator-error.js';
import { renderMessageHtml } from './message-html.js';
import { BrokenMsgError, parseMsg } from './parse-msg.js';

export class MsgPdfWriteError extends OperatorError {
  constructor(readonly file: string, cause: unknown) {
    const code = cause instanceof Error && 'code' in cause ? ` (${String(cause.code)})` : '';
    super(`Could not write the PDF ${file}${code}`, 'Check free disk space and write permission on the download folder; the .msg itself is intact.', { cause });
  }
}

/**
 * `quote.msg` → `quote.pdf`; when that name is taken (often the supplier sent both),
 * `quote.msg.pdf`. Only a wish: the PDF is placed without replacing any file, so a taken
 * `quote.msg.pdf` (a downloaded attachment too) leads to `quote.msg (2).pdf`.
 */
export function pdfNameFor(msgName: string, taken: ReadonlySet<string>): string {
  const extension = path.extname(msgName);
  const stem = extension.toLowerCase() === '.msg' ? msgName.slice(0, -extension.length) : msgName;
  const plain = `${stem}.pdf`;
  return taken.has(plain.toLowerCase()) ? `${msgName}.pdf` : plain;
}

/**
 * Renders the message at `msgPath` as a PDF beside it, in a new tab of the job's own
 * browser (page.pdf() works headless and headed in Chromium). The tab may not reach the
 * network: every request is aborted, so a tracking pixel cannot report the download.
 * The .msg and every other file in its folder are only read, never replaced (the PDF is
 * placed like a download). Throws BrokenMsgError for a file that is not a readable message.
 */
export async function convertMsgToPdf(context: BrowserContext, msgPath: string): Promise<{ pdfPath: string }> {
  let bytes: Buffer;
  try {
    bytes = await fs.promises.readFile(msgPath);
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? String(error.code) : 'unreadable';
    throw new BrokenMsgError(msgPath, `the file cannot be read (${code})`, error);
  }
  const html = renderMessageHtml(parseMsg(bytes, msgPath), { sourceName: path.basename(msgPath) });

  const page = await context.newPage();
  let pdf: Buffer;
  try {
    await page.route('**/*', (route) => {
      const url = route.request().url();
      return url.startsWith('data:') || url.startsWith('about:') ? route.continue() : route.abort('blockedbyclient');
    });
    await page.setContent(html, { waitUntil: 'load' });
    pdf = await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true });
  } finally {
    // A tab of a crashed browser cannot be closed; the error already thrown is the one to report.
    await page.close().catch(() => undefined);
  }

  const folder = path.dirname(msgPath);
  const temporary = temporaryFileIn(folder);
  let wanted = pdfNameFor(path.basename(msgPath), new Set());
  try {
    await fs.promises.writeFile(temporary, pdf, { flag: 'wx' });
    const taken = namesIn(folder);
    wanted = pdfNameFor(path.basename(msgPath), taken);
    return { pdfPath: placeWithoutClobber(temporary, folder, wanted, taken) };
  } catch (error) {
    await fs.promises.rm(temporary, { force: true }).catch(() => undefined);
    throw new MsgPdfWriteError(path.join(folder, wanted), error);
  }
}
