import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { PROJECT_ROOT, startJob } from '../../commands/job-process.js';
import { createJobHarness, processesMentioning, type JobHarness } from './helpers/job-harness.js';

/**
 * Bad input and misconfiguration stop the run before any browser starts, with a message
 * that names the file, row or setting, and a non-zero exit.
 */
let harness: JobHarness;

test.beforeAll(async () => {
  harness = await createJobHarness({ name: 'bad-input', inputCsv: 'PO_NUMBER\nPO4100001\n' });
});

test.afterAll(async () => {
  await harness?.close();
});

async function runExpectingRefusal(env: Record<string, string>): Promise<string> {
  harness.sim.resetStats();
  const { code, output } = await harness.run({ env });
  expect(code, output).toBe(2);
  expect(Object.keys(harness.sim.stats().requestsByPath), 'no window may have reached Coupa').toEqual([]);
  expect(processesMentioning(harness.root)).toEqual([]);
  expect(output).not.toMatch(/at .*\.ts:\d+/);
  expect(harness.runRoots(), 'a run that did not start leaves no run folder').toEqual([]);
  return output;
}

function writeInput(name: string, content: string | Buffer): string {
  const file = path.join(harness.root, name);
  fs.writeFileSync(file, content);
  return file;
}

test('a missing input file is named', async () => {
  const missing = path.join(harness.root, 'nope', 'input.csv');
  const output = await runExpectingRefusal({ INPUT_CSV: missing });
  expect(output).toContain(missing);
  expect(output).toContain('INPUT_CSV');
});

test('an input without a PO_NUMBER column names the file and the columns it has', async () => {
  const file = writeInput('no-column.csv', 'ORDER;SUPPLIER\r\nPO4100001;Acme\r\n');
  const output = await runExpectingRefusal({ INPUT_CSV: file });
  expect(output).toContain(file);
  expect(output).toContain('PO_NUMBER');
  expect(output).toContain('ORDER');
  expect(output).toContain('no browser window was opened');
});

test('an empty input and a header-only input are refused', async () => {
  for (const [name, content] of [['empty.csv', ''], ['header-only.csv', 'PO_NUMBER\r\n']] as const) {
    const file = writeInput(name, content);
    const output = await runExpectingRefusal({ INPUT_CSV: file });
    expect(output).toContain(file);
    expect(output).toMatch(/no PO rows|empty/i);
  }
});

test('settings are checked all at once, each problem naming its setting', async () => {
  const output = await runExpectingRefusal({ WORKERS: 'many', COUPA_BASE_URL: 'ftp://coupa.example.com', HEADLESS: 'perhaps' });
  expect(output).toContain('WORKERS="many"');
  expect(output).toContain('COUPA_BASE_URL="ftp://coupa.example.com"');
  expect(output).toContain('HEADLESS="perhaps"');
});

test('a misconfigured profile path fails fast and says which setting to fix', async () => {
  const missing = path.join(harness.root, 'no-such-profile');
  const output = await runExpectingRefusal({ EDGE_PROFILE_DIR: missing });
  expect(output).toContain('EDGE_PROFILE_DIR');
  expect(output).toContain(missing);

  const profileFolder = path.join(harness.userDataDir, 'Default');
  const pointedAtProfile = await runExpectingRefusal({ EDGE_PROFILE_DIR: profileFolder });
  expect(pointedAtProfile).toContain(harness.userDataDir);
  expect(pointedAtProfile).toContain('EDGE_PROFILE_NAME');

  const wrongName = await runExpectingRefusal({ EDGE_PROFILE_NAME: 'Profile 7' });
  expect(wrongName).toContain('Profile 7');
  expect(wrongName).toContain('Default');
});

test('a browser that does not exist is named before anything starts', async () => {
  const output = await runExpectingRefusal({ BROWSER_EXECUTABLE: path.join(harness.root, 'no-browser') });
  expect(output).toContain('BROWSER_EXECUTABLE');
});

test('a download folder or an http:// tenant on the network is refused, each naming its setting', async () => {
  const inside = path.join(harness.userDataDir, 'Default', 'Coupa downloads');
  const output = await runExpectingRefusal({ DOWNLOAD_DIR: inside, COUPA_BASE_URL: 'http://coupa.example.com' });
  expect(output).toContain(`DOWNLOAD_DIR (${inside}) is inside the browser profile folder EDGE_PROFILE_DIR (${harness.userDataDir})`);
  expect(output).toContain('COUPA_BASE_URL="http://coupa.example.com" must start with https://');
  expect(harness.runRoots(inside)).toEqual([]);
});

test('a temporary folder inside the browser profile folder is refused before anything is copied', async () => {
  const inside = path.join(harness.userDataDir, 'tmp');
  fs.mkdirSync(inside, { recursive: true });
  try {
    const output = await runExpectingRefusal({ TMPDIR: inside });
    expect(output).toContain(`The temporary folder (${inside}, from TMPDIR) is inside the browser profile folder EDGE_PROFILE_DIR (${harness.userDataDir})`);
    expect(fs.readdirSync(inside).filter((name) => name.startsWith('coupa-downloads-')), 'no snapshot or clone folder').toEqual([]);
  } finally {
    fs.rmSync(inside, { recursive: true, force: true });
  }
});

test('two PO_NUMBER columns stop the run, naming the file and the columns', async () => {
  const file = writeInput('twice.csv', 'PO_NUMBER;Supplier;po_number\r\nPO4100001;Acme;PO4100002\r\n');
  const output = await runExpectingRefusal({ INPUT_CSV: file });
  expect(output).toContain(`Input file ${file} has 2 PO_NUMBER columns, A ("PO_NUMBER") and C ("po_number")`);
});

test('what does not stop the run is said once, not by every window: no .env, and input rows with damaged bytes', async () => {
  // UTF-8 with one stray Windows-1252 byte in row 3: "Müller" must stay "Müller" in folders and reports.
  const file = writeInput(
    'mostly-utf8.csv',
    Buffer.concat([Buffer.from('PO_NUMBER;Note;<|>;Region\r\nPO4100001;Müller;;Bayern\r\nPO4100002;Caf', 'utf8'), Buffer.from([0xe9]), Buffer.from(';;Köln\r\n', 'utf8')]),
  );
  const folder = fs.mkdtempSync(path.join(harness.root, 'no-env-'));
  const job = startJob({
    env: { ...harness.env, ENV_FILE: '', INPUT_CSV: file, WORKERS: '2' },
    args: ['--config', path.join(PROJECT_ROOT, 'playwright.config.ts'), '--workers=2'],
    cwd: folder,
  });
  const { code, output } = await job.done;
  expect(code, output).toBe(0);
  const said = (text: string) => output.split(text).length - 1;
  expect(said(`no .env found in ${folder}`), output).toBe(1);
  expect(said(`Input file ${file} is UTF-8 except for row 3, which has bytes that are not valid UTF-8`), output).toBe(1);
  const results = [...harness.journal().values()];
  expect(results.map((result) => result.status)).toEqual(['COMPLETED', 'COMPLETED']);
  expect(new Set(results.map((result) => result.window)).size, 'both windows worked').toBe(2);
  expect(results.map((result) => path.basename(path.dirname(result.downloadFolder))).sort()).toEqual(['Bayern', 'Köln']);
});
