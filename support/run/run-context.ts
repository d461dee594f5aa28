import { resolveBaseProfile, type BaseProfile } from '../profile/profile-locator.js';
import { readSnapshotManifest, type SnapshotManifest } from '../profile/profile-snapshot.js';
import { RunState } from '../run-state/run-state.js';
import type { Settings } from '../settings.js';

/** What the global setup prepared, as every worker finds it. */
export interface WorkerRunContext {
  state: RunState;
  snapshot: SnapshotManifest;
  base: BaseProfile;
}

export function loadWorkerRunContext(settings: Settings): WorkerRunContext {
  const state = RunState.prepared();
  return {
    state,
    snapshot: readSnapshotManifest(state.session.snapshotManifest),
    base: resolveBaseProfile({ userDataDir: settings.edgeProfileDir, profileName: settings.edgeProfileName }),
  };
}
