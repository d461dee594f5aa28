import { AsyncLocalStorage } from 'node:async_hooks';
import type { PoJobContext } from '../coupa/po-context.js';
import { cleanText } from '../report/clean-text.js';
import type { RecordedStep } from '../run-state/recorded-steps.js';

type StepRunner = PoJobContext['step'];

/**
 * The step a recorder is inside of, for nesting. One storage for every recorder: an
 * AsyncLocalStorage stays enabled once it has run, and each one enabled adds to every async
 * operation of the process from then on (a storage per hand-over served made a window's
 * worker grow by 0.3 MB and slow down with every hand-over, 2.2 GB after 1,750 POs).
 */
const openStep = new AsyncLocalStorage<{ recorder: StepRecorder; steps: RecordedStep[] }>();

/**
 * A PO's steps outside its own test: a window serving a hand-over records them (title,
 * outcome, error, duration) instead of reporting them in whatever test it is running, and
 * the PO's own test replays them as its steps once the result is back.
 */
export class StepRecorder {
  readonly steps: RecordedStep[] = [];

  readonly step: StepRunner = async (title, body) => {
    const entry: RecordedStep = { title, status: 'passed', durationMs: 0, steps: [] };
    const parent = openStep.getStore();
    (parent?.recorder === this ? parent.steps : this.steps).push(entry);
    const started = Date.now();
    try {
      return await openStep.run({ recorder: this, steps: entry.steps }, body);
    } catch (error) {
      entry.status = 'failed';
      entry.error = cleanText(error instanceof Error ? error.message : String(error));
      throw error;
    } finally {
      entry.durationMs = Date.now() - started;
    }
  };
}

/** How a recorded step fails again in the test that replays it; caught right outside the step. */
class ReplayedStepFailure extends Error {}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * Replays recorded steps through a test's step runner: the same titles (with the time they
 * took where they ran), nested alike, and a step that failed fails again, inside the step
 * only: the test itself goes on to its outcome, as it would have in its own window.
 */
export async function replaySteps(steps: readonly RecordedStep[], step: StepRunner): Promise<void> {
  for (const recorded of steps) {
    try {
      await step(`${recorded.title} (${seconds(recorded.durationMs)})`, async () => {
        await replaySteps(recorded.steps, step);
        if (recorded.status === 'failed') throw new ReplayedStepFailure(recorded.error ?? 'failed');
      });
    } catch (error) {
      if (!(error instanceof ReplayedStepFailure)) throw error;
    }
  }
}
