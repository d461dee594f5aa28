import CFB from 'cfb';
import iconv from 'iconv-lite';
import { hash32, randomStream } from './seeded-random.js';

/**
 * Outlook messages (.msg, [MS-OXMSG]) for the simulator and the tests: an OLE compound
 * file whose streams hold the MAPI properties Outlook writes for a received e-mail, so
 * the job's converter reads the same structures it meets in a real tenant.
 */

export interface MsgAddress {
  name: string;
  email: string;
}

export interface MsgAttachmentFile {
  fileName: string;
  mimeType: string;
  content: Buffer;
}

export interface OutlookMessageContent {
  subject: string;
  from: MsgAddress;
  to: MsgAddress[];
  cc: MsgAddress[];
  sentAt: Date;
  bodyText: string;
  /** Stored as PR_HTML, encoded in `htmlCodepage` as Outlook does for HTML mail. */
  bodyHtml?: string;
  /** Windows codepage of the HTML body (PR_INTERNET_CPID); default 65001 (UTF-8). */
  htmlCodepage?: number;
  attachments: MsgAttachmentFile[];
}

const PT_LONG = 0x0003;
const PT_SYSTIME = 0x0040;
const PT_UNICODE = 0x001f;
const PT_BINARY = 0x0102;

/** PROPATTR_READABLE | PROPATTR_WRITABLE, what Outlook sets on ordinary properties. */
const READ_WRITE = 0x00000006;
const MSGFLAG_READ = 0x01;
const MSGFLAG_HASATTACH = 0x10;
const STORE_UNICODE_OK = 0x00040000;
const CODEPAGE_UTF8 = 65001;
const ATTACH_BY_VALUE = 1;
const MAPI_TO = 1;
const MAPI_CC = 2;
const MAPI_MAILUSER = 6;
const MAPI_ATTACH = 7;
const FILETIME_UNIX_EPOCH_MS = 11_644_473_600_000n;

/** CLSID_MailMessage {00020D0B-0000-0000-C000-000000000046} in on-disk (little-endian) byte order. */
const MESSAGE_CLSID = '0b0d020000000000c000000000000046';

type PropertyValue =
  | { type: typeof PT_LONG; value: number }
  | { type: typeof PT_SYSTIME; value: Date }
  | { type: typeof PT_UNICODE; value: string }
  | { type: typeof PT_BINARY; value: Buffer };

type Properties = Array<[id: number, value: PropertyValue]>;

const long = (value: number): PropertyValue => ({ type: PT_LONG, value });
const text = (value: string): PropertyValue => ({ type: PT_UNICODE, value });
const time = (value: Date): PropertyValue => ({ type: PT_SYSTIME, value });
const binary = (value: Buffer): PropertyValue => ({ type: PT_BINARY, value });

/** Writes a complete .msg file. The same content always gives the same bytes. */
export function writeMsgFile(message: OutlookMessageContent): Buffer {
  const container = CFB.utils.cfb_new({ CLSID: MESSAGE_CLSID });
  const add = (path: string, content: Buffer) => CFB.utils.cfb_add(container, path, content, { unsafe: true });

  const recipients = [
    ...message.to.map((address) => ({ address, type: MAPI_TO })),
    ...message.cc.map((address) => ({ address, type: MAPI_CC })),
  ];
  const topHeader = Buffer.alloc(32);
  topHeader.writeUInt32LE(recipients.length, 8);
  topHeader.writeUInt32LE(message.attachments.length, 12);
  topHeader.writeUInt32LE(recipients.length, 16);
  topHeader.writeUInt32LE(message.attachments.length, 20);
  addPropertyObject(add, '', topHeader, messageProperties(message));

  // Named-property mapping: required by [MS-OXMSG] 2.2.3 even when no named property is used.
  for (const stream of ['00020102', '00030102', '00040102']) add(`/__nameid_version1.0/__substg1.0_${stream}`, Buffer.alloc(0));

  recipients.forEach(({ address, type }, index) => {
    addPropertyObject(add, `/__recip_version1.0_#${hex8(index)}`, Buffer.alloc(8), [
      [0x0c15, long(type)],
      [0x3000, long(index)],
      [0x0ffe, long(MAPI_MAILUSER)],
      [0x3001, text(address.name)],
      [0x3002, text('SMTP')],
      [0x3003, text(address.email)],
      [0x39fe, text(address.email)],
    ]);
  });

  message.attachments.forEach((attachment, index) => {
    const extension = /\.[^.]+$/.exec(attachment.fileName)?.[0] ?? '';
    addPropertyObject(add, `/__attach_version1.0_#${hex8(index)}`, Buffer.alloc(8), [
      [0x0e20, long(attachment.content.length)],
      [0x0e21, long(index)],
      [0x0ffe, long(MAPI_ATTACH)],
      [0x3001, text(attachment.fileName)],
      [0x3701, binary(attachment.content)],
      [0x3703, text(extension)],
      [0x3704, text(attachment.fileName)],
      [0x3705, long(ATTACH_BY_VALUE)],
      [0x3707, text(attachment.fileName)],
      [0x370b, long(0xffffffff)],
      [0x370e, text(attachment.mimeType)],
    ]);
  });

  return CFB.write(container, { type: 'buffer' }) as Buffer;
}

