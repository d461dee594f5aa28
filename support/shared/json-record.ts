import fs from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';

/**
 * A JSON file written by one process and read by another, checked against its schema on
 * every read: a file from another version of the tool, edited by hand or damaged is told
 * apart from a missing one, and never taken for what it claims to be.
 */
export type JsonRead<T> = { state: 'ok'; value: T } | { state: 'missing' } | { state: 'invalid'; problem: string };

export function readJsonRecord<T>(file: string, schema: z.ZodType<T>): JsonRead<T> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { state: 'missing' };
    return { state: 'invalid', problem: `cannot be read (${code ?? (error as Error).message})` };
  }
  return parseJsonRecord(text, schema);
}

export function parseJsonRecord<T>(text: string, schema: z.ZodType<T>): JsonRead<T> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { state: 'invalid', problem: 'is not valid JSON' };
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return { state: 'ok', value: parsed.data };
  const issue = parsed.error.issues[0];
  return { state: 'invalid', problem: `does not hold what this tool wrote (${issue ? `${issue.path.join('.') || 'value'}: ${issue.message}` : 'unexpected content'})` };
}

/** The record, or undefined when it is missing or not valid (files that are optional or re-read soon). */
export function readJsonIfValid<T>(file: string, schema: z.ZodType<T>): T | undefined {
  const read = readJsonRecord(file, schema);
  return read.state === 'ok' ? read.value : undefined;
}

/** Every valid record among the `.json` files of a folder (none when the folder does not exist); others are skipped. */
export function readJsonFolder<T>(dir: string, schema: z.ZodType<T>): T[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((name) => name.endsWith('.json'));
  } catch {
    return [];
  }
  return names.flatMap((name) => readJsonIfValid(path.join(dir, name), schema) ?? []);
}
