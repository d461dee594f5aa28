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
