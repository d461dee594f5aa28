import { WindowVerificationError, type RemediationStep, type WindowRecord } from './window-record.js';

/**
 * How much repair one window start may spend (PROFILE-13, PROFILE-NFR-05): a number of remediation
 * steps (REMEDIATION_MAX_ATTEMPTS) and a time budget (REMEDIATION_BUDGET_MS) from the start,
 * whichever runs out first. A step that would start after the deadline is not started.
 */
export class RemediationBudget {
  private steps = 0;
  private readonly deadline: number;

  constructor(
    readonly maxSteps: number,
    readonly budgetMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.deadline = now() + budgetMs;
  }

  /** Why no further step may start, or undefined while one may. */
  spent(): string | undefined {
    if (this.steps >= this.maxSteps) return `${this.maxSteps} remediation step(s) allowed (REMEDIATION_MAX_ATTEMPTS) are used`;
    if (this.now() > this.deadline) return `the time budget of ${(this.budgetMs / 1000).toFixed(1)} s (REMEDIATION_BUDGET_MS) is spent`;
    return undefined;
  }

  take(): void {
    this.steps++;
  }
}

/** Records each remediation step of a window start in its record, within the start's budget. */
export class Remediation {
  constructor(
    private readonly record: WindowRecord,
    private readonly budget: RemediationBudget,
    private readonly save: () => void,
  ) {}

  /**
   * Begins a step, or throws WindowVerificationError when the budget allows no more. The
   * caller sets `ok` once it knows whether the step repaired the window.
   */
  begin(step: RemediationStep['step'], reason: string): RemediationStep {
    const spent = this.budget.spent();
    if (spent) throw new WindowVerificationError(this.record, spent, reason);
    this.budget.take();
    const entry: RemediationStep = { step, at: new Date().toISOString(), reason, ok: false };
    this.record.remediation.push(entry);
    this.save();
    return entry;
  }
}
