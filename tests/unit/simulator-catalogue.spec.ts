import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, expect } from '@playwright/test';
import { parse } from 'csv-parse/sync';
import { generateBatch, BatchOptionsError } from '../../tooling/simulator/batch-generator.js';
import {
  ATTACHMENT_FORMS,
  DISPOSITION_KINDS,
  ERROR_VARIANTS,
  EXPECTED_STATUSES,
  HOSTILE_NAME_KINDS,
  type Catalogue,
  type SimAttachment,
  type SimPo,
} from '../../tooling/simulator/catalogue-model.js';
import { catalogueProblems } from '../../tooling/simulator/catalogue-validation.js';
import { expectedOutcome } from '../../tooling/simulator/expected-outcome.js';
import { fixtureCatalogue } from '../../tooling/simulator/fixture-catalogue.js';
import { inputCsvText, writeInputCsv } from '../../tooling/simulator/input-csv.js';

const fixtures = fixtureCatalogue();
const allAttachments = (catalogue: Catalogue): SimAttachment[] =>
  catalogue.pos.flatMap((po) => [...po.attachments, ...(po.requisition?.attachments ?? [])]);

test.describe('fixture catalogue', () => {
  test('is valid, of a testable size, with small files', () => {
    expect(catalogueProblems(fixtures)).toEqual([]);
    expect(fixtures.pos.length).toBeGreaterThanOrEqual(25);
    expect(fixtures.pos.length).toBeLessThanOrEqual(30);
    for (const a of allAttachments(fixtures)) {
      expect(a.size, a.fileName).toBeGreaterThanOrEqual(1024);
      expect(a.size, a.fileName).toBeLessThanOrEqual(200 * 1024);
    }
  });

  test('every PO declares the status the job rules derive for it', () => {
    for (const po of fixtures.pos) expect(expectedOutcome(po).status, `PO ${po.id}: ${po.scenario}`).toBe(po.expectedStatus);
  });

  test('covers every status, every error page and every attachment form and header', () => {
    const statuses = new Set(fixtures.pos.map((po) => po.expectedStatus));
    expect([...statuses].sort()).toEqual([...EXPECTED_STATUSES].sort());
    const errorPages = fixtures.pos.filter((po) => po.expectedStatus === 'PO_NOT_FOUND').map((po) => po.errorVariant);
    expect([...errorPages].sort()).toEqual([...ERROR_VARIANTS].sort());
    const attachments = allAttachments(fixtures);
    expect(new Set(attachments.map((a) => a.form))).toEqual(new Set(ATTACHMENT_FORMS));
    expect(new Set(attachments.map((a) => a.disposition))).toEqual(new Set(DISPOSITION_KINDS));
    expect(attachments.some((a) => a.form === 'inline-link' && a.disposition === 'none')).toBe(true);
    expect(attachments.some((a) => a.form === 'comment-link' && a.fileName.endsWith('.msg'))).toBe(true);
  });

  test('injects every fault kind and includes the PR fallback cases', () => {
    const pos = fixtures.pos;
    const attachments = allAttachments(fixtures);
    expect(pos.some((po) => (po.faults?.transient500 ?? 0) > 0 && po.expectedStatus === 'COMPLETED')).toBe(true);
    expect(pos.some((po) => po.faults?.alwaysFail500)).toBe(true);
    expect(pos.some((po) => po.faults?.hang)).toBe(true);
    expect(attachments.some((a) => (a.faults?.cutOffAttempts ?? 0) > 0)).toBe(true);
    expect(attachments.some((a) => a.faults?.alwaysCutOff)).toBe(true);
    expect(attachments.some((a) => a.faults?.slow && a.faults.chunked)).toBe(true);
    expect(pos.some((po) => po.notice && po.expectedStatus === 'COMPLETED')).toBe(true);
    expect(new Set(pos.map((po) => po.supplierMarkup))).toEqual(new Set(['label-value', 'definition-list']));

    const fallback = pos.map((po) => ({ po, outcome: expectedOutcome(po) })).filter(({ outcome }) => outcome.usesRequisition);
    const completedViaPr = fallback.filter(({ outcome }) => outcome.status === 'COMPLETED');
    expect(completedViaPr.some(({ po }) => po.attachments.length === 0)).toBe(true);
    const keepsOwnFiles = completedViaPr.find(({ po }) => po.attachments.length > 0);
    expect(keepsOwnFiles?.outcome.downloaded.map((d) => d.source).sort()).toEqual(['PO', 'PO', 'PR']);
    expect(fallback.filter(({ outcome }) => outcome.status === 'PR_NOT_ACCESSIBLE').length).toBeGreaterThanOrEqual(1);
    const linkedButUnused = pos.find((po) => po.requisition && !expectedOutcome(po).usesRequisition);
    expect(linkedButUnused, 'a PO with a PDF and a requisition link, where the link must not be followed').toBeDefined();
  });

  test('contains every hostile-name kind, each tag true of its name', () => {
    const byKind = new Map<string, { po: SimPo; a: SimAttachment }[]>();
    for (const po of fixtures.pos) {
      for (const a of po.attachments) if (a.hostile) byKind.set(a.hostile, [...(byKind.get(a.hostile) ?? []), { po, a }]);
    }
    expect([...byKind.keys()].sort()).toEqual([...HOSTILE_NAME_KINDS].sort());
    const check: Record<string, (name: string, po: SimPo) => boolean> = {
      traversal: (n) => n.startsWith('../'),
      'traversal-backslash': (n) => n.startsWith('..\\'),
      'reserved-device-name': (n) => /^(con|prn|aux|nul|com\d|lpt\d)(\.|$)/i.test(n),
      long: (n) => n.length >= 220,
      duplicate: (n, po) => po.attachments.filter((a) => a.fileName === n).length >= 2,
      'case-only': (n, po) => po.attachments.some((a) => a.fileName !== n && a.fileName.toLowerCase() === n.toLowerCase()),
      'non-ascii': (n) => /[^\x20-\x7e]/.test(n),
      'forbidden-characters': (n) => [...'<>:"|?*'].every((c) => n.includes(c)),
      'trailing-dots-spaces': (n) => /[. ]$/.test(n) && /\.[. ]*$/.test(n),
    };
    for (const [kind, entries] of byKind) {
      for (const { po, a } of entries) expect(check[kind]!(a.fileName, po), `${kind}: ${a.fileName}`).toBe(true);
    }
    const names = allAttachments(fixtures).map((a) => a.fileName);
    expect(names).toContain('../../../etc/evil.txt');
    expect(names).toContain('..\\..\\evil.bat');
    expect(names).toEqual(expect.arrayContaining(['CON.txt', 'aux.pdf', 'Relatório_Março_€.pdf', '発注書.pdf']));
  });
});

