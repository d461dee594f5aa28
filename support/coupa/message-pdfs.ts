import path from 'node:path';
import type { DownloadedFile } from '../po-result.js';
import { isWindowGone, WindowGoneError } from './job-errors.js';
import type { PoJobContext } from './po-context.js';

/**
 * Every downloaded Outlook message gets a PDF beside it, rendered by the window's own
 * browser; a message that cannot be read is reported in the PO's message, never fatal.
 */
export async function convertMessages(ctx: PoJobContext, workDir: string, files: DownloadedFile[], notes: string[]): Promise<string[]> {
  const messages = files.filter((f) => /\.msg$/i.test(f.name));
  if (messages.length === 0) return [];
  // Loaded on the first message only: the message reader is not worth loading in every worker (~30 ms of CPU each).
  const [{ convertMsgToPdf, MsgPdfWriteError }, { BrokenMsgError }] = await Promise.all([import('../msg/msg-to-pdf.js'), import('../msg/parse-msg.js')]);
  const converted: string[] = [];
  for (const file of messages) {
    await ctx.step(`Convert ${file.name} to PDF`, async () => {
      try {
        const { pdfPath } = await convertMsgToPdf(ctx.page.context(), path.join(workDir, file.name));
        converted.push(path.basename(pdfPath));
      } catch (error) {
        if (error instanceof BrokenMsgError || error instanceof MsgPdfWriteError) {
          notes.push(`${file.name} was downloaded but could not be converted to PDF: ${error.message}`);
          ctx.log(`${file.name}: not converted to PDF (${error.message})`);
        } else if (isWindowGone(error)) {
          throw new WindowGoneError(`converting ${file.name} to PDF`);
        } else {
          throw error;
        }
      }
    });
  }
  return converted;
}
