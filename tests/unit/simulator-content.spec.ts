import { test, expect } from '@playwright/test';
import { parse } from 'content-disposition';
import { attachmentContent, minPdfBytes } from '../../tooling/simulator/attachment-content.js';
import { contentDisposition, downloadHeaders } from '../../tooling/simulator/download-headers.js';
import { contentTypeFor, extensionOf } from '../../tooling/simulator/file-types.js';
import type { SimAttachment } from '../../tooling/simulator/catalogue-model.js';

const attachment = (over: Partial<SimAttachment>): SimAttachment => ({
  id: '7000001',
  fileName: 'file.bin',
  size: 1000,
  form: 'download-link',
  disposition: 'attachment',
  ...over,
});

test.describe('attachment content', () => {
  test('is deterministic per id and size and has exactly the configured size', () => {
    for (const size of [1, 2, 3, 4, 5, 1023, 4096, 200 * 1024 + 3]) {
      const first = attachmentContent({ id: '42', size, fileName: 'a.xlsx' });
      expect(first.length).toBe(size);
      expect(attachmentContent({ id: '42', size, fileName: 'a.xlsx' }).equals(first)).toBe(true);
    }
    const base = attachmentContent({ id: '42', size: 4096, fileName: 'a.xlsx' });
    expect(attachmentContent({ id: '43', size: 4096, fileName: 'a.xlsx' }).equals(base)).toBe(false);
    expect(attachmentContent({ id: '42', size: 4097, fileName: 'a.xlsx' }).subarray(0, 4096).equals(base)).toBe(false);
  });

  test('PDFs start with %PDF-1.4, end with %%EOF and hit every size from the minimum up', () => {
    const id = '71000011';
    const min = minPdfBytes(id);
    for (let size = min; size < min + 300; size++) {
      const pdf = attachmentContent({ id, size, fileName: 'x.PDF' });
      expect(pdf.length).toBe(size);
      expect(pdf.subarray(0, 8).toString('latin1')).toBe('%PDF-1.4');
      expect(pdf.subarray(-5).toString('latin1')).toBe('%%EOF');
    }
    expect(() => attachmentContent({ id, size: min - 1, fileName: 'x.pdf' })).toThrow(RangeError);
    expect(() => attachmentContent({ id, size: 0, fileName: 'x.txt' })).toThrow(RangeError);
  });

  test('PDF cross-reference offsets point at their objects, so viewers open the file', () => {
    const pdf = attachmentContent({ id: '99', size: 50_000, fileName: 'Scan.pdf' }).toString('latin1');
    const startxref = Number(/startxref\n(\d+)\n%%EOF$/.exec(pdf)![1]);
    expect(pdf.slice(startxref, startxref + 4)).toBe('xref');
    const offsets = [...pdf.slice(startxref).matchAll(/^(\d{10}) 00000 n $/gm)].map((m) => Number(m[1]));
    expect(offsets).toHaveLength(5);
    offsets.forEach((offset, i) => expect(pdf.slice(offset, offset + 8)).toBe(`${i + 1} 0 obj\n`));
    expect(pdf).toContain('(Simulated Coupa attachment 99) Tj');
  });
});

test.describe('download headers', () => {
  test('plain attachment names are quoted with escapes that a real parser reads back', () => {
    for (const name of ['Quote.xlsx', '..\\..\\evil.bat', 'Q3 <draft>: "final" | v2? *.xlsx', '../../../etc/evil.txt']) {
      const header = contentDisposition({ fileName: name, disposition: 'attachment' })!;
      expect(header.startsWith('attachment; filename="')).toBe(true);
      expect(header).not.toContain('filename*');
      expect(parse(header).parameters.filename).toBe(name);
    }
  });

  test("filename* carries UTF-8 names next to an ASCII fallback", () => {
    const name = "Relatório_Março_€ (v1)'*.pdf";
    const header = contentDisposition({ fileName: name, disposition: 'attachment-utf8' })!;
    expect(header).toBe(
      `attachment; filename="Relat_rio_Mar_o__ (v1)'*.pdf"; filename*=UTF-8''Relat%C3%B3rio_Mar%C3%A7o_%E2%82%AC%20%28v1%29%27%2A.pdf`,
    );
    expect(parse(header).parameters.filename).toBe(name);
  });

  test('inline and missing Content-Disposition', () => {
    expect(contentDisposition({ fileName: 'Terms.pdf', disposition: 'inline' })).toBe('inline; filename="Terms.pdf"');
    expect(contentDisposition({ fileName: 'Terms.pdf', disposition: 'none' })).toBeUndefined();
    expect(downloadHeaders(attachment({ fileName: 'Terms.pdf', disposition: 'none', size: 777 }))).toEqual({
      'Content-Type': 'application/pdf',
      'Content-Length': '777',
    });
  });

  test('chunked attachments carry no Content-Length', () => {
    const headers = downloadHeaders(attachment({ fileName: 'Drawings.zip', faults: { chunked: true } }));
    expect(headers['Transfer-Encoding']).toBe('chunked');
    expect(headers['Content-Length']).toBeUndefined();
    expect(headers['Content-Type']).toBe('application/zip');
  });

  test('content types follow the extension, ignoring case and trailing dots/spaces', () => {
    expect(contentTypeFor('Report.PDF')).toBe('application/pdf');
    expect(contentTypeFor('reply.msg')).toBe('application/vnd.ms-outlook');
    expect(contentTypeFor('Packing list.txt. . ')).toBe('text/plain; charset=utf-8');
    expect(contentTypeFor('evil.bat')).toBe('application/octet-stream');
    expect(extensionOf('noextension')).toBe('');
  });
});
