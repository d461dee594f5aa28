import fs from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import type { SimPo } from './catalogue-model.js';

/**
 * Input CSVs for a catalogue, written the way operators' files look: PO numbers with
 * and without prefixes, lower case and stray spaces, CRLF line ends, and optionally
 * `<|>` hierarchy columns (folder levels) after the PO data.
 */
export interface InputCsvOptions {
  /** Adds `<|>`, `Region`, `Country` columns so the job files POs by region instead of supplier. */
  hierarchy?: boolean;
  /** `;` as European Excel writes it. Default `,`. */
  delimiter?: ',' | ';';
  /** Starts the file with a UTF-8 byte order mark, as Excel's "CSV UTF-8" does. */
  bom?: boolean;
  /** `varied` cycles through the spellings operators use; `plain` writes `PO<digits>`. Default `varied`. */
  prefixes?: 'varied' | 'plain';
}

const SPELLINGS: ((id: string) => string)[] = [
  (id) => `PO${id}`,
  (id) => `PM${id}`,
  (id) => id,
  (id) => `po${id}`,
  (id) => ` PO${id} `,
  (id) => `PO ${id}`,
];

const REGIONS: [string, string][] = [
  ['EMEA', 'Germany'],
  ['EMEA', 'Portugal'],
  ['AMER', 'United States'],
  ['AMER', 'Brazil'],
  ['APAC', 'Japan'],
];

export function inputCsvText(pos: readonly SimPo[], options: InputCsvOptions = {}): string {
  const spell = (id: string, index: number) => (options.prefixes === 'plain' ? `PO${id}` : SPELLINGS[index % SPELLINGS.length]!(id));
  const header = ['PO_NUMBER', 'SCENARIO', ...(options.hierarchy ? ['<|>', 'Region', 'Country'] : [])];
  const rows = pos.map((po, index) => [
    spell(po.id, index),
    po.scenario,
    ...(options.hierarchy ? ['', ...REGIONS[index % REGIONS.length]!] : []),
  ]);
  const text = stringify([header, ...rows], { delimiter: options.delimiter ?? ',', record_delimiter: '\r\n' });
  return options.bom ? `\uFEFF${text}` : text;
}

export async function writeInputCsv(pos: readonly SimPo[], file: string, options: InputCsvOptions = {}): Promise<void> {
  await fs.mkdir(path.dirname(path.resolve(file)), { recursive: true });
  await fs.writeFile(file, inputCsvText(pos, options), 'utf8');
}
