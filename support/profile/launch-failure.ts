import { OperatorError } from '../shared/operator-error.js';

/** Why a browser did not start, recognised from Playwright's error (which includes the browser's own output), with what to do. */
export type LaunchFailureKind = 'profile-in-use' | 'default-profile-refused' | 'executable-missing' | 'unknown';

export interface LaunchContext {
  userDataDir?: string;
  /** Window letter or name, for the operator. */
  window?: string;
}

/** A refused browser launch, classified, with what the operator should do. Throw it as is. */
export class LaunchFailure extends OperatorError {
  readonly userDataDir?: string;
  readonly window?: string;
  constructor(readonly kind: LaunchFailureKind, readonly summary: string, advice: string, context: LaunchContext = {}, options?: { cause?: unknown }) {
    super(
      `${context.window ? `Window ${context.window}: ` : ''}the browser could not start${context.userDataDir ? ` on "${context.userDataDir}"` : ''}: ${summary}.`,
      advice,
      options,
    );
    if (context.userDataDir) this.userDataDir = context.userDataDir;
    if (context.window) this.window = context.window;
  }
}

export const DEFAULT_PROFILE_ADVICE = 'Use a dedicated profile folder: set EDGE_PROFILE_DIR to a new folder and run npm run login once to sign in there, '
  + 'or point it at a copy of your everyday profile.';

const LAUNCH_PATTERNS: { kind: Exclude<LaunchFailureKind, 'unknown'>; pattern: RegExp; summary: string; advice: string }[] = [
  {
    kind: 'profile-in-use',
    pattern: /ProcessSingleton|Opening in existing browser session|profile (?:directory )?is already in use|SingletonLock: File exists/i,
    summary: 'the profile is already open in another browser process',
    advice: 'Close Edge completely (every window, and the background process kept by Startup Boost or '
      + '"Continue running background extensions and apps"), then start again.',
  },
  {
    kind: 'default-profile-refused',
    pattern: /DevTools remote debugging requires a non-default data directory/i,
    summary: 'the browser refuses automation of its default user data folder (Chrome 136 and later)',
    advice: DEFAULT_PROFILE_ADVICE,
  },
  {
    kind: 'executable-missing',
    pattern: /Executable doesn't exist|Chromium distribution '[^']+' is not found|spawn \S+ ENOENT|Failed to launch[^\n]*ENOENT/i,
    summary: 'the browser program was not found',
    advice: 'Install the browser of BROWSER_CHANNEL, or set BROWSER_EXECUTABLE to the browser that created the profile.',
  },
];

/** Recognises why Playwright could not start the browser (its message includes the browser's own output). */
export function classifyLaunchError(error: unknown, context: LaunchContext = {}): LaunchFailure {
  if (error instanceof LaunchFailure) return error;
  const text = error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error);
  const match = LAUNCH_PATTERNS.find((p) => p.pattern.test(text));
  if (match) return new LaunchFailure(match.kind, match.summary, match.advice, context, { cause: error });
  const firstLine = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? 'unknown error';
  return new LaunchFailure(
    'unknown',
    firstLine,
    'Run again with DEBUG=pw:browser to see the browser\'s own output.',
    context,
    { cause: error },
  );
}
