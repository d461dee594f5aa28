import { expect, test } from '@playwright/test';
import {
  cleanFolderSegment,
  poFolderBaseName,
  statusFolderName,
  supplierOrHierarchyPath,
  workFolderName,
} from '../../support/output/folder-names.js';

/** A cut inside a surrogate pair leaves half of it, which UTF-8 cannot encode. */
const hasLoneSurrogate = (text: string) => Buffer.from(text, 'utf8').toString('utf8') !== text;

test.describe('cleanFolderSegment', () => {
  const cases: Array<[raw: string, cleaned: string]> = [
    ['Acme Corp', 'Acme_Corp'],
    ['A<B>C:D"E/F\\G|H?I*J&K', 'A_B_C_D_E_F_G_H_I_J_K'],
    ['tab\there\nnew', 'tab_here_new'],
    ['bell\u0007del\u007f', 'bell_del_'],
    ['', 'Unknown'],
    ['   ', '___'],
    ['.', 'Unknown'],
    ['..', 'Unknown'],
    ['Acme Inc.', 'Acme_Inc'],
    ['Acme...', 'Acme'],
    ['.hidden', '_.hidden'],
    ['CON', '_CON'],
    ['con', '_con'],
    ['Aux.txt', '_Aux.txt'],
    ['nul.', '_nul'],
    ['COM1', '_COM1'],
    ['lpt9.log', '_lpt9.log'],
    ['COM0', '_COM0'],
    ['LPT0.x', '_LPT0.x'],
    ['CONIN$', '_CONIN$'],
    ['conout$', '_conout$'],
    ['Acme\u200b Corp\u200e', 'Acme_Corp'],
    ['\u202eCorp\u202c Ltd', 'Corp_Ltd'],
    ['\u2067Acme\u2069', 'Acme'],
    ['\u200b', 'Unknown'],
    ['C\u00adON', '_CON'],
    ['CONSOLE', 'CONSOLE'],
    ['Société Générale', 'Société_Générale'],
    ['e\u0301', 'é'],
    ['x'.repeat(60), 'x'.repeat(50)],
    [`${'y'.repeat(49)}.abc`, 'y'.repeat(49)],
    [`${'z'.repeat(49)}😀`, `${'z'.repeat(49)}😀`],
  ];
  for (const [raw, cleaned] of cases) {
    test(`${JSON.stringify(raw)} → ${JSON.stringify(cleaned)}`, () => {
      expect(cleanFolderSegment(raw)).toBe(cleaned);
    });
  }

  test('never longer than 50 characters, never cuts a surrogate pair', () => {
    for (const raw of ['😀'.repeat(60), `a${'😀'.repeat(60)}`, `_${'.'.repeat(80)}`, `CON.${'x'.repeat(60)}`]) {
      const cleaned = cleanFolderSegment(raw);
      expect(Array.from(cleaned).length).toBeLessThanOrEqual(50);
      expect(hasLoneSurrogate(cleaned)).toBe(false);
      expect(cleaned).not.toMatch(/[. ]$/);
    }
  });
});

test.describe('poFolderBaseName', () => {
  const cases: Array<[poNumber: string, base: string]> = [
    ['PO15262984', 'PO15262984'],
    ['po15262984', 'po15262984'],
    ['PM15262984', 'PO_PM15262984'],
    ['15262984', 'PO_15262984'],
    ['', 'PO_Unknown'],
    ['PO 1/2', 'PO_1_2'],
  ];
  for (const [poNumber, base] of cases) {
    test(`${JSON.stringify(poNumber)} → ${base}`, () => {
      expect(poFolderBaseName(poNumber)).toBe(base);
    });
  }

  test('the prefix does not push it past 50 characters', () => {
    expect(poFolderBaseName('9'.repeat(60))).toBe(`PO_${'9'.repeat(47)}`);
  });
});

test('work and status folder names', () => {
  expect(workFolderName('PO15262984')).toBe('PO15262984__WORK');
  expect(statusFolderName('PO15262984', 'COMPLETED')).toBe('PO15262984_COMPLETED');
  expect(statusFolderName('PO_PM1', 'PO_NOT_FOUND')).toBe('PO_PM1_PO_NOT_FOUND');
});

test.describe('supplierOrHierarchyPath', () => {
  const cases: Array<[hierarchy: string[] | null, supplier: string, segments: string[]]> = [
    [null, 'Acme Corp', ['Acme_Corp']],
    [null, '', ['Unknown']],
    [['EU', 'France'], 'Acme', ['EU', 'France']],
    [['North America', ''], 'Acme', ['North_America', 'Unknown']],
    [['../..', 'a/b'], 'Acme', ['_.._', 'a_b']],
    [[], 'Acme', []],
  ];
  for (const [hierarchy, supplier, segments] of cases) {
    test(`${JSON.stringify(hierarchy)} / ${JSON.stringify(supplier)}`, () => {
      expect(supplierOrHierarchyPath(hierarchy, supplier)).toEqual(segments);
    });
  }
});
