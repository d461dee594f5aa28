import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { expect, test } from '@playwright/test';
import { compressedData, readZipDirectory } from '../../support/shared/zip-entries.js';
import { JOB_EXIT } from '../../support/shared/exit-codes.js';
import { expectedOutcome, fixtureCatalogue } from '../../tooling/simulator/index.js';
import { attachmentHashes, createJobHarness, type JobHarness } from './helpers/job-harness.js';

/**
 * The tenant hands every download to a storage host (simulator storage-host mode: a signed,
 * short-lived URL on 127.0.0.2 that refuses cookies). The whole job, two windows: every
 * attachment form arrives byte-exact, the storage host never sees a cookie, and the signed
 * URLs, which are keys, appear nowhere in what the run writes or prints.
 */
const ids = ['4100001', '4100003', '4100004', '4100005', '4100012', '4100019'];
const pos = fixtureCatalogue().pos.filter((po) => ids.includes(po.id));

let harness: JobHarness;
let run: { code: number | null; output: string };
let runRoot: string;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(240_000);
  harness = await createJobHarness({ name: 'storage-host', sim: { storageHost: true }, inputCsv: `PO_NUMBER\n${ids.map((id) => `PO${id}`).join('\n')}\n` });
  harness.sim.resetStats();
  run = await harness.run({ env: { WORKERS: '2' } });
  runRoot = harness.runRoots()[0]!;
});

test.afterAll(async () => {
  await harness?.close();
});

test('every attachment form downloads through the storage host, byte-exact, with the statuses the catalogue expects', async () => {
  // The catalogue's PARTIAL PO remains to retry.
  expect(run.code, run.output).toBe(JOB_EXIT.retryRemains);
  const journal = harness.journal(runRoot);
  for (const po of pos) {
    const result = journal.get(po.id);
    expect(result?.status, `${po.id}: ${result?.errorMessage}`).toBe(expectedOutcome(po).status);
    const { onDisk, expected } = attachmentHashes(result!, po);
    expect(onDisk, po.id).toEqual(expected);
  }
  expect(journal.get('4100005')!.convertedPdfs, 'the message converted to PDF').toHaveLength(1);
});

test('the storage host got requests, none of them with a cookie', async () => {
  const stats = harness.sim.stats();
  expect(stats.storageRequests).toBeGreaterThanOrEqual(pos.flatMap((po) => po.attachments).length);
  expect(stats.storageRequestsWithCookies).toBe(0);
});

/** The text of a file, and of every file inside it when it is a zip or embeds one (the HTML report does). */
function readable(file: string): string {
  const bytes = fs.readFileSync(file);
  const embedded = /data:application\/zip;base64,([A-Za-z0-9+/=]+)/.exec(bytes.toString('latin1'));
  const zip = bytes.subarray(0, 4).toString('latin1') === 'PK\x03\x04' ? bytes : embedded ? Buffer.from(embedded[1]!, 'base64') : undefined;
  const inside = zip
    ? readZipDirectory(zip).map((entry) => {
        const data = compressedData(zip, entry);
        return (entry.method === 8 ? zlib.inflateRawSync(data) : data).toString('latin1');
      })
    : [];
  return [bytes.toString('latin1'), ...inside].join('\n');
}

test('no signed URL appears in the run folder (reports, journal, summaries, Allure, HTML report) or the terminal', async () => {
  const signatures = harness.sim.stats().storageSignatures;
  expect(signatures.length).toBeGreaterThan(0);
  const leaks = (text: string) => signatures.filter((signature) => text.includes(signature) || text.includes(encodeURIComponent(signature)));
  const scanned: string[] = [];
  const scan = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) scan(full);
      else {
        scanned.push(path.relative(runRoot, full));
        expect(leaks(readable(full)), full).toEqual([]);
      }
    }
  };
  scan(runRoot);
  expect(scanned).toEqual(expect.arrayContaining([expect.stringMatching(/^CoupaDownloads_Report_.*\.csv$/), 'run-summary.json', '.run-state/journal.jsonl', 'playwright-report/index.html']));
  expect(readable(path.join(runRoot, 'playwright-report', 'index.html')), 'the report data embedded in the HTML report was read too').toContain('/attachment_files/');
  expect(leaks(run.output)).toEqual([]);
  expect(run.output).not.toContain('signature=');
  expect(run.output).not.toContain('Coupa asked for a sign-in');
});
