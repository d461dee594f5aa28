import fs from 'node:fs';
import { withoutQuery } from '../shared/url-text.js';

/**
 * Windows' Mark-of-the-Web: the `Zone.Identifier` stream a browser attaches to every file it
 * downloads, so Office opens it in Protected View and SmartScreen checks it before it runs.
 * Files the job saves carry it as if Edge had saved them. The URLs are written without their
 * query: a signed storage URL is a secret, and the host and path say where the file came from.
 */

export interface DownloadOrigin {
  /** Where the bytes came from (after redirects). */
  hostUrl: string;
  /** The page that linked to the file. */
  referrerUrl?: string;
}

/** ZoneId 3 is the Internet zone; the layout is the one Chromium writes. */
export function zoneIdentifierContent(origin: DownloadOrigin): string {
  const lines = ['[ZoneTransfer]', 'ZoneId=3'];
  if (origin.referrerUrl) lines.push(`ReferrerUrl=${withoutQuery(origin.referrerUrl)}`);
  lines.push(`HostUrl=${withoutQuery(origin.hostUrl)}`);
  return `${lines.join('\r\n')}\r\n`;
}

/**
 * Marks `file` on Windows (elsewhere there is no such stream); true when the mark was
 * written. A volume without alternate data streams (FAT, exFAT, some shares) keeps the file
 * unmarked, as it would for a browser's download.
 */
export function markOfTheWeb(file: string, origin: DownloadOrigin, platform: NodeJS.Platform = process.platform): boolean {
  if (platform !== 'win32') return false;
  try {
    fs.writeFileSync(`${file}:Zone.Identifier`, zoneIdentifierContent(origin));
    return true;
  } catch {
    return false;
  }
}
