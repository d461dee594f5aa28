import crypto from 'node:crypto';
import type { WindowRecord } from './window-record.js';
import { compareWindowLetters } from './window-identity.js';
import { roundsOf, type WindowRound } from './window-rounds.js';

/**
 * The windows in the Allure report: one entry per browser start (a window restarted after
 * a fault, or let back after the load governor parked it, has one entry per start, each
 * with its own verification), grouped per window and named so that they read A, B, C…
 * and start 1, 2, 3… Pure: the caller writes the files. Ids are derived from the window
 * and the start time, so writing the entries again (a resumed run) replaces them.
 */
type AllureStatus = 'passed' | 'failed' | 'broken';

export interface AllureWindowFile {
  /** File name in the results folder. */
  name: string;
  body: string;
}

const digest = (text: string) => crypto.createHash('md5').update(text).digest('hex');
const uuidOf = (text: string) => digest(text).replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');

function step(name: string, status: AllureStatus, start: number, durationMs: number) {
  return { name, status, stage: 'finished', start, stop: start + durationMs, steps: [], attachments: [], parameters: [], statusDetails: {} };
}

function roundSteps(record: WindowRecord, round: WindowRound, parking: WindowRecord['parkings'][number] | undefined) {
  const start = Date.parse(round.startedAt);
  const verifying = round.verifyingAt ? Date.parse(round.verifyingAt) : start;
  const parked = parking ? Date.parse(parking.from) : undefined;
  return [
    ...(record.kind === 'clone' && round.timings.cloneMs > 0
      ? [step(`Clone the profile snapshot (${record.clone?.method ?? 'n/a'}, ${round.timings.cloneMs} ms)`, 'passed', start + round.timings.slotWaitMs, round.timings.cloneMs)]
      : []),
    ...(round.timings.launchMs > 0 ? [step(`Launch the browser (${round.timings.launchMs} ms)`, 'passed', verifying - round.timings.launchMs, round.timings.launchMs)] : []),
    ...round.verification.map((v) => step(`Verify ${v.method}: ${v.detail}`, v.ok ? 'passed' : 'failed', verifying, v.durationMs)),
    ...round.remediation.map((r) => step(`Remediation ${r.step}: ${r.reason}`, r.ok ? 'passed' : 'failed', Date.parse(r.at), 0)),
    ...(parking && parked !== undefined
      ? [step(`Parked by the load governor (browser closed)${parking.until ? '' : ' until the end of the run'}`, 'passed', parked, parking.until ? Date.parse(parking.until) - parked : 0)]
      : []),
  ];
}

function statusOf(round: WindowRound): { status: AllureStatus; message?: string } {
  if (round.result === 'failed') return { status: 'failed', message: round.error ?? 'The window could not be verified.' };
  if (round.result === 'starting') return { status: 'broken', message: 'The window did not finish starting (its worker ended while it started).' };
  const failed = round.verification.filter((v) => !v.ok);
  return failed.length ? { status: 'broken', message: failed.map((v) => `${v.method}: ${v.detail}`).join('; ') } : { status: 'passed' };
}

const RESULT_TEXT: Record<WindowRound['result'], string> = { verified: 'verified', failed: 'NOT verified', starting: 'did not finish starting' };

function why(round: WindowRound, recordIndex: number): string {
  if (round.trigger === 'unpark') return 'back after the load governor parked it';
  return recordIndex === 0 ? 'first start' : 'restarted by Playwright after a window fault (new worker)';
}

/** Result files (`…-result.json`) and the window record attachments they point to. */
export function allureWindowFiles(records: WindowRecord[]): AllureWindowFile[] {
  const files: AllureWindowFile[] = [];
  const letters = [...new Set(records.map((r) => r.window))].sort(compareWindowLetters);
  for (const letter of letters) {
    const instances = records.filter((r) => r.window === letter).sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
    let number = 0;
    instances.forEach((record, recordIndex) => {
      const key = `window|${letter}|${record.workerIndex}|${record.pid}|${record.startedAt}`;
      const attachment = `${uuidOf(key)}-attachment.json`;
      files.push({ name: attachment, body: JSON.stringify(record, null, 2) });
      roundsOf(record).forEach((round, roundIndex) => {
        number++;
        const start = Date.parse(round.startedAt);
        const { status, message } = statusOf(round);
        const result = {
          uuid: uuidOf(`${key}|${round.startedAt}`),
          historyId: digest(`window-${letter}-start-${number}`),
          testCaseId: digest(`window-${letter}-start-${number}`),
          name: `Window ${letter}, start ${number}: ${record.kind} profile, ${RESULT_TEXT[round.result]}`,
          fullName: `windows/window-${letter}/start-${number}`,
          status,
          stage: 'finished',
          start,
          stop: round.endedAt ? Date.parse(round.endedAt) : start,
          description:
            `Why it started: ${why(round, recordIndex)}\nProfile path: ${record.profileDir}\nBrowser: ${record.browser}\n` +
            `Verification passes: ${round.attempts}, remediation steps: ${round.remediation.length}\n` +
            `POs of this worker's window (all its starts): done ${record.posDone}, failed ${record.posFailed}`,
          statusDetails: message ? { message } : {},
          labels: [
            { name: 'parentSuite', value: 'Profile verification' },
            { name: 'suite', value: 'Windows' },
            { name: 'subSuite', value: `Window ${letter}` },
            { name: 'thread', value: `window ${letter}` },
            { name: 'tag', value: `window ${letter}` },
            { name: 'tag', value: `${record.kind} profile` },
          ],
          parameters: [
            { name: 'window', value: letter },
            { name: 'start', value: String(number) },
            { name: 'profile kind', value: record.kind },
            { name: 'worker', value: String(record.workerIndex) },
          ],
          links: [],
          attachments: [{ name: 'window record', source: attachment, type: 'application/json' }],
          steps: roundSteps(record, round, record.parkings[roundIndex]),
        };
        files.push({ name: `${result.uuid}-result.json`, body: JSON.stringify(result) });
      });
    });
  }
  return files;
}
