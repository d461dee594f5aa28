import { expect, test } from '@playwright/test';
import { parsePoNumber } from '../../support/input/po-number.js';

test.describe('parsePoNumber accepts what operators type', () => {
  const accepted: Array<[raw: string, id: string, poNumber: string]> = [
    ['PO15262984', '15262984', 'PO15262984'],
    ['PM15262984', '15262984', 'PM15262984'],
    ['15262984', '15262984', '15262984'],
    ['po15262984', '15262984', 'PO15262984'],
    ['pm15262984', '15262984', 'PM15262984'],
    ['po 1526 2984', '15262984', 'PO15262984'],
    ['  PO15262984\t', '15262984', 'PO15262984'],
    ['"PO15262984"', '15262984', 'PO15262984'],
    ["'15262984'", '15262984', '15262984'],
    ['“PM 152629”', '152629', 'PM152629'],
    ['123456', '123456', '123456'],
    ['PO\u00a0152629', '152629', 'PO152629'],
  ];
  for (const [raw, id, poNumber] of accepted) {
    test(`${JSON.stringify(raw)} → id ${id}, ${poNumber}`, () => {
      expect(parsePoNumber(raw)).toEqual({ ok: true, id, poNumber });
    });
  }
});

test.describe('parsePoNumber rejects with a reason that quotes the value', () => {
  const rejected: Array<[raw: string, reason: RegExp]> = [
    ['', /empty/],
    ['   ', /empty/],
    ['""', /empty/],
    ['PO12345', /only 5 digits/],
    ['12', /only 2 digits/],
    ['PO', /must be digits/],
    ['XY15262984', /unknown prefix "XY"/],
    ['POX15262984', /unknown prefix "POX"/],
    ['PO1526A2984', /must be digits/],
    ['15262984PO', /must be digits/],
    ['PO-15262984', /must be digits/],
    ['15262984.5', /must be digits/],
    ['1.5262984E+07', /scientific notation/],
    ['PO15262984;PO15262985', /must be digits/],
  ];
  for (const [raw, reason] of rejected) {
    test(`${JSON.stringify(raw)} is invalid`, () => {
      const result = parsePoNumber(raw);
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.reason).toMatch(reason);
      expect(result.reason).toContain(JSON.stringify(raw));
    });
  }
});
