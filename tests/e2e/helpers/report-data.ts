import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { expect } from '@playwright/test';

/** What the reports of a run hold, read back as a person's browser would get it. */
export interface HtmlReportStep {
  title: string;
  error?: { message?: string };
  duration: number;
  steps: HtmlReportStep[];
}

export interface HtmlReportTest {
  title: string;
  outcome: string;
  annotations: { type: string; description?: string }[];
  results: {
    status: string;
    workerIndex: number;
    errors: { message: string }[];
    annotations: { type: string; description?: string }[];
    attachments: { name: string; path?: string; contentType?: string }[];
    steps: HtmlReportStep[];
  }[];
}

/** The data Playwright's HTML report embeds in its index.html (a base64 zip of JSON files). */
export function htmlReportTests(reportDir: string): HtmlReportTest[] {
  const html = fs.readFileSync(path.join(reportDir, 'index.html'), 'utf8');
  const zip = /data:application\/zip;base64,([A-Za-z0-9+/=]+)/.exec(html);
  expect(zip, 'the HTML report embeds its data').not.toBeNull();
  return unzip(Buffer.from(zip![1], 'base64'))
    .filter((e) => e.name !== 'report.json' && e.name.endsWith('.json'))
    .flatMap((e) => (JSON.parse(e.data.toString('utf8')) as { tests: HtmlReportTest[] }).tests);
}

/** The entries of a zip archive (stored or deflated), read from its central directory. */
export function unzip(archive: Buffer): { name: string; data: Buffer }[] {
  const end = archive.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  expect(end, 'zip end-of-central-directory record').toBeGreaterThanOrEqual(0);
  const count = archive.readUInt16LE(end + 10);
  let at = archive.readUInt32LE(end + 16);
  const entries: { name: string; data: Buffer }[] = [];
  for (let i = 0; i < count; i++) {
    const method = archive.readUInt16LE(at + 10);
    const compressed = archive.readUInt32LE(at + 20);
    const nameLength = archive.readUInt16LE(at + 28);
    const extraLength = archive.readUInt16LE(at + 30);
    const commentLength = archive.readUInt16LE(at + 32);
    const local = archive.readUInt32LE(at + 42);
    const name = archive.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    const dataStart = local + 30 + archive.readUInt16LE(local + 26) + archive.readUInt16LE(local + 28);
    const raw = archive.subarray(dataStart, dataStart + compressed);
    entries.push({ name, data: method === 8 ? zlib.inflateRawSync(raw) : raw });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

