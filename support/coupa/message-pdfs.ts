import path from 'node:path';
import { convertMsgToPdf, MsgPdfWriteError } from '../msg/msg-to-pdf.js';
import { BrokenMsgError } from '../msg/parse-msg.js';
import type { DownloadedFile } from '../po-result.js';
import { isWindowGone, WindowGoneError } from './job-errors.js';
import type { PoJobContext } from './po-context.js';

/**
 * Every downloaded Outlook message gets a PDF beside it, rendered by the window's own
 * browser; a message that cannot be read is reported in the PO's message, never fatal.
 */
export async function convertMessages(ctx: PoJobContext, workDir: string, files: DownloadedFile[], notes: string[]): Promise<string[]> {
  const converted: string[] = [];
  for (const file of files.filter((f) => /\.msg$/i.test(f.name))) {
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