test.describe('catalogue validation', () => {
  const po = (over: Partial<SimPo>): SimPo => ({
    id: '1234567',
    supplier: 'S',
    supplierMarkup: 'label-value',
    attachments: [],
    expectedStatus: 'NO_ATTACHMENTS',
    scenario: 's',
    ...over,
  });
  const a = (over: Partial<SimAttachment>): SimAttachment => ({ id: '1', fileName: 'a.txt', size: 10, form: 'download-link', disposition: 'attachment', ...over });

  test('names the PO and attachment of each problem', () => {
    const problems = catalogueProblems({
      pos: [
        po({ id: '12345' }),
        po({ attachments: [a({ id: '1' }), a({ id: '1' })] }),
        po({ id: '7654321', attachments: [a({ id: '2', fileName: 'é.txt' }), a({ id: '3', fileName: 'x.docx', form: 'inline-link' }), a({ id: '4', fileName: 'tiny.pdf', size: 100 })] }),
      ],
    });
    expect(problems).toEqual([
      'PO 12345: id must be at least 6 digits',
      'PO 1234567, attachment 1 "a.txt": duplicate attachment id',
      expect.stringContaining('attachment 2 "é.txt": a non-ASCII name needs the attachment-utf8 disposition'),
      expect.stringContaining('attachment 3 "x.docx": an inline link must point to a PDF'),
      expect.stringMatching(/attachment 4 "tiny.pdf": a PDF needs at least \d+ bytes/),
    ]);
  });
});

