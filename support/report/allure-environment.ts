import path from 'node:path';
import type { BrowserChannel, Settings } from '../settings.js';
import type { WindowRecord } from '../window/window-record.js';
import { compareWindowLetters } from '../window/window-identity.js';

/**
 * The Environment panel of the Allure report: which browser build ran the windows, how
 * many, on which profile policy, against which tenant and input. The tenant appears as
 * its host only, so no path or query of a Coupa URL ever reaches a report.
 */
export interface AllureEnvironmentInput {
  settings: Pick<Settings, 'coupaBaseUrl' | 'browserChannel' | 'browserExecutable' | 'profilePolicy' | 'inputCsv'>;
  /** Windows the run was started with (the runner's worker count, `--workers` included). */
  workers: number;
  /** Every window instance of the run; `browserVersion` is read when the window recorded it. */
  windows: (Pick<WindowRecord, 'window' | 'kind' | 'state' | 'verification' | 'browser'> & { browserVersion?: string })[];
  plannedPos: number;
}

const CHANNEL_NAMES: Record<BrowserChannel, string> = {
  msedge: 'Microsoft Edge',
  chrome: 'Google Chrome',
  chromium: 'Chromium',
};

const distinct = (values: string[]) => [...new Set(values.filter(Boolean))];

/** Per window letter, its last instance decides (a restarted window counts once). */
function windowsVerified(windows: AllureEnvironmentInput['windows']): string {
  const last = new Map<string, AllureEnvironmentInput['windows'][number]>();
  for (const record of windows) last.set(record.window, record);
  if (last.size === 0) return 'no window started';
  const entries = [...last.values()].sort((a, b) => compareWindowLetters(a.window, b.window));
  const verified = entries.filter((r) => r.state !== 'failed' && r.verification.length > 0 && r.verification.every((v) => v.ok));
  return `${verified.length} of ${entries.length} (${entries.map((r) => `${r.window} ${r.kind}${verified.includes(r) ? '' : ' NOT verified'}`).join(', ')})`;
}

/**
 * The browser is named by the windows' own description of what they started (it says when
 * the configured channel was missing and another build ran instead); the configured name
 * stands in only when no window started.
 */
export function buildAllureEnvironment(input: AllureEnvironmentInput): [string, string][] {
  const { settings } = input;
  const configured = settings.browserExecutable
    ? `BROWSER_EXECUTABLE=${settings.browserExecutable}`
    : `BROWSER_CHANNEL=${settings.browserChannel}`;
  return [
    ['Browser', distinct(input.windows.map((w) => w.browser)).join('; ') || `${settings.browserExecutable ?? CHANNEL_NAMES[settings.browserChannel]} (no window started)`],
    ['Browser.version', distinct(input.windows.map((w) => w.browserVersion ?? '')).join(', ') || 'unknown'],
    ['Browser.setting', configured],
    ['Workers', String(input.workers)],
    ['Windows.verified', windowsVerified(input.windows)],
    ['Profile.policy', settings.profilePolicy],
    ['Coupa.host', settings.coupaBaseUrl.host],
    ['Input.file', path.basename(settings.inputCsv)],
    ['POs.planned', String(input.plannedPos)],
  ];
}

/** Java properties escaping (Allure 2 reads the file as ISO-8859-1, so anything else is `\uXXXX`). */
function escapeProperty(text: string, isKey: boolean): string {
  let out = '';
  for (const [i, char] of [...text].entries()) {
    const code = char.codePointAt(0)!;
    if (char === '\\') out += '\\\\';
    else if (char === '\n') out += '\\n';
    else if (char === '\r') out += '\\r';
    else if (char === '\t') out += '\\t';
    else if ((isKey && ' =:#!'.includes(char)) || (!isKey && i === 0 && (char === ' ' || char === '#' || char === '!'))) out += `\\${char}`;
    else if (code < 0x20 || code > 0x7e) {
      out += char
        .split('')
        .map((unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`)
        .join('');
    } else out += char;
  }
  return out;
}

export function formatProperties(entries: [string, string][]): string {
  return entries.map(([key, value]) => `${escapeProperty(key, true)}=${escapeProperty(value, false)}`).join('\n') + '\n';
}
