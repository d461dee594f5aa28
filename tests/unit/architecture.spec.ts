import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';

/**
 * The structure rules of docs/code-map.md, checked on the source itself: imports flow one
 * way (no cycle, the job's modules never reach into its tools or its test harness), and
 * every module of the job stays small enough to read at once.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const JOB = ['support', 'fixtures', 'specs', 'reporters'];
const ALL = [...JOB, 'commands', 'tooling'];
const MAX_JOB_FILE_LINES = 300;

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

const files = [...ALL.flatMap((d) => sourceFiles(path.join(root, d))), path.join(root, 'playwright.config.ts')];
const rel = (file: string) => path.relative(root, file).split(path.sep).join('/');

/** Relative imports, static, side-effect and dynamic (type-only ones too: a cycle of types is still a knot for the reader). */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const found = [
    ...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"](\.{1,2}\/[^'"]+)['"]/g),
    // Side-effect and dynamic imports.
    ...text.matchAll(/\bimport\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g),
  ].map((m) => m[1]!);
  return found.map((spec) => rel(path.resolve(path.dirname(file), spec.replace(/\.js$/, '.ts'))));
}

const graph = new Map(files.map((f) => [rel(f), importsOf(f)]));

/** Tarjan's strongly connected components; any with more than one module is a cycle. */
function cycles(): string[][] {
  let index = 0;
  const indexes = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string) => {
    indexes.set(node, index);
    low.set(node, index++);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      if (!indexes.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, indexes.get(next)!));
      }
    }
    if (low.get(node) === indexes.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!indexes.has(node)) visit(node);
  return found;
}

test('the import graph has no cycle', () => {
  expect(graph.size).toBeGreaterThan(100);
  expect(cycles()).toEqual([]);
});

test('the job\'s own modules never import the fixtures, the reporters, the operator commands or the development tooling', () => {
  const wrongWay = [...graph].flatMap(([from, targets]) =>
    from.startsWith('support/')
      ? targets.filter((t) => /^(fixtures|specs|reporters|commands|tooling)\//.test(t)).map((t) => `${from} → ${t}`)
      : [],
  );
  expect(wrongWay).toEqual([]);
});

test('every module of the job stays under 300 lines', () => {
  const long = files
    .filter((f) => JOB.some((d) => rel(f).startsWith(`${d}/`)) || rel(f) === 'playwright.config.ts')
    .map((f) => ({ file: rel(f), lines: fs.readFileSync(f, 'utf8').split('\n').length }))
    .filter((f) => f.lines > MAX_JOB_FILE_LINES)
    .map((f) => `${f.file}: ${f.lines} lines`);
  expect(long).toEqual([]);
});

/** Packages a module loads at run time (type-only imports are erased), static or dynamic. */
function packagesOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const specs = [
    ...text.matchAll(/(?:^|\n)\s*(?:import|export)\s+(?!type\s)[^'"]*?from\s+['"]([^.'"][^'"]*)['"]/g),
    ...text.matchAll(/\bimport\s*\(?\s*['"]([^.'"][^'"]*)['"]/g),
  ].map((m) => m[1]!);
  return specs.filter((s) => !s.startsWith('node:')).map((s) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]!));
}

test('the job and its operator commands load only runtime dependencies (npm ci --omit=dev runs them)', () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  const product = files.filter((f) => !rel(f).startsWith('tooling/bench/') && !rel(f).startsWith('tooling/screenshots/'));
  const missing = product.flatMap((f) => packagesOf(f).filter((p) => !(p in manifest.dependencies)).map((p) => `${rel(f)}: ${p}`));
  expect(product.flatMap(packagesOf)).toContain('@playwright/test');
  expect(missing).toEqual([]);
});
