import type { MethodResult } from './profile-verifier.js';

/**
 * One start of a window's browser and its verification: the first start in a worker, and
 * every return after the load governor parked the window (a restart by Playwright after a
 * window fault is a new worker, so a new window record whose first round it is). Reports
 * show each round on its own: one Allure entry per round, one start-up bar per round on the
 * run's timeline.
 */
export interface WindowRound {
  /** `start`: the window's first start in its worker; `unpark`: back after the load governor parked it. */
  trigger: 'start' | 'unpark';
  startedAt: string;
  /** Profile ready and browser launched: the browser checks (introspection, session) begin. */
  verifyingAt?: string;
  endedAt?: string;
  /** `starting` until the round ended (a window killed while starting stays so). */
  result: 'starting' | 'verified' | 'failed';
  /** Every method's last result in this round. */
  verification: MethodResult[];
  /** Verification passes in this round (1 when the first one passed). */
  attempts: number;
  remediation: { step: string; at: string; reason: string; ok: boolean }[];
  timings: { slotWaitMs: number; cloneMs: number; launchWaitMs: number; launchMs: number; verifyMs: number };
  error?: string;
}

/** The fields of a window record that its rounds are made from (WindowRecord has them all). */
export interface RoundSource {
  state: string;
  verification: MethodResult[];
  attempts: number;
  remediation: WindowRound['remediation'];
  timings: WindowRound['timings'] & { totalStartMs: number };
  error?: string;
  startedAt: string;
  endedAt?: string;
  rounds?: WindowRound[];
}

export interface RoundTracker {
  /** The browser is up: verification begins. */
  verifying(at?: Date): void;
  /** The round is over (the record's state says how it ended). */
  end(at?: Date): void;
  /** The round never began after all: the load governor held the window back before its browser launched. */
  drop(): void;
}

/**
 * Opens a round on a window record and returns what closes it. The record's own
 * `verification` is cleared, so it always holds the current round's results; counters the
 * record keeps over its whole life (attempts, remediation, wait and verify time) are taken
 * as the difference since the round began.
 */
export function beginRound(record: RoundSource, at: Date = new Date()): RoundTracker {
  const rounds = (record.rounds ??= []);
  const round: WindowRound = {
    trigger: rounds.length === 0 ? 'start' : 'unpark',
    startedAt: at.toISOString(),
    result: 'starting',
    verification: [],
    attempts: 0,
    remediation: [],
    timings: { slotWaitMs: 0, cloneMs: 0, launchWaitMs: 0, launchMs: 0, verifyMs: 0 },
  };
  rounds.push(round);
  record.verification = [];
  const { slotWaitMs, launchWaitMs, verifyMs } = record.timings;
  const before = { attempts: record.attempts, remediation: record.remediation.length, slotWaitMs, launchWaitMs, verifyMs };
  return {
    verifying: (when = new Date()) => {
      round.verifyingAt = when.toISOString();
    },
    end: (when = new Date()) => {
      round.endedAt = when.toISOString();
      round.result = record.state === 'failed' ? 'failed' : 'verified';
      round.verification = [...record.verification];
      round.attempts = record.attempts - before.attempts;
      round.remediation = record.remediation.slice(before.remediation);
      round.timings = {
        slotWaitMs: record.timings.slotWaitMs - before.slotWaitMs,
        cloneMs: record.timings.cloneMs,
        launchWaitMs: record.timings.launchWaitMs - before.launchWaitMs,
        launchMs: record.timings.launchMs,
        verifyMs: record.timings.verifyMs - before.verifyMs,
      };
      if (record.state === 'failed' && record.error) round.error = record.error;
    },
    drop: () => {
      const at = rounds.indexOf(round);
      if (at >= 0) rounds.splice(at, 1);
    },
  };
}

/**
 * A record's rounds; a record written before rounds were kept (a run folder of an older
 * version, resumed) is read as one round made of its own fields.
 */
export function roundsOf(record: RoundSource): WindowRound[] {
  if (record.rounds?.length) return record.rounds;
  const started = Date.parse(record.startedAt);
  const startedUp = record.timings.totalStartMs > 0 ? started + record.timings.totalStartMs : undefined;
  const verified = record.verification.length > 0 && record.verification.every((v) => v.ok);
  const times =
    startedUp !== undefined
      ? { verifyingAt: new Date(startedUp - record.timings.verifyMs).toISOString(), endedAt: new Date(startedUp).toISOString() }
      : record.state === 'failed' && record.endedAt
        ? { endedAt: record.endedAt }
        : {};
  const { slotWaitMs, cloneMs, launchWaitMs, launchMs, verifyMs } = record.timings;
  return [
    {
      trigger: 'start',
      startedAt: record.startedAt,
      ...times,
      result: record.state === 'failed' ? 'failed' : startedUp !== undefined && verified ? 'verified' : 'starting',
      verification: record.verification,
      attempts: record.attempts,
      remediation: record.remediation,
      timings: { slotWaitMs, cloneMs, launchWaitMs, launchMs, verifyMs },
      ...(record.error ? { error: record.error } : {}),
    },
  ];
}
