import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { markOfTheWeb, zoneIdentifierContent } from '../../support/output/mark-of-the-web.js';

const origin = {
  hostUrl: 'https://files.example-cdn.net/objects/17?X-Amz-Signature=abc&X-Amz-Expires=60#part',
  referrerUrl: 'https://acme.coupahost.com/order_headers/4100001?tab=attachments',
};

test('the Zone.Identifier content is the Internet zone with where the file came from, queries left out', () => {
  expect(zoneIdentifierContent(origin)).toBe(
    '[ZoneTransfer]\r\nZoneId=3\r\nReferrerUrl=https://acme.coupahost.com/order_headers/4100001\r\nHostUrl=https://files.example-cdn.net/objects/17\r\n',
  );
  expect(zoneIdentifierContent({ hostUrl: 'https://acme.coupahost.com/attachment_files/1/download' })).toBe(
    '[ZoneTransfer]\r\nZoneId=3\r\nHostUrl=https://acme.coupahost.com/attachment_files/1/download\r\n',
  );
});

test('the mark is written as the file\'s Zone.Identifier stream on Windows only', () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'motw-'));
  try {
    const file = path.join(folder, 'quote.pdf');
    fs.writeFileSync(file, '%PDF-');
    expect(markOfTheWeb(file, origin, 'linux')).toBe(false);
    expect(markOfTheWeb(file, origin, 'darwin')).toBe(false);
    expect(fs.readdirSync(folder)).toEqual(['quote.pdf']);
    // On Linux `name:stream` is an ordinary file name, which shows what Windows would get as a stream.
    expect(markOfTheWeb(file, origin, 'win32')).toBe(true);
    expect(fs.readFileSync(`${file}:Zone.Identifier`, 'utf8')).toBe(zoneIdentifierContent(origin));
    expect(markOfTheWeb(path.join(folder, 'missing', 'x.pdf'), origin, 'win32'), 'a volume that refuses the stream leaves the file unmarked').toBe(false);
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
});
