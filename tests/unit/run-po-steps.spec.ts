import { executionAsyncResource } from 'node:async_hooks';
import { expect, test } from '@playwright/test';
import { replaySteps, StepRecorder } from '../../support/run/po-steps.js';

/**
 * The steps of a PO processed by another window: recorded where it ran, replayed in the PO's
 * own test, with the same nesting and outcomes, a failed step failed again there.
 */
interface Shown {
  title: string;
  failed?: string;
  steps: Shown[];
}

/** A step runner that builds the tree a test report would show, failing a step as Playwright does: by its body throwing. */
function reportTree(): { root: Shown[]; step: <T>(title: string, body: () => Promise<T>) => Promise<T> } {
  const root: Shown[] = [];
  let current = root;
  return {
    root,
    step: async (title, body) => {
      const shown: Shown = { title, steps: [] };
      current.push(shown);
      const parent = current;
      current = shown.steps;
      try {
        return await body();
      } catch (error) {
        shown.failed = (error as Error).message;
        throw error;
      } finally {
        current = parent;
      }
    },
  };
}

test('steps are recorded nested, with their outcome, the error of a failed one (cleaned) and their duration', async () => {
  const recorder = new StepRecorder();
  await recorder.step('Open PO page', async () => {
    await recorder.step('Try 1', async () => undefined);
  });
  await recorder
    .step('Download scan.pdf', async () => {
      await new Promise((r) => setTimeout(r, 30));
      throw new Error('server answered HTTP 500 for https://tenant.example/f?token=abc');
    })
    .catch(() => undefined);
  expect(recorder.steps.map((s) => [s.title, s.status, s.error, s.steps.map((c) => c.title)])).toEqual([
    ['Open PO page', 'passed', undefined, ['Try 1']],
    ['Download scan.pdf', 'failed', 'server answered HTTP 500 for https://tenant.example/f', []],
  ]);
  expect(recorder.steps[1]!.durationMs).toBeGreaterThanOrEqual(25);
});

test('steps running side by side each land under their own parent', async () => {
  const recorder = new StepRecorder();
  await Promise.all(
    ['a', 'b'].map((name) =>
      recorder.step(name, async () => {
        await new Promise((r) => setTimeout(r, name === 'a' ? 20 : 5));
        await recorder.step(`${name}.1`, async () => undefined);
      }),
    ),
  );
  expect(recorder.steps.map((s) => [s.title, s.steps.map((c) => c.title)])).toEqual([
    ['a', ['a.1']],
    ['b', ['b.1']],
  ]);
});

test('a replay shows the same tree; a failed step fails again inside, and the test goes on', async () => {
  const { root, step } = reportTree();
  await replaySteps(
    [
      { title: 'Open PO page', status: 'failed', error: 'server answered HTTP 500 three times', durationMs: 3400, steps: [{ title: 'Try 1', status: 'failed', error: 'HTTP 500', durationMs: 1000, steps: [] }] },
      { title: 'Discover PO attachments', status: 'passed', durationMs: 50, steps: [] },
    ],
    step,
  );
  expect(root).toEqual([
    { title: 'Open PO page (3.4 s)', failed: 'server answered HTTP 500 three times', steps: [{ title: 'Try 1 (1.0 s)', failed: 'HTTP 500', steps: [] }] },
    { title: 'Discover PO attachments (0.1 s)', steps: [] },
  ]);
});

test('an error of the report itself is not swallowed by a replay', async () => {
  const broken = async () => {
    throw new Error('the report broke');
  };
  await expect(replaySteps([{ title: 'x', status: 'passed', durationMs: 0, steps: [] }], broken)).rejects.toThrow('the report broke');
});

/** Context slots on a fresh async operation: one per AsyncLocalStorage enabled in the process. */
async function contextSlots(): Promise<number> {
  await null;
  return Object.getOwnPropertySymbols(executionAsyncResource()).length;
}

test('a recorder per hand-over leaves nothing behind: async operations cost the same after 200 recorders', async () => {
  await new StepRecorder().step('warm up', async () => undefined);
  const before = await contextSlots();
  for (let i = 0; i < 200; i++) {
    const recorder = new StepRecorder();
    await recorder.step('Open PO page', () => recorder.step('Try 1', async () => undefined));
  }
  expect(await contextSlots()).toBe(before);
});

test('two recorders working at once keep their steps apart, nested in their own parents', async () => {
  const a = new StepRecorder();
  const b = new StepRecorder();
  const tick = () => new Promise((r) => setTimeout(r, 5));
  await Promise.all([
    a.step('A outer', async () => {
      await tick();
      await b.step('B top', () => tick());
      await a.step('A inner', () => tick());
    }),
    b.step('B outer', async () => {
      await tick();
      await b.step('B inner', () => tick());
    }),
  ]);
  const titles = (steps: { title: string; steps: unknown[] }[]): unknown => steps.map((s) => [s.title, titles(s.steps as never)]);
  expect(titles(a.steps)).toEqual([['A outer', [['A inner', []]]]]);
  expect(titles(b.steps)).toEqual([['B outer', [['B inner', []]]], ['B top', []]]);
});
