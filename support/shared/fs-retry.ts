/**
 * Retries file-system operations that fail for reasons that go away by themselves
 * (NFR-002): a virus scanner or the search indexer holding a file for a moment on
 * Windows, or too many open files while several workers copy profiles at once.
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
  /** Total tries including the first. Default 5. */
  attempts?: number;
  /** Delay before the second try; doubles each time. Default 100 ms. */
  baseDelayMs?: number;
  platform?: NodeJS.Platform;
  onRetry?: (error: NodeJS.ErrnoException, attempt: number, delayMs: number) => void;
}

export async function withFsRetry<T>(operation: () => Promise<T>, options: FsRetryOptions = {}): Promise<T> {
  const attempts = Math.max(1, options.attempts ?? 5);
  const baseDelayMs = options.baseDelayMs ?? 100;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (attempt >= attempts || !isTransientFsError(error, options.platform)) throw error;
      const delayMs = baseDelayMs * 2 ** (attempt - 1);
      options.onRetry?.(error as NodeJS.ErrnoException, attempt, delayMs);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}