function messageProperties(message: OutlookMessageContent): Properties {
  const displayNames = (addresses: MsgAddress[]) => addresses.map((address) => address.name).join('; ');
  const properties: Properties = [
    [0x001a, text('IPM.Note')],
    [0x0037, text(message.subject)],
    [0x0039, time(message.sentAt)],
    [0x0042, text(message.from.name)],
    [0x0064, text('SMTP')],
    [0x0065, text(message.from.email)],
    [0x0c1a, text(message.from.name)],
    [0x0c1e, text('SMTP')],
    [0x0c1f, text(message.from.email)],
    [0x0e03, text(displayNames(message.cc))],
    [0x0e04, text(displayNames(message.to))],
    [0x0e06, time(message.sentAt)],
    [0x0e07, long(MSGFLAG_READ | (message.attachments.length > 0 ? MSGFLAG_HASATTACH : 0))],
    [0x1000, text(message.bodyText)],
    [0x340d, long(STORE_UNICODE_OK)],
    [0x5d01, text(message.from.email)],
  ];
  if (message.bodyHtml !== undefined) {
    const codepage = message.htmlCodepage ?? CODEPAGE_UTF8;
    const encoding = codepage === CODEPAGE_UTF8 ? 'utf8' : `cp${codepage}`;
    properties.push([0x1013, binary(iconv.encode(message.bodyHtml, encoding))], [0x3fde, long(codepage)]);
  }
  return properties;
}

/**
 * A property stream ([MS-OXMSG] 2.4): a header, then one 16-byte entry per property.
 * Fixed-size values live in the entry; strings and binaries get a `__substg1.0_` stream
 * of their own and the entry holds their length.
 */
function addPropertyObject(add: (path: string, content: Buffer) => void, storage: string, header: Buffer, properties: Properties): void {
  const entries = Buffer.alloc(16 * properties.length);
  properties.forEach(([id, property], index) => {
    const offset = index * 16;
    const tag = ((id << 16) | property.type) >>> 0;
    entries.writeUInt32LE(tag, offset);
    entries.writeUInt32LE(READ_WRITE, offset + 4);
    switch (property.type) {
      case PT_LONG:
        entries.writeUInt32LE(property.value >>> 0, offset + 8);
        break;
      case PT_SYSTIME:
        entries.writeBigUInt64LE((BigInt(property.value.getTime()) + FILETIME_UNIX_EPOCH_MS) * 10_000n, offset + 8);
        break;
      case PT_UNICODE:
      case PT_BINARY: {
        const data = property.type === PT_UNICODE ? Buffer.from(`${property.value}\0`, 'utf16le') : property.value;
        entries.writeUInt32LE(data.length, offset + 8);
        add(`${storage}/__substg1.0_${hex8(tag)}`, data);
        break;
      }
    }
  });
  add(`${storage}/__properties_version1.0`, Buffer.concat([header, entries]));
}

