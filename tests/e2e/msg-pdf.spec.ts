import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, expect, test, type BrowserContext } from '@playwright/test';
import { BrokenMsgError } from '../../support/msg/parse-msg.js';
import { convertMsgToPdf } from '../../support/msg/msg-to-pdf.js';
import { simulatedMessage, simulatedMsgFile, writeMsgFile, type OutlookMessageContent } from '../../tooling/simulator/msg-file.js';
import { ensureDisplay, type VirtualDisplay } from './helpers/virtual-display.js';

/**
 * .msg → PDF in a real Chromium, headless and headed (on a display of our own when the
 * machine has none), in a persistent context like the job's windows: the PDF lands beside
 * the message with its headers and whole body, the tab is gone afterwards, the .msg is
 * untouched, and not one request leaves the tab, even to 127.0.0.1.
 */

const LAUNCH_ARGS = ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const hasPdftotext = commandExists('pdftotext');

function commandExists(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The PDF's text with runs of white space as one space; `-layout` keeps a header row on one line. */
function pdfText(file: string): string {
  return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
}

/** The document title Chromium copies from <title>, a literal or UTF-16BE hex string. */
function pdfTitle(pdf: Buffer): string | undefined {
  const text = pdf.toString('latin1');
  const hex = /\/Title\s*<FEFF([0-9A-Fa-f]*)>/.exec(text);
  if (hex) return Buffer.from(hex[1]!, 'hex').swap16().toString('utf16le');
  return /\/Title\s*\(([^)]*)\)/.exec(text)?.[1];
}

const pageCount = (pdf: Buffer) => (pdf.toString('latin1').match(/\/Type\s*\/Page\b(?!s)/g) ?? []).length;
const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

