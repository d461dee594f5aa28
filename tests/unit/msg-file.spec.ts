import { expect, test } from '@playwright/test';
import { BrokenMsgError, parseMsg } from '../../support/msg/parse-msg.js';
import { attachmentContent } from '../../tooling/simulator/attachment-content.js';
import { simulatedMessage, simulatedMsgFile, writeMsgFile } from '../../tooling/simulator/msg-file.js';

/** The simulator's .msg attachments: real Outlook messages, of exactly the catalogue's size. */

test('a simulated message is a readable .msg of exactly the requested size, the same bytes every time', () => {
  for (const size of [12_000, 30 * 1024 + 37, 64 * 1024, 65_573, 200_001]) {
    const bytes = simulatedMsgFile('71000052', size);
    expect(bytes.length, `size ${size}`).toBe(size);
    expect(simulatedMsgFile('71000052', size).equals(bytes)).toBe(true);
    const parsed = parseMsg(bytes);
    expect(parsed.subject).toBe('RE: Delivery date confirmation – attachment 71000052');
    expect(parsed.attachments).toHaveLength(1);
    expect(parsed.attachments[0]!.name).toBe('Delivery schedule 71000052.txt');
    // The schedule grows with the size, so all but the sector slack is message.
    expect(parsed.attachments[0]!.size!).toBeGreaterThan(size - 12_000);
  }
});

test('messages differ by id; about half have an HTML body with a remote tracking image', () => {
  const ids = Array.from({ length: 20 }, (_, k) => String(71_000_000 + k));
  const parsed = ids.map((id) => parseMsg(simulatedMsgFile(id, 20_000)));
  expect(new Set(parsed.map((message) => message.subject)).size).toBe(ids.length);
  const withHtml = parsed.filter((message) => message.bodyHtml !== undefined);
  expect(withHtml.length).toBeGreaterThan(3);
  expect(withHtml.length).toBeLessThan(17);
  for (const message of withHtml) expect(message.bodyHtml).toContain('<img src="https://tracking.supplier.example/open.gif?m=');
  for (const message of parsed) {
    expect(message.from).toMatch(/^.+ <.+@.+\.example>$/);
    expect(message.to).toEqual(['Purchasing Team <purchasing@buyer.example>']);
    expect(message.cc).toEqual(['Accounts Payable <ap@buyer.example>']);
    expect(message.bodyText).toContain('we confirm delivery of the ordered goods on');
    expect(message.date?.getUTCFullYear()).toBe(2024);
  }
});

test('a size too small for any message gives the start of one: a truncated .msg the job must report as broken', () => {
  const smallest = writeMsgFile(simulatedMessage('5', 0)).length;
  const bytes = simulatedMsgFile('5', smallest - 1000);
  expect(bytes.length).toBe(smallest - 1000);
  expect(bytes.equals(writeMsgFile(simulatedMessage('5', 0)).subarray(0, smallest - 1000))).toBe(true);
  expect(() => parseMsg(bytes)).toThrow(BrokenMsgError);
});

test('attachmentContent serves .msg names (any case) as messages and leaves other types as they were', () => {
  const message = attachmentContent({ id: '71000052', size: 65_573, fileName: 'RE_ Delivery date confirmation.MSG' });
  expect(message.equals(simulatedMsgFile('71000052', 65_573))).toBe(true);
  const other = attachmentContent({ id: '71000052', size: 65_573, fileName: 'RE_ Delivery date confirmation.eml' });
  expect(other.length).toBe(65_573);
  expect(other.subarray(0, 8).equals(message.subarray(0, 8))).toBe(false);
});