function hex8(value: number): string {
  return value.toString(16).toUpperCase().padStart(8, '0');
}

const SUPPLIERS: readonly MsgAddress[] = [
  { name: 'Müller & Söhne GmbH – Vertrieb', email: 'vertrieb@mueller-soehne.example' },
  { name: 'Acme Industrial Supplies', email: 'orders@acme-industrial.example' },
  { name: 'Initech S.A. Customer Service', email: 'service@initech.example' },
  { name: 'Nakatomi Trading (東京)', email: 'sales@nakatomi.example' },
];
const BUYER: MsgAddress = { name: 'Purchasing Team', email: 'purchasing@buyer.example' };
const ACCOUNTS: MsgAddress = { name: 'Accounts Payable', email: 'ap@buyer.example' };

/**
 * The supplier's reply a simulated Coupa comment carries: a pure function of the
 * attachment id, with an HTML body for every other id (plain-text-only mail exists too)
 * and a delivery schedule attached.
 */
export function simulatedMessage(id: string, scheduleBytes = 400): OutlookMessageContent {
  const seed = hash32(`msg:${id}`);
  const random = randomStream(seed);
  const supplier = SUPPLIERS[seed % SUPPLIERS.length]!;
  const sentAt = new Date(Date.UTC(2024, 0, 1, 8, 0, 0) + Math.floor(random() * 365 * 24 * 60) * 60_000);
  const deliveryDay = new Date(sentAt.getTime() + (7 + Math.floor(random() * 30)) * 86_400_000).toISOString().slice(0, 10);
  const subject = `RE: Delivery date confirmation – attachment ${id}`;
  const lines = [
    'Dear Purchasing Team,',
    '',
    `we confirm delivery of the ordered goods on ${deliveryDay}.`,
    'The delivery schedule is attached.',
    '',
    'Kind regards,',
    supplier.name,
  ];
  return {
    subject,
    from: supplier,
    to: [BUYER],
    cc: [ACCOUNTS],
    sentAt,
    bodyText: lines.join('\r\n'),
    ...(seed % 2 === 0
      ? {
          bodyHtml:
            `<html><head><style>p { font-family: Calibri, sans-serif; }</style></head><body>` +
            lines.map((line) => `<p>${line.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</p>`).join('') +
            `<p><img src="https://tracking.supplier.example/open.gif?m=${id}" width="1" height="1" alt=""></p></body></html>`,
        }
      : {}),
    attachments: [{ fileName: `Delivery schedule ${id}.txt`, mimeType: 'text/plain', content: scheduleText(id, deliveryDay, scheduleBytes) }],
  };
}

function scheduleText(id: string, deliveryDay: string, bytes: number): Buffer {
  const lines = [`Delivery schedule for attachment ${id}\r\nPosition;Quantity;Date`];
  let length = lines[0]!.length;
  for (let position = 1; length < bytes; position++) {
    const line = `\r\n${position};${position * 10};${deliveryDay}`;
    lines.push(line);
    length += line.length;
  }
  return Buffer.from(lines.join('')).subarray(0, bytes);
}

/**
 * The .msg served for a catalogue attachment of `size` bytes. The delivery schedule is
 * grown until the compound file is as large as it can be without exceeding `size`, and
 * the rest is zero slack after the last sector, which compound-file readers ignore; so
 * Content-Length, the catalogue and the bytes on disk agree. A size too small for any
 * message gets the first `size` bytes of one: a truncated .msg, as a broken upload is.
 */
export function simulatedMsgFile(id: string, size: number): Buffer {
  const build = (scheduleBytes: number) => writeMsgFile(simulatedMessage(id, scheduleBytes));
  const smallest = build(0);
  if (smallest.length > size) return smallest.subarray(0, size);
  // Invariant: build(low) fits, build(high) does not (a schedule of `size` bytes never fits).
  let low = 0;
  let high = size;
  let best = smallest;
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    const candidate = build(middle);
    if (candidate.length <= size) {
      low = middle;
      best = candidate;
    } else {
      high = middle;
    }
  }
  return Buffer.concat([best, Buffer.alloc(size - best.length)]);
}
