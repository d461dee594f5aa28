import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import {
  attachmentNameCandidates,
  fileNameFromContentDisposition,
  pickAttachmentName,
  resolveInside,
  sanitizeFileName,
  uniqueFileName,
  UnsafeFileNameError,
} from '../../support/output/file-names.js';

const utf8Length = (text: string) => Buffer.byteLength(text, 'utf8');

/** A cut inside a surrogate pair leaves half of it, which UTF-8 cannot encode. */
const hasLoneSurrogate = (text: string) => Buffer.from(text, 'utf8').toString('utf8') !== text;

test.describe('fileNameFromContentDisposition', () => {
  const cases: Array<[header: string | null | undefined, name: string | undefined]> = [
    [undefined, undefined],
    [null, undefined],
    ['', undefined],
    ['inline', undefined],
    ['attachment; filename="report.pdf"', 'report.pdf'],
    ['attachment; filename=report.pdf', 'report.pdf'],
    ['ATTACHMENT; FILENAME="Report.PDF"', 'Report.PDF'],
    [`attachment; filename="fallback.pdf"; filename*=UTF-8''%C3%A9t%C3%A9%20%E2%82%AC.pdf`, 'été €.pdf'],
    [`attachment; filename*=UTF-8''%C3%A9t%C3%A9.pdf; filename="fallback.pdf"`, 'été.pdf'],
    [`attachment; filename*=iso-8859-1''caf%E9.pdf`, 'café.pdf'],
    ['attachment; filename="a\\"b.pdf"', 'a"b.pdf'],
    ['attachment; filename="a;b.pdf"', 'a;b.pdf'],
    ['attachment; filename="unclosed.pdf', 'unclosed.pdf'],
    [`attachment; filename*=UTF-8''bad%ZZname%C3%A9.pdf`, 'bad%ZZnameé.pdf'],
    [`attachment; filename*=UTF-8''`, undefined],
    ['attachment; filename=""', undefined],
    ['attachment; filename', undefined],
    [';;;', undefined],
    ['attachment; filename="../../etc/passwd"', '../../etc/passwd'],
  ];
  for (const [header, name] of cases) {
    test(`${JSON.stringify(header)} → ${JSON.stringify(name)}`, () => {
      expect(fileNameFromContentDisposition(header)).toBe(name);
    });
  }
});

test.describe('pickAttachmentName follows the priority of WORKFLOW.md', () => {
  const all = {
    contentDisposition: 'attachment; filename="from-header.pdf"',
    downloadAttr: 'from-download.pdf',
    title: 'from-title.pdf',
    ariaLabel: 'file attachment from-aria.pdf',
    text: 'from-text.pdf',
    href: '/attachments/1/from-href.pdf',
  };
  const cases: Array<[label: string, sources: Parameters<typeof pickAttachmentName>[0], name: string]> = [
    ['Content-Disposition first', all, 'from-header.pdf'],
    ['then download attribute', { ...all, contentDisposition: 'inline' }, 'from-download.pdf'],
    ['empty download attribute is no name', { ...all, contentDisposition: null, downloadAttr: '' }, 'from-title.pdf'],
    ['then title', { ...all, contentDisposition: undefined, downloadAttr: undefined }, 'from-title.pdf'],
    ['then aria-label without the "file attachment" phrase', { ariaLabel: 'File Attachment: quote.msg', text: 'x' }, 'quote.msg'],
    ['aria-label that is only the phrase', { ariaLabel: 'file attachment', text: 'notes.txt' }, 'notes.txt'],
    ['then link text, whitespace collapsed', { text: '  spec\n   sheet.docx ' }, 'spec sheet.docx'],
    ['generic link text is skipped', { text: 'Download', href: '/files/plan.xlsx' }, 'plan.xlsx'],
    ['then the href, percent-decoded', { href: 'https://x.coupahost.com/attachment_file/9/Devis%20%C3%A9t%C3%A9.pdf?x=1' }, 'Devis été.pdf'],
    ['href with a file name query parameter', { href: '/attachments/9/download?file_name=order%20form.pdf' }, 'order form.pdf'],
    ['href ending in a generic segment', { href: '/attachments/9/download' }, 'attachment'],
    ['href ending in an id', { href: '/attachment_file/123' }, 'attachment'],
    ['nothing usable', {}, 'attachment'],
    ['blank values', { downloadAttr: '  ', title: '\n', text: '' }, 'attachment'],
  ];
  for (const [label, sources, name] of cases) {
    test(label, () => {
      expect(pickAttachmentName(sources)).toBe(name);
    });
  }

  test('candidates are listed in priority order', () => {
    expect(attachmentNameCandidates(all)).toEqual([
      'from-header.pdf',
      'from-download.pdf',
      'from-title.pdf',
      'from-aria.pdf',
      'from-text.pdf',
      'from-href.pdf',
    ]);
  });
});

