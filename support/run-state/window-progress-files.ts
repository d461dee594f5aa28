import path from 'node:path';
import { z } from 'zod';
import type { ProgressEvent } from '../progress/progress-state.js';
import { jsonText, writeFileAtomicSync } from '../shared/atomic-file.js';
import { readJsonFolder } from '../shared/json-record.js';

/**
 * How a worker tells the runner what its window is doing (state, current PO, file), for the
 * live progress display: each window keeps one small file in the run's state folder, replaced
 * atomically, and the runner reads them all a few times a second. A file per window means no
 * locking and no ordering between windows.
 */
export type WindowProgressEvent = Extract<ProgressEvent, { type: 'window' }>;

const windowProgressSchema: z.ZodType<WindowProgressEvent> = z.object({
  type: z.literal('window'),
  at: z.number(),
  window: z.string(),
  state: z.enum(['starting', 'idle', 'working', 'parked', 'failed', 'closed']),
  poNumber: z.string().optional(),
  file: z
    .object({ name: z.string(), index: z.number(), count: z.number(), bytes: z.number().optional(), totalBytes: z.number().optional() })
    .optional(),
});

export class WindowProgressFiles {
  constructor(private readonly dir: string) {}

  /** Best effort: a display that cannot be updated must never fail a PO. */
  write(event: WindowProgressEvent): void {
    try {
      writeFileAtomicSync(path.join(this.dir, `${event.window}.json`), jsonText(event));
    } catch {
      // The next update tries again.
    }
  }

  /** Every window's latest state; files that are missing or foreign are skipped. */
  readAll(): WindowProgressEvent[] {
    return readJsonFolder(this.dir, windowProgressSchema);
  }
}
