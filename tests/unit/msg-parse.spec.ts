import { expect, test } from '@playwright/test';
import CFB from 'cfb';
import { checkCompoundFile } from '../../support/shared/compound-file-check.js';
import { BrokenMsgError, parseMsg } from '../../support/msg/parse-msg.js';
import { writeMsgFile, type OutlookMessageContent } from '../../tooling/simulator/msg-file.js';
import { uint32Stream } from '../../tooling/simulator/seeded-random.js';

const message: OutlookMessageContent = {
  subject: 'AW: Liefertermin für Bestellung PO4100005 – Bestätigung',
  from: { name: 'Müller & Söhne GmbH', email: 'vertrieb@mueller.example' },
  to: [
    { name: 'Purchasing Team', email: 'purchasing@buyer.example' },
    { name: 'purchasing2@buyer.example', email: 'purchasing2@buyer.example' },
  ],
  cc: [{ name: '山田 太郎', email: 'yamada@buyer.example' }],
  sentAt: new Date('2024-03-05T14:30:00Z'),
  bodyText: 'Sehr geehrte Damen und Herren,\r\n\r\nLieferung am 12.03.\r\n',
  bodyHtml: '<html><body><p>Sehr geehrte Damen und Herren,</p><p>Lieferung am <b>12.03.</b></p></body></html>',
  attachments: [
    { fileName: 'Lieferplan.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', content: Buffer.alloc(5000, 1) },
    { fileName: 'note.txt', mimeType: 'text/plain', content: Buffer.from('hello') },
  ],
};

function brokenMessage(bytes: Uint8Array): BrokenMsgError {
  try {
    parseMsg(bytes, 'C:\\PO\\reply.msg');
  } catch (error) {
    expect(error).toBeInstanceOf(BrokenMsgError);
    return error as BrokenMsgError;
  }
  throw new Error('expected a BrokenMsgError');
}

test('a message reads back with its headers, bodies and attachments', () => {
  const parsed = parseMsg(writeMsgFile(message));
  expect(parsed).toEqual({
    subject: message.subject,
    from: 'Müller & Söhne GmbH <vertrieb@mueller.example>',
    to: ['Purchasing Team <purchasing@buyer.example>', 'purchasing2@buyer.example'],
    cc: ['山田 太郎 <yamada@buyer.example>'],
    date: new Date('2024-03-05T14:30:00Z'),
    bodyText: message.bodyText,
    bodyHtml: message.bodyHtml,
    attachments: [
      { name: 'Lieferplan.xlsx', size: 5000 },
      { name: 'note.txt', size: 5 },
    ],
  });
});

test('a plain-text message has no HTML body; an HTML body in a Windows codepage is decoded', () => {
  const { bodyHtml: _, ...plain } = message;
  expect(parseMsg(writeMsgFile(plain)).bodyHtml).toBeUndefined();

  const western = parseMsg(writeMsgFile({ ...message, bodyHtml: '<p>Grüße, café – 100 €</p>', htmlCodepage: 1252 }));
  expect(western.bodyHtml).toBe('<p>Grüße, café – 100 €</p>');
});

test('a Buffer that is a view into a larger buffer is read from its own bytes', () => {
  const file = writeMsgFile(message);
  const pooled = Buffer.concat([Buffer.alloc(333, 0xd0), file, Buffer.alloc(77, 0xff)]);
  expect(parseMsg(pooled.subarray(333, 333 + file.length)).subject).toBe(message.subject);
});

test.describe('files that are not readable messages are a BrokenMsgError naming the file', () => {
  test('not a compound file at all', () => {
    for (const bytes of [Buffer.alloc(0), Buffer.from('From: someone\r\nSubject: an .eml renamed\r\n\r\nbody'), Buffer.from('%PDF-1.4\n' + 'x'.repeat(2000))]) {
      const error = brokenMessage(bytes);
      expect(error.message).toBe('C:\\PO\\reply.msg is not a readable Outlook message: it is not an OLE compound file (wrong signature)');
      expect(error.advice).toContain('the .msg itself was downloaded');
    }
  });

  test('a compound file that is not an e-mail (an Office 97 document renamed .msg)', () => {
    const container = CFB.utils.cfb_new();
    CFB.utils.cfb_add(container, '/WordDocument', Buffer.alloc(6000, 3));
    const error = brokenMessage(CFB.write(container, { type: 'buffer' }) as Buffer);
    expect(error.message).toContain('without the properties of an e-mail');
  });

  test('truncated downloads', () => {
    const file = writeMsgFile(message);
    for (const length of [8, 511, 512, 1500, 4096, Math.floor(file.length / 2), file.length - 512]) {
      expect(brokenMessage(file.subarray(0, length)).message, `cut at ${length}`).toContain('is not a readable Outlook message');
    }
  });
});

test.describe('damage that would make msgreader loop forever is refused before it reads', () => {
  const layout = (file: Buffer) => {
    const directoryStart = file.readInt32LE(0x30);
    const fatSector = file.readInt32LE(0x4c);
    const entryOffset = (index: number) => (directoryStart + 1) * 512 + index * 128;
    return { directoryStart, fatEntryOffset: (sector: number) => (fatSector + 1) * 512 + 4 * sector, entryOffset };
  };

  test('a FAT chain that loops', () => {
    const file = Buffer.from(writeMsgFile(message));
    const { directoryStart, fatEntryOffset } = layout(file);
    file.writeInt32LE(directoryStart, fatEntryOffset(directoryStart));
    expect(brokenMessage(file).message).toContain(`the directory loops back to sector ${directoryStart}`);
  });

  test('a directory tree that links an entry twice', () => {
    const file = Buffer.from(writeMsgFile(message));
    const { entryOffset } = layout(file);
    const child = file.readInt32LE(entryOffset(0) + 0x4c);
    file.writeInt32LE(child, entryOffset(child) + 0x48);
    expect(brokenMessage(file).message).toMatch(/directory entry ".+" is linked twice/);
  });

  test('a stream larger than the file', () => {
    const file = Buffer.from(writeMsgFile(message));
    const { entryOffset } = layout(file);
    const child = file.readInt32LE(entryOffset(0) + 0x4c);
    file.writeInt32LE(0x7fff0000, entryOffset(child) + 0x78);
    expect(brokenMessage(file).message).toMatch(/stream ".+" claims 2147418112 bytes in a file of \d+/);
  });

  test('random damage: every file is read or refused, quickly, never anything else', () => {
    const original = writeMsgFile(message);
    let read = 0;
    let refused = 0;
    for (let trial = 0; trial < 400; trial++) {
      const damaged = Buffer.from(original);
      const next = uint32Stream(trial + 1);
      for (let flips = 1 + (next() % 24); flips > 0; flips--) damaged[next() % damaged.length] = next() & 0xff;
      const started = performance.now();
      try {
        parseMsg(damaged);
        read++;
      } catch (error) {
        if (!(error instanceof BrokenMsgError)) throw new Error(`trial ${trial}: ${String(error)}`);
        refused++;
      }
      expect(performance.now() - started, `trial ${trial}`).toBeLessThan(1000);
    }
    expect(read).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  });
});

test('the structure check lists the root entries of a sound file', () => {
  const check = checkCompoundFile(writeMsgFile(message));
  expect(check.ok).toBe(true);
  if (check.ok) {
    expect(check.rootNames).toEqual(
      expect.arrayContaining(['__properties_version1.0', '__substg1.0_0037001F', '__nameid_version1.0', '__recip_version1.0_#00000002', '__attach_version1.0_#00000001']),
    );
  }
});
