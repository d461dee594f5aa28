import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { ALLURE_CATEGORIES } from '../../support/report/allure-categories.js';
import { removeAnalytics } from '../../commands/report/report-html.js';
import {
  allureReportConfig,
  newestRunFolder,
  parseReportArgs,
  readCategories,
  ReportTargetError,
  resolveReportTarget,
} from '../../commands/report/report-target.js';
import { fileForRequest } from '../../tooling/screenshots/static-server.js';

let dir: string;
test.beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'report-generate-'));
});
test.afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A run folder with `results` Allure results, written `ageSeconds` ago. */
function runFolder(name: string, results: number, ageSeconds = 0): string {
  const root = path.join(dir, name);
  const resultsDir = path.join(root, 'allure-results');
  fs.mkdirSync(resultsDir, { recursive: true });
  for (let i = 0; i < results; i++) fs.writeFileSync(path.join(resultsDir, `r${i}-result.json`), '{}');
  const when = new Date(Date.now() - ageSeconds * 1000);
  fs.utimesSync(resultsDir, when, when);
  return root;
}

const noDownloadDir = () => {
  throw new Error('DOWNLOAD_DIR must not be needed when a folder is given');
};

test('arguments: a run folder (positional or --run), --results, --single-file, --help', () => {
  expect(parseReportArgs([])).toEqual({ singleFile: false, help: false });
  expect(parseReportArgs(['downloads/x_CoupaDownloads'])).toEqual({ run: 'downloads/x_CoupaDownloads', singleFile: false, help: false });
  expect(parseReportArgs(['--run', 'r', '--single-file'])).toEqual({ run: 'r', singleFile: true, help: false });
  expect(parseReportArgs(['--results', 'a/allure-results'])).toEqual({ results: 'a/allure-results', singleFile: false, help: false });
  expect(parseReportArgs(['-h']).help).toBe(true);
  for (const bad of [['--run'], ['--results', '--single-file'], ['--open'], ['a', 'b'], ['a', '--results', 'b']]) {
    expect(() => parseReportArgs(bad), bad.join(' ')).toThrow(ReportTargetError);
  }
});

test('without a folder, the run whose Allure results were written last is taken', () => {
  runFolder('20250301-08h00_CoupaDownloads', 3, 300);
  const resumed = runFolder('20250302-08h00_CoupaDownloads', 2, 10);
  runFolder('20250303-08h00_CoupaDownloads', 0, 0);
  runFolder('not-a-run', 5, 0);
  expect(newestRunFolder(dir)).toBe(resumed);
  expect(newestRunFolder(path.join(dir, 'missing'))).toBeUndefined();

  const target = resolveReportTarget({ singleFile: false, help: false }, '/', () => dir);
  expect(target).toEqual({
    resultsDir: path.join(resumed, 'allure-results'),
    outputDir: path.join(resumed, 'allure-report'),
    name: '20250302-08h00_CoupaDownloads',
  });
});

test('a given run folder is resolved from where the operator typed it, without reading DOWNLOAD_DIR', () => {
  const run = runFolder('20250301-08h00_CoupaDownloads-2', 1);
  const target = resolveReportTarget({ run: '20250301-08h00_CoupaDownloads-2', singleFile: false, help: false }, dir, noDownloadDir);
  expect(target.outputDir).toBe(path.join(run, 'allure-report'));
  const byResults = resolveReportTarget({ results: path.join(run, 'allure-results'), singleFile: false, help: false }, '/', noDownloadDir);
  expect(byResults).toEqual({ resultsDir: path.join(run, 'allure-results'), outputDir: path.join(run, 'allure-report'), name: '20250301-08h00_CoupaDownloads-2' });
});