test.describe('batch generator', () => {
  test('10 000 POs in well under a second, valid and self-consistent', () => {
    const started = performance.now();
    const batch = generateBatch({ count: 10_000, seed: 7 });
    const elapsed = performance.now() - started;
    expect(elapsed).toBeLessThan(1000);
    expect(batch.pos).toHaveLength(10_000);
    expect(catalogueProblems(batch)).toEqual([]);
    const disagreeing = batch.pos.filter((po) => expectedOutcome(po).status !== po.expectedStatus).map((po) => po.id);
    expect(disagreeing).toEqual([]);
    const completed = batch.pos.filter((po) => po.expectedStatus === 'COMPLETED').length;
    expect(completed / batch.pos.length).toBeGreaterThan(0.85);
    expect(completed / batch.pos.length).toBeLessThan(0.95);
  });

  test('is deterministic per seed and honours its options', () => {
    const options = { count: 500, seed: 3, attachmentsPerPo: { min: 2, max: 4 }, minBytes: 5000, maxBytes: 6000, faultShare: 0.5 };
    expect(generateBatch(options)).toEqual(generateBatch(options));
    expect(generateBatch({ ...options, seed: 4 })).not.toEqual(generateBatch(options));
    const batch = generateBatch({ ...options, statusShares: { TIMEOUT: 0.1 } });
    const completed = batch.pos.filter((p) => p.expectedStatus === 'COMPLETED');
    expect(completed.filter((po) => po.attachments.length < 2 || po.attachments.length > 4).map((po) => po.id)).toEqual([]);
    const outOfRange = completed.flatMap((po) => po.attachments).filter((a) => a.size < 5000 || a.size > 6000);
    expect(outOfRange).toEqual([]);
    expect(batch.pos.some((po) => po.faults?.transient500 === 1 && po.attachments[0]!.faults?.cutOffAttempts === 1)).toBe(true);
    expect(batch.pos.some((po) => po.faults?.hang)).toBe(true);
    expect(generateBatch({ count: 3, firstPoId: 700000 }).pos.map((p) => p.id)).toEqual(['700000', '700001', '700002']);
  });

  test('rejects impossible options with an operator error', () => {
    expect(() => generateBatch({ count: 0 })).toThrow(BatchOptionsError);
    expect(() => generateBatch({ count: 5, minBytes: 10, maxBytes: 5 })).toThrow(/minBytes/);
    expect(() => generateBatch({ count: 5, statusShares: { FAILED: 0.9, PARTIAL: 0.2 } })).toThrow(/sum to at most 1/);
  });
});

test.describe('input CSV', () => {
  const sample = path.resolve('data/sample/demo-input.csv');

  test('the shipped demo input matches the fixture catalogue and covers every status', () => {
    expect(fs.readFileSync(sample, 'utf8'), 'regenerate with: npm run sim -- --write-input data/sample/demo-input.csv').toBe(inputCsvText(fixtures.pos));
    const rows: Record<string, string>[] = parse(fs.readFileSync(sample), { columns: true });
    expect(rows.length).toBeGreaterThanOrEqual(20);
    const ids = rows.map((row) => row.PO_NUMBER!.replace(/\D/g, ''));
    expect(ids).toEqual(fixtures.pos.map((po) => po.id));
    const statuses = new Set(ids.map((id) => fixtures.pos.find((po) => po.id === id)!.expectedStatus));
    expect(statuses.size).toBe(EXPECTED_STATUSES.length);
  });

  test('uses the spellings operators use, CRLF, and optional hierarchy, delimiter and BOM', async () => {
    const pos = generateBatch({ count: 6 }).pos;
    const text = inputCsvText(pos);
    expect(text.split('\r\n').slice(1, 7)).toEqual([
      'PO5000000,synthetic COMPLETED',
      'PM5000001,synthetic COMPLETED',
      '5000002,synthetic COMPLETED',
      'po5000003,synthetic COMPLETED',
      ' PO5000004 ,synthetic COMPLETED',
      'PO 5000005,synthetic COMPLETED',
    ].map((line, i) => line.replace('COMPLETED', pos[i]!.expectedStatus)));

    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sim-csv-')), 'nested', 'input.csv');
    try {
      await writeInputCsv(pos, file, { hierarchy: true, delimiter: ';', bom: true, prefixes: 'plain' });
      const written = fs.readFileSync(file, 'utf8');
      expect(written.startsWith('\uFEFFPO_NUMBER;SCENARIO;<|>;Region;Country\r\n')).toBe(true);
      const rows: string[][] = parse(written.slice(1), { delimiter: ';' });
      expect(rows.slice(1).map((r) => r[0])).toEqual(pos.map((po) => `PO${po.id}`));
      expect(rows.slice(1).every((r) => r.length === 5 && r[2] === '' && r[3] !== '' && r[4] !== '')).toBe(true);
    } finally {
      fs.rmSync(path.dirname(path.dirname(file)), { recursive: true, force: true });
    }
  });
});
