import pRetry from 'p-retry';

/**
 * Retries file-system operations that fail for reasons that go away by themselves: a virus
 * scanner or the search indexer holding a file for a moment on Windows, or too many open
 * files while several workers copy profiles at once.
 */

const TRANSIENT_EVERYWHERE = new Set(['EBUSY', 'EMFILE', 'ENFILE', 'EAGAIN']);
/** On Windows EPERM/EACCES/ENOTEMPTY usually mean "someone else has it open right now"; elsewhere they are real. */
const TRANSIENT_ON_WINDOWS = new Set(['EPERM', 'EACCES', 'ENOTEMPTY']);

export function isTransientFsError(error: unknown, platform: NodeJS.Platform = process.platform): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code !== 'string') return false;
  return TRANSIENT_EVERYWHERE.has(code) || (platform === 'win32' && TRANSIENT_ON_WINDOWS.has(code));
}

export interface FsRetryOptions {
  /** Retries after the first try. Default 4. */
  retries?: number;
  /** Delay before the first retry; doubles each time. Default 100 ms. */
  minDelayMs?: number;
  platform?: NodeJS.Platform;
}

/** Runs `operation`, trying again after transient file-system errors; any other error is thrown at once. */
export function retryTransientFs<T>(operation: () => Promise<T>, options: FsRetryOptions = {}): Promise<T> {
  return pRetry(operation, {
    retries: options.retries ?? 4,
    minTimeout: options.minDelayMs ?? 100,
    factor: 2,
    shouldRetry: ({ error }) => isTransientFsError(error, options.platform),
  });
}
