import type { z } from 'zod';
import { jsonText, writeFileAtomicSync } from '../shared/atomic-file.js';
import { readJsonRecord } from '../shared/json-record.js';
import { OperatorError } from '../shared/operator-error.js';

/** A state file the run needs and cannot do without, missing or not what this tool wrote. */
export class RunStateError extends OperatorError {
  constructor(readonly file: string, problem: string, advice: string) {
    super(`The run's state file ${file} ${problem}.`, advice);
  }
}

/**
 * One kind of record kept in one file: written in one step (temporary file, flushed,
 * renamed) and checked against its schema when read back, by any process of the run.
 */
export interface StateFile<T> {
  write(file: string, value: T): void;
  /** The record; `undefined` when there is none; a RunStateError when the file holds something else. */
  read(file: string): T | undefined;
  /** The record, which must be there. */
  require(file: string): T;
}

export function stateFile<T>(schema: z.ZodType<T>, options: { what: string; advice: string; pretty?: boolean }): StateFile<T> {
  const read = (file: string): T | undefined => {
    const record = readJsonRecord(file, schema);
    if (record.state === 'ok') return record.value;
    if (record.state === 'missing') return undefined;
    throw new RunStateError(file, `(${options.what}) ${record.problem}`, options.advice);
  };
  return {
    write: (file, value) => writeFileAtomicSync(file, jsonText(value, options.pretty), { durable: true }),
    read,
    require: (file) => {
      const value = read(file);
      if (value === undefined) throw new RunStateError(file, `(${options.what}) is missing`, options.advice);
      return value;
    },
  };
}
