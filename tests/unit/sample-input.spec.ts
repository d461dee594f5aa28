import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { readInputFile } from '../../support/input/input-reader.js';
import { buildJobPlan } from '../../support/input/job-plan.js';
import { readXlsxInput } from '../../support/input/xlsx-reader.js';
import { SAMPLE_CSV, SAMPLE_XLSX, writeSampleWorkbook } from '../../tooling/samples/sample-workbook.js';

/** The sample input exists as CSV and as Excel; both must say the same, as the job reads them. */
test('the sample workbook holds the sample CSV, cell for cell, and plans the same POs (else: npx tsx tooling/samples/sample-workbook.ts)', async () => {
  const csv = readInputFile(SAMPLE_CSV);
  const xlsx = await readXlsxInput(SAMPLE_XLSX);
  expect(xlsx.headers).toEqual(csv.headers);
  expect(xlsx.rows.map((r) => r.values)).toEqual(csv.rows.map((r) => r.values));
  expect(buildJobPlan(xlsx).pos).toEqual(buildJobPlan(csv).pos);
  expect(buildJobPlan(csv).pos).toHaveLength(29);
});

test('the workbook is made from the CSV by the sample script: a changed CSV makes a changed workbook', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sample-xlsx-'));
  try {
    const csv = path.join(dir, 'in.csv');
    fs.writeFileSync(csv, 'PO_NUMBER,Note\n4100003,"a, b"\nPO4100009,=1+1\n');
    await writeSampleWorkbook(csv, path.join(dir, 'in.xlsx'));
    const read = await readXlsxInput(path.join(dir, 'in.xlsx'));
    expect(read.rows.map((r) => r.values)).toEqual([
      ['4100003', 'a, b'],
      ['PO4100009', '=1+1'],
    ]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