test('clear errors: no such run folder, a run without results, no run at all', () => {
  expect(() => resolveReportTarget({ run: 'nowhere', singleFile: false, help: false }, dir, noDownloadDir)).toThrow(`Run folder ${path.join(dir, 'nowhere')} does not exist.`);
  const empty = runFolder('20250301-08h00_CoupaDownloads', 0);
  expect(() => resolveReportTarget({ run: empty, singleFile: false, help: false }, dir, noDownloadDir)).toThrow(
    `${path.join(empty, 'allure-results')} holds no Allure test results (*-result.json).`,
  );
  let error: unknown;
  try {
    resolveReportTarget({ singleFile: false, help: false }, dir, () => path.join(dir, 'downloads'));
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ReportTargetError);
  expect((error as ReportTargetError).message).toBe(`No run folder with Allure results under ${path.join(dir, 'downloads')} (DOWNLOAD_DIR).`);
  expect((error as ReportTargetError).advice).toContain('npm run report -- <run folder>');
});

test('the report uses the categories written with the run, or the built-in ones', () => {
  const results = path.join(runFolder('r_CoupaDownloads', 1), 'allure-results');
  expect(readCategories(results)).toEqual(ALLURE_CATEGORIES);
  const own = [{ name: 'Business outcome: PO not found', description: '', matchedStatuses: ['passed'], messageRegex: '^Outcome PO_NOT_FOUND:[\\s\\S]*' }];
  fs.writeFileSync(path.join(results, 'categories.json'), JSON.stringify(own));
  expect(readCategories(results)).toEqual(own);
  fs.writeFileSync(path.join(results, 'categories.json'), '{"not":"a list"}');
  expect(() => readCategories(results)).toThrow(ReportTargetError);

  const config = allureReportConfig({ resultsDir: results, outputDir: '/out/allure-report', name: 'r_CoupaDownloads' }, { singleFile: true, categories: own as never });
  expect(config).toEqual({
    name: 'Coupa downloads r_CoupaDownloads',
    output: '/out/allure-report',
    categories: own,
    plugins: { awesome: { options: { reportName: 'Coupa downloads r_CoupaDownloads', singleFile: true, groupBy: ['parentSuite', 'suite', 'subSuite'] } } },
  });
});

test('the Google Analytics tags of the Allure page are removed, the report scripts stay', () => {
  const page = `<html><head><script>
      window.allureReportOptions = {"reportName":"x"}
    </script></head><body><div id="app"></div>
    <script>
      window.allure = window.allure || {};
    </script>
    <script   src="data:text/javascript;base64,QUJD"></script>
    <script async src="https://www.googletagmanager.com/gtag/js?id=G-LNDJ3J7WT0"></script>
    <script>
        window.dataLayer = window.dataLayer || [];
        function gtag(){dataLayer.push(arguments);}
        gtag('js', new Date());
        gtag('config', 'G-LNDJ3J7WT0', { "report": "awesome" });
    </script>
    <script async>
        window.allureReportDataReady = true;
      </script>
</body></html>`;
  const { html, removed } = removeAnalytics(page);
  expect(removed).toBe(2);
  expect(html).not.toMatch(/googletagmanager|gtag|dataLayer/);
  for (const kept of ['window.allureReportOptions', 'window.allure = window.allure', 'base64,QUJD', 'window.allureReportDataReady = true', '<div id="app">']) {
    expect(html).toContain(kept);
  }
  expect(removeAnalytics(html)).toEqual({ html, removed: 0 });
});

test('the screenshot server only serves files inside the report folder', () => {
  const root = path.join(dir, 'allure-report');
  expect(fileForRequest(root, '/')).toBe(path.join(root, 'index.html'));
  expect(fileForRequest(root, '/widgets/tree.json?x=1')).toBe(path.join(root, 'widgets', 'tree.json'));
  expect(fileForRequest(root, '/data/a%20b.json')).toBe(path.join(root, 'data', 'a b.json'));
  expect(fileForRequest(root, '/../secret.txt')).toBe(path.join(root, 'secret.txt'));
  expect(fileForRequest(root, '/%2e%2e/%2e%2e/etc/passwd')).toBe(path.join(root, 'etc', 'passwd'));
  // An encoded slash survives URL normalisation and would climb out once decoded.
  expect(fileForRequest(root, '/..%2f..%2fetc%2fpasswd')).toBeUndefined();
});
