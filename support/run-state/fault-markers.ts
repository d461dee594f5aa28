import fs from 'node:fs';
import path from 'node:path';
import fse from 'fs-extra';
import type { FaultKind } from './run-handle.js';

/**
 * Remembers, in the run's private folder, which "once" test faults have hit, so a worker
 * Playwright restarts does not get the same fault again.
 */
export function firstFaultHit(markersDir: string): (kind: FaultKind, window: string) => boolean {
  return (kind, window) => {
    fse.ensureDirSync(markersDir);
    try {
      fs.writeFileSync(path.join(markersDir, `${kind}-${window}`), '', { flag: 'wx' });
      return true;
    } catch {
      return false;
    }
  };
}
