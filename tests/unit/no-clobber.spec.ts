import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { pdfNameFor } from '../../support/msg/msg-to-pdf.js';
import { namesIn, placeWithoutClobber, temporaryFileIn } from '../../support/output/no-clobber.js';

let folder: string;
test.beforeEach(() => {
  folder = fs.mkdtempSync(path.join(os.tmpdir(), 'no-clobber-'));
});
test.afterEach(() => {
  fs.rmSync(folder, { recursive: true, force: true });
});

function temporary(content: string): string {
  const file = temporaryFileIn(folder);
  fs.writeFileSync(file, content);
  return file;
}

test('a placed file takes its name, or the next free one; no file is ever replaced, even one `taken` did not know of', () => {
  fs.writeFileSync(path.join(folder, 'quote.pdf'), 'already here');
  const taken = new Set<string>();
  const first = placeWithoutClobber(temporary('one'), folder, 'quote.pdf', taken);
  const second = placeWithoutClobber(temporary('two'), folder, 'Quote.pdf', taken);
  expect([first, second].map((file) => path.basename(file))).toEqual(['quote (2).pdf', 'Quote (3).pdf']);
  expect(fs.readFileSync(path.join(folder, 'quote.pdf'), 'utf8')).toBe('already here');
  expect(fs.readFileSync(first, 'utf8')).toBe('one');
  expect(fs.readFileSync(second, 'utf8')).toBe('two');
  expect(fs.readdirSync(folder).filter((name) => name.endsWith('.part')), 'no temporary file left').toEqual([]);
  expect([...namesIn(folder)].sort()).toEqual(['quote (2).pdf', 'quote (3).pdf', 'quote.pdf']);
});

test('the PDF of a message is named after it, or <name>.msg.pdf when that PDF name is taken', () => {
  expect(pdfNameFor('Quote.msg', new Set())).toBe('Quote.pdf');
  expect(pdfNameFor('Quote.MSG', new Set(['quote.pdf']))).toBe('Quote.MSG.pdf');
  expect(pdfNameFor('notes', new Set())).toBe('notes.pdf');
});