for (const mode of ['headless', 'headed'] as const) {
  test.describe(`${mode} Chromium`, () => {
    let root: string;
    let context: BrowserContext;
    let virtualDisplay: VirtualDisplay | undefined;
    let server: http.Server;
    let origin: string;
    const requests: string[] = [];

    test.beforeAll(async () => {
      root = fs.mkdtempSync(path.join(os.tmpdir(), `msg-pdf-${mode}-`));
      server = http.createServer((req, res) => {
        requests.push(req.url ?? '');
        res.end('tracked');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

      let display = process.env.DISPLAY;
      if (mode === 'headed' && !display) {
        test.skip(!commandExists('Xvfb'), 'headed mode needs a display or Xvfb');
        virtualDisplay = await ensureDisplay();
        display = virtualDisplay.display;
      }
      context = await chromium.launchPersistentContext(path.join(root, 'profile'), {
        executablePath: '/usr/bin/chromium',
        headless: mode === 'headless',
        args: LAUNCH_ARGS,
        env: { ...process.env, ...(display ? { DISPLAY: display } : {}) },
      });
    });

    test.afterAll(async () => {
      await context?.close();
      await virtualDisplay?.stop();
      await new Promise((resolve) => server?.close(resolve));
      if (root) fs.rmSync(root, { recursive: true, force: true });
    });

    test('an HTML message becomes a PDF beside it with headers and the whole body; nothing is fetched', async () => {
      const paragraphs = Array.from({ length: 150 }, (_, k) => `<p>Paragraph ${k + 1} of the supplier's answer.</p>`).join('');
      const message: OutlookMessageContent = {
        subject: 'AW: Liefertermin <PO4100005> – Bestätigung',
        from: { name: 'Müller & Söhne GmbH', email: 'vertrieb@mueller.example' },
        to: [{ name: 'Purchasing Team', email: 'purchasing@buyer.example' }],
        cc: [{ name: 'Accounts Payable', email: 'ap@buyer.example' }],
        sentAt: new Date('2024-03-05T14:30:00Z'),
        bodyText: 'plain alternative',
        bodyHtml: [
          '<html><head>',
          `<meta http-equiv="refresh" content="0;url=${origin}/refresh">`,
          `<link rel="stylesheet" href="${origin}/link.css">`,
          `<style>@import url("${origin}/import.css"); p { background: url("${origin}/background.png"); } h1 { display: none; }</style>`,
          `<script>document.title = 'script ran'; fetch('${origin}/script');</script>`,
          '</head><body>',
          `<img src="${origin}/pixel.gif" onerror="document.title = 'handler ran'">`,
          `<iframe src="${origin}/frame"></iframe>`,
          `<p>Sehr geehrte Damen und Herren, <a href="${origin}/link">hier klicken</a></p>`,
          paragraphs,
          '<p>END-OF-MESSAGE</p>',
          '</body></html>',
        ].join(''),
        attachments: [{ fileName: 'Lieferplan.xlsx', mimeType: 'application/octet-stream', content: Buffer.alloc(3000, 7) }],
      };
      const msgPath = path.join(root, 'RE_ Liefertermin.msg');
      fs.writeFileSync(msgPath, writeMsgFile(message));
      const before = sha256(msgPath);
      const tabs = context.pages().length;

      const { pdfPath } = await convertMsgToPdf(context, msgPath);

      expect(pdfPath).toBe(path.join(root, 'RE_ Liefertermin.pdf'));
      const pdf = fs.readFileSync(pdfPath);
      expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
      expect(pdfTitle(pdf)).toBe(message.subject);
      expect(pageCount(pdf), 'the body continues over several pages').toBeGreaterThan(2);
      if (hasPdftotext) {
        const text = pdfText(pdfPath);
        for (const expected of [
          message.subject,
          'From Müller & Söhne GmbH <vertrieb@mueller.example>',
          'To Purchasing Team <purchasing@buyer.example>',
          'Cc Accounts Payable <ap@buyer.example>',
          'Sent Tue, 05 Mar 2024 14:30:00 GMT',
          'Lieferplan.xlsx (3 KB)',
          'external images or links in this message were not loaded',
          'Sehr geehrte Damen und Herren, hier klicken',
          'Paragraph 1 of',
          'Paragraph 150 of',
          'END-OF-MESSAGE',
          'Converted from RE_ Liefertermin.msg',
        ]) {
          expect(text, expected).toContain(expected);
        }
        expect(text).not.toContain('plain alternative');
        expect(text).not.toContain('ran');
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(requests, 'requests that reached the local server').toEqual([]);
      expect(sha256(msgPath)).toBe(before);
      expect(context.pages()).toHaveLength(tabs);
    });

    test('PDFs of the same name already there are never replaced: the conversion takes <name>.msg.pdf, then the next free name', async () => {
      const msgPath = path.join(root, 'Quote.msg');
      const own = path.join(root, 'Quote.pdf');
      fs.writeFileSync(msgPath, writeMsgFile(simulatedMessage('71000217')));
      fs.writeFileSync(own, "%PDF-1.4 the supplier's own quote");

      const first = await convertMsgToPdf(context, msgPath);
      expect(first.pdfPath).toBe(path.join(root, 'Quote.msg.pdf'));
      expect(fs.readFileSync(own, 'utf8')).toBe("%PDF-1.4 the supplier's own quote");

      // As if the supplier had also attached a file called Quote.msg.pdf: it was downloaded, its checksum is in the journal.
      fs.writeFileSync(first.pdfPath, 'downloaded attachment');
      const again = await convertMsgToPdf(context, msgPath);
      expect(again.pdfPath).toBe(path.join(root, 'Quote.msg (2).pdf'));
      expect(fs.readFileSync(again.pdfPath).subarray(0, 5).toString()).toBe('%PDF-');
      expect(fs.readFileSync(first.pdfPath, 'utf8')).toBe('downloaded attachment');
      expect(fs.readFileSync(own, 'utf8')).toBe("%PDF-1.4 the supplier's own quote");
      expect(fs.readdirSync(root).filter((name) => name.startsWith('Quote')).sort()).toEqual(['Quote.msg', 'Quote.msg (2).pdf', 'Quote.msg.pdf', 'Quote.pdf']);
    });

    test('a simulator attachment converts; a plain-text body is printed line by line', async () => {
      const id = ['71000052', '71000053', '71000054', '71000055'].find((candidate) => simulatedMessage(candidate).bodyHtml === undefined)!;
      const msgPath = path.join(root, 'Supplier reply.msg');
      fs.writeFileSync(msgPath, simulatedMsgFile(id, 30 * 1024 + 37));
      const { pdfPath } = await convertMsgToPdf(context, msgPath);
      const pdf = fs.readFileSync(pdfPath);
      expect(pdfTitle(pdf)).toBe(`RE: Delivery date confirmation – attachment ${id}`);
      if (hasPdftotext) {
        const text = pdfText(pdfPath);
        expect(text).toContain('Dear Purchasing Team, we confirm');
        expect(text).toMatch(/we confirm delivery of the ordered goods on \d{4}-\d{2}-\d{2}\. The delivery schedule is attached\./);
        expect(text).toContain(`Delivery schedule ${id}.txt`);
      }
    });

    test('a broken or missing .msg is a BrokenMsgError: no PDF, no tab left behind', async () => {
      const tabs = context.pages().length;
      const truncated = path.join(root, 'broken.msg');
      fs.writeFileSync(truncated, writeMsgFile(simulatedMessage('7')).subarray(0, 3000));
      await expect(convertMsgToPdf(context, truncated)).rejects.toThrow(BrokenMsgError);
      await expect(convertMsgToPdf(context, path.join(root, 'missing.msg'))).rejects.toThrow(/missing\.msg is not a readable Outlook message: the file cannot be read \(ENOENT\)/);
      expect(fs.existsSync(path.join(root, 'broken.pdf'))).toBe(false);
      expect(context.pages()).toHaveLength(tabs);
    });
  });
}
