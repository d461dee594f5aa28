import fs from 'node:fs';
import { OperatorError } from '../shared/operator-error.js';
import { resolveBaseProfile, type BaseProfile } from '../profile/profile-locator.js';
import { readSnapshotManifest, type SnapshotManifest } from '../profile/profile-snapshot.js';
import type { Settings } from '../settings.js';
import { publishedRunLocation, type RunLocation } from './run-location.js';

/** What the global setup prepared, as every worker finds it (through the environment it inherits). */
export interface WorkerRunContext {
  location: RunLocation;
  sessionDir: string;
  snapshot: SnapshotManifest;
  base: BaseProfile;
}

export const SESSION_DIR_ENV = 'COUPA_SESSION_DIR';
export const SNAPSHOT_MANIFEST_ENV = 'COUPA_SNAPSHOT_MANIFEST';

export function publishRunContext(sessionDir: string, manifestPath: string, env: NodeJS.ProcessEnv = process.env): void {
  env[SESSION_DIR_ENV] = sessionDir;
  env[SNAPSHOT_MANIFEST_ENV] = manifestPath;
}

export async function loadWorkerRunContext(settings: Settings, env: NodeJS.ProcessEnv = process.env): Promise<WorkerRunContext> {
  const location = publishedRunLocation(env);
  const sessionDir = env[SESSION_DIR_ENV];
  const manifestPath = env[SNAPSHOT_MANIFEST_ENV];
  if (!location || !sessionDir || !manifestPath || !fs.existsSync(sessionDir)) {
    throw new OperatorError(
      'This worker found no prepared run (run folder, profile snapshot): the job\'s global setup did not run.',
      'Start the job with `npx playwright test` from the project folder (it uses playwright.config.ts).',
    );
  }
  return {
    location,
    sessionDir,
    snapshot: await readSnapshotManifest(manifestPath),
    base: resolveBaseProfile({ userDataDir: settings.edgeProfileDir, profileName: settings.edgeProfileName }),
  };
}