test.describe('sanitizeFileName', () => {
  const cases: Array<[raw: string, safe: string]> = [
    ['report.pdf', 'report.pdf'],
    ['../../x.txt', 'x.txt'],
    ['..\\..\\Windows\\win.ini', 'win.ini'],
    ['/etc/passwd', 'passwd'],
    ['C:\\fakepath\\quote.msg', 'quote.msg'],
    ['folder/', 'folder'],
    ['..', 'attachment'],
    ['.', 'attachment'],
    ['...', 'attachment'],
    ['', 'attachment'],
    ['   ', 'attachment'],
    ['.htaccess', '_.htaccess'],
    ['.pdf', '_.pdf'],
    ['a<b>c:d"e|f?g*h.txt', 'a_b_c_d_e_f_g_h.txt'],
    ['tab\tnul\u0000del\u007f.txt', 'tab_nul_del_.txt'],
    ['invoice\u202efdp.exe', 'invoicefdp.exe'],
    ['in\u200bvoice\u200e\u200f\u2066.pdf\u2069', 'invoice.pdf'],
    ['\u061cquote\u00ad\u2060\ufeff\u180e.pdf', 'quote.pdf'],
    ['\u200b\u202e', 'attachment'],
    ['CON\u200b.txt', '_CON.txt'],
    ['\u200b.hidden', '_.hidden'],
    ['می\u200cخواهم.pdf', 'می\u200cخواهم.pdf'],
    ['👩\u200d💻.png', '👩\u200d💻.png'],
    ['  leading and trailing. . ', 'leading and trailing'],
    ['name.pdf...', 'name.pdf'],
    ['CON', '_CON'],
    ['CON.txt', '_CON.txt'],
    ['aux.pdf', '_aux.pdf'],
    ['Nul.tar.gz', '_Nul.tar.gz'],
    ['com1.doc', '_com1.doc'],
    ['LPT9', '_LPT9'],
    ['COM¹.txt', '_COM¹.txt'],
    ['COM0.txt', '_COM0.txt'],
    ['lpt0', '_lpt0'],
    ['CONIN$', '_CONIN$'],
    ['conout$.log', '_conout$.log'],
    ['CONIN$X.txt', 'CONIN$X.txt'],
    ['CON .txt', '_CON .txt'],
    ['CONSOLE.txt', 'CONSOLE.txt'],
    ['icon.txt', 'icon.txt'],
    ['e\u0301te\u0301.pdf', 'été.pdf'],
    ['報告書.pdf', '報告書.pdf'],
  ];
  for (const [raw, safe] of cases) {
    test(`${JSON.stringify(raw)} → ${JSON.stringify(safe)}`, () => {
      expect(sanitizeFileName(raw)).toBe(safe);
    });
  }

  test('a 220+ character name is capped at 150 characters with its extension kept', () => {
    const safe = sanitizeFileName(`${'Quarterly report '.repeat(14)}final.pdf`);
    expect(Array.from(safe).length).toBeLessThanOrEqual(150);
    expect(safe).toMatch(/^Quarterly report .*\.pdf$/);
    expect(safe).not.toMatch(/ \.pdf$/);
  });

  test('the cap can be changed', () => {
    expect(sanitizeFileName(`${'a'.repeat(50)}.docx`, { maxLength: 20 })).toBe(`${'a'.repeat(15)}.docx`);
  });

  test('multi-byte names stay within 240 UTF-8 bytes', () => {
    const safe = sanitizeFileName(`${'日本'.repeat(100)}.xlsx`);
    expect(utf8Length(safe)).toBeLessThanOrEqual(240);
    expect(safe.endsWith('.xlsx')).toBe(true);
    expect(safe).toBe(`${'日本'.repeat(39)}.xlsx`);
  });

  test('never cuts inside a surrogate pair or an emoji sequence', () => {
    const family = '👨‍👩‍👧';
    for (const raw of [`${'😀'.repeat(200)}.png`, `a${'😀'.repeat(200)}.png`, `${family.repeat(60)}.jpg`]) {
      const safe = sanitizeFileName(raw);
      expect(hasLoneSurrogate(safe)).toBe(false);
      expect(utf8Length(safe)).toBeLessThanOrEqual(240);
      expect(safe).toMatch(/\.(png|jpg)$/);
    }
    expect(sanitizeFileName(`${family.repeat(60)}.jpg`)).toMatch(new RegExp(`^(${family})+\\.jpg$`, 'u'));
  });

  test('a name whose only grapheme is too long to keep never becomes a hidden bare extension', () => {
    expect(sanitizeFileName(`a${'\u0301'.repeat(300)}.pdf`)).toBe('_.pdf');
  });

  test('a long "extension" is not kept at the expense of the name', () => {
    const safe = sanitizeFileName(`report.${'x'.repeat(300)}`);
    expect(safe.startsWith('report.')).toBe(true);
    expect(Array.from(safe).length).toBe(150);
  });
});

