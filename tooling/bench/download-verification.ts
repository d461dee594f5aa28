import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { PoResult } from '../../support/po-result.js';
import { attachmentContent, expectedOutcome, type SimPo } from '../simulator/index.js';

/**
 * Whether a run did the work it is timed for: every PO has the outcome the simulator's
 * catalogue expects, and its folder holds exactly the attachments the simulator served,
 * byte for byte (PDFs made from Outlook messages aside). The job and the peer are checked
 * the same way, so neither can look fast by downloading less.
 */
export interface DownloadVerification {
  pos: number;
  /** POs with the expected outcome and byte-exact files. */
  verified: number;
  files: number;
  bytes: number;
  /** The first few problems, for the operator. */
  problems: string[];
}

const sha256 = (bytes: Buffer) => crypto.createHash('sha256').update(bytes).digest('hex');

function filesOnDisk(result: PoResult): { hashes: string[]; bytes: number } | string {
  if (!result.downloadFolder) return 'no PO folder';
  let names: string[];
  try {
    names = fs.readdirSync(result.downloadFolder).filter((name) => !result.convertedPdfs.includes(name));
  } catch {
    return `PO folder ${result.downloadFolder} is missing`;
  }
  let bytes = 0;
  const hashes = names.map((name) => {
    const content = fs.readFileSync(path.join(result.downloadFolder, name));
    bytes += content.length;
    return sha256(content);
  });
  return { hashes: hashes.sort(), bytes };
}

export function verifyDownloads(pos: readonly SimPo[], results: readonly PoResult[], maxProblems = 5): DownloadVerification {
  const byId = new Map(results.map((r) => [r.id, r]));
  const verification: DownloadVerification = { pos: pos.length, verified: 0, files: 0, bytes: 0, problems: [] };
  const problem = (text: string) => {
    if (verification.problems.length < maxProblems) verification.problems.push(text);
  };
  for (const po of pos) {
    const expected = expectedOutcome(po);
    const result = byId.get(po.id);
    if (!result) {
      problem(`PO ${po.id}: no result`);
      continue;
    }
    if (result.status !== expected.status) {
      problem(`PO ${po.id}: ${result.status}, expected ${expected.status}${result.errorMessage ? ` (${result.errorMessage.slice(0, 120)})` : ''}`);
      continue;
    }
    if (expected.downloaded.length === 0 && !result.downloadFolder) {
      verification.verified++;
      continue;
    }
    const disk = filesOnDisk(result);
    if (typeof disk === 'string') {
      problem(`PO ${po.id}: ${disk}`);
      continue;
    }
    const served = expected.downloaded.map((d) => sha256(attachmentContent(d.attachment))).sort();
    if (disk.hashes.join() !== served.join()) {
      problem(`PO ${po.id}: ${disk.hashes.length} file(s) on disk, ${served.length} served; contents differ`);
      continue;
    }
    verification.verified++;
    verification.files += disk.hashes.length;
    verification.bytes += disk.bytes;
  }
  return verification;
}
