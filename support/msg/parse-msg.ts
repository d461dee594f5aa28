import MsgReaderModule, { type FieldsData } from '@kenjiuno/msgreader';
import iconv from 'iconv-lite';
import { OperatorError } from '../shared/operator-error.js';
import { checkCompoundFile } from '../shared/compound-file-check.js';

const MsgReader = MsgReaderModule.default;

export interface MessageAttachment {
  name: string;
  /** Bytes; undefined for an attached e-mail, whose size Outlook does not store. */
  size: number | undefined;
}

export interface ParsedMessage {
  subject: string;
  /** `Name <address>`, or whichever of the two the message has. */
  from: string;
  to: string[];
  cc: string[];
  /** When it was sent (or, failing that, delivered). */
  date: Date | undefined;
  bodyText: string;
  bodyHtml?: string;
  attachments: MessageAttachment[];
}

export class BrokenMsgError extends OperatorError {
  constructor(readonly file: string, problem: string, cause?: unknown) {
    super(
      `${file} is not a readable Outlook message: ${problem}`,
      'No PDF was made for it; the .msg itself was downloaded as the server sent it. Open it in Outlook to check, or ask the supplier to send it again.',
      { cause },
    );
  }
}

/** Codepages (PR_INTERNET_CPID) whose iconv-lite name is not `cp<number>`. */
const CODEPAGE_NAMES: Readonly<Record<number, string>> = {
  65001: 'utf8',
  1200: 'utf16le',
  1201: 'utf16be',
  20127: 'ascii',
  20866: 'koi8-r',
  21866: 'koi8-u',
  28591: 'iso-8859-1',
  28592: 'iso-8859-2',
  28595: 'iso-8859-5',
  28597: 'iso-8859-7',
  28599: 'iso-8859-9',
  28605: 'iso-8859-15',
  51932: 'euc-jp',
  54936: 'gb18030',
};

/**
 * Reads an Outlook .msg. Anything that is not one (another file renamed, a truncated or
 * damaged download) is a BrokenMsgError naming `file`, never a crash or a hang.
 */
export function parseMsg(bytes: Uint8Array, file = 'The message'): ParsedMessage {
  const structure = checkCompoundFile(bytes);
  if (!structure.ok) throw new BrokenMsgError(file, structure.problem);
  if (!structure.rootNames.includes('__properties_version1.0')) {
    throw new BrokenMsgError(file, 'it is a compound file (an Office 97–2003 document?) without the properties of an e-mail');
  }
  let fields: FieldsData;
  try {
    // msgreader reads the whole ArrayBuffer: a Buffer may be a view into a larger pool.
    const own = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    fields = new MsgReader(own).getFileData();
  } catch (error) {
    throw new BrokenMsgError(file, `its properties cannot be read (${error instanceof Error ? error.message : String(error)})`, error);
  }
  if (fields.error) throw new BrokenMsgError(file, fields.error);

  const recipients = fields.recipients ?? [];
  const addressesOf = (kind: 'to' | 'cc') =>
    recipients
      .filter((recipient) => (text(recipient.recipType) ?? 'to') === kind)
      .map((recipient) => address(text(recipient.name), text(recipient.smtpAddress) ?? text(recipient.email)));
  return {
    subject: text(fields.subject) ?? '',
    from: address(text(fields.senderName), text(fields.senderSmtpAddress) ?? text(fields.sentRepresentingSmtpAddress) ?? text(fields.senderEmail)),
    to: addressesOf('to'),
    cc: addressesOf('cc'),
    date: dateOf(text(fields.clientSubmitTime) ?? text(fields.messageDeliveryTime)),
    bodyText: text(fields.body) ?? '',
    ...htmlBody(fields),
    attachments: (fields.attachments ?? []).filter((attachment) => attachment.attachmentHidden !== true).map(attachmentOf),
  };
}

/**
 * msgreader names a field by property id whatever its type, so in a damaged or unusual
 * message a "string" field may hold bytes or a number: only real strings are used.
 */
function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Exchange senders carry an X.500 DN instead of an address; only something with `@` is shown as one. */
function address(name: string | undefined, email: string | undefined): string {
  const shownName = name?.trim() ?? '';
  const shownEmail = email?.includes('@') ? email.trim() : '';
  if (shownName && shownEmail && shownName.toLowerCase() !== shownEmail.toLowerCase()) return `${shownName} <${shownEmail}>`;
  return shownName || shownEmail;
}

function dateOf(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function htmlBody(fields: FieldsData): { bodyHtml?: string } {
  const unicode = text(fields.bodyHtml);
  if (unicode) return { bodyHtml: unicode };
  if (!(fields.html instanceof Uint8Array) || fields.html.length === 0) return {};
  const codepage = typeof fields.internetCodepage === 'number' ? fields.internetCodepage : 65001;
  const named = CODEPAGE_NAMES[codepage] ?? `cp${codepage}`;
  const encoding = iconv.encodingExists(named) ? named : 'utf8';
  return { bodyHtml: iconv.decode(Buffer.from(fields.html), encoding) };
}

function attachmentOf(attachment: FieldsData): MessageAttachment {
  if (attachment.innerMsgContent) return { name: `${text(attachment.name) ?? 'Attached message'}.msg`, size: undefined };
  return {
    name: text(attachment.fileName) ?? text(attachment.fileNameShort) ?? text(attachment.name) ?? 'Unnamed attachment',
    size: attachment.contentLength ?? 0,
  };
}