test.describe('uniqueFileName', () => {
  test('numbers duplicates, ignoring case', () => {
    const taken = new Set<string>();
    const names = ['report.pdf', 'report.pdf', 'REPORT.PDF', 'Report.pdf', 'other.pdf', 'report (2).pdf'].map((name) => {
      const unique = uniqueFileName(name, taken);
      taken.add(unique.toLowerCase());
      return unique;
    });
    expect(names).toEqual(['report.pdf', 'report (2).pdf', 'REPORT (3).PDF', 'Report (4).pdf', 'other.pdf', 'report (2) (2).pdf']);
  });

  test('names without an extension and dotted names', () => {
    expect(uniqueFileName('README', new Set(['readme']))).toBe('README (2)');
    expect(uniqueFileName('archive.tar.gz', new Set(['archive.tar.gz']))).toBe('archive.tar (2).gz');
  });

  test('keeps the length cap and the extension', () => {
    const long = sanitizeFileName(`${'x'.repeat(300)}.pdf`);
    expect(Array.from(long).length).toBe(150);
    const taken = new Set([long.toLowerCase()]);
    const second = uniqueFileName(long, taken);
    expect(Array.from(second).length).toBeLessThanOrEqual(150);
    expect(second.endsWith(' (2).pdf')).toBe(true);
    taken.add(second.toLowerCase());
    const third = uniqueFileName(long, taken);
    expect(third.endsWith(' (3).pdf')).toBe(true);
  });

  test('keeps the UTF-8 byte cap', () => {
    const long = sanitizeFileName(`${'é'.repeat(200)}.pdf`);
    const second = uniqueFileName(long, new Set([long.toLowerCase()]));
    expect(utf8Length(second)).toBeLessThanOrEqual(240);
    expect(second.endsWith(' (2).pdf')).toBe(true);
  });
});

test.describe('resolveInside', () => {
  let folder: string;
  test.beforeEach(() => {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'resolve-inside-'));
  });
  test.afterEach(() => {
    fs.rmSync(folder, { recursive: true, force: true });
  });

  test('a plain name lands directly in the folder', () => {
    expect(resolveInside(folder, 'report.pdf')).toBe(path.join(folder, 'report.pdf'));
    expect(resolveInside(`${folder}/`, 'x (2).pdf')).toBe(path.join(folder, 'x (2).pdf'));
  });

  for (const hostile of ['../escape.txt', '../../etc/passwd', '/etc/passwd', 'sub/file.txt', '..', '.', '', 'a\0b', 'trailing/']) {
    test(`refuses ${JSON.stringify(hostile)}`, () => {
      expect(() => resolveInside(folder, hostile)).toThrow(UnsafeFileNameError);
    });
  }

  test('every sanitised hostile name resolves inside the folder', () => {
    for (const hostile of ['../../x.txt', '..', '.', 'CON', '..\\..\\x', '/', '\u0000', '~/.ssh/id_rsa']) {
      const safe = sanitizeFileName(hostile);
      expect(path.dirname(resolveInside(folder, safe))).toBe(folder);
    }
  });
});
