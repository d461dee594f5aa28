import fs from 'node:fs';
import path from 'node:path';
import { cloneSnapshot, verifyCloneAgainstManifest } from '../profile/profile-cloner.js';
import { describeHolder, waitForProfileFree } from '../profile/profile-in-use.js';
import type { BaseProfile } from '../profile/profile-locator.js';
import { diffArtifacts, manifestChecksumsOf } from '../profile/profile-manifest.js';
import type { SnapshotManifest } from '../profile/profile-snapshot.js';
import { createOwnedDir, removeDir } from '../profile/private-temp.js';
import { acquireSlot } from '../shared/process-slots.js';
import type { WindowFaultHooks } from './fault-injection.js';
import { checksumResult, type MethodResult } from './profile-verifier.js';
import type { WindowLog } from './window-identity.js';
import type { ProfileKind, RunMarker, WindowRecord } from './window-record.js';

/** Where a window's clones go and how many clone copies the run allows at once. */
export interface ClonePlace {
  /** The run's private folder for clones; each clone gets an owned folder inside it. */
  dir: string;
  /** Shared by every worker of the run: the cross-process clone throttle (PROFILE-16). */
  slotsDir: string;
  slotLimit: number;
}

export interface PreparationOptions {
  kind: ProfileKind;
  letter: string;
  workerIndex: number;
  base: BaseProfile;
  snapshot: SnapshotManifest;
  clones: ClonePlace;
  profileInUseWaitMs: number;
  /** VM-003 is among the verification methods. */
  checksum: boolean;
  /** Set once window A's browser has opened the base profile in this run. */
  baseOpened: RunMarker;
  record: WindowRecord;
  save: () => void;
  log: WindowLog;
  faults?: WindowFaultHooks;
}

/**
 * The profile a window is about to open: window A waits for the base profile to be free and
 * checks it is the one the snapshot was taken of; every other window gets a fresh clone of
 * the run's snapshot, checked byte for byte against the snapshot's manifest (VM-003).
 */
export class ProfilePreparation {
  private cloneOwnerDir: string | undefined;
  private udd: string;

  constructor(private readonly options: PreparationOptions) {
    this.udd = options.kind === 'base' ? options.base.userDataDir : '';
  }

  get userDataDir(): string {
    return this.udd;
  }

  /**
   * Makes the profile ready to open and returns its VM-003 result (none when checksum is
   * not a verification method). A clone copy that fails throws its CloneError.
   */
  async prepare(): Promise<MethodResult | undefined> {
    if (this.options.kind === 'base') return this.prepareBase();
    await this.makeClone();
    return this.options.checksum ? this.checkClone() : undefined;
  }

  /** Removes the window's clone (PROFILE-05); the base profile is never removed. */
  async discard(): Promise<void> {
    if (!this.cloneOwnerDir) return;
    await removeDir(this.cloneOwnerDir);
    this.cloneOwnerDir = undefined;
  }

  private async prepareBase(): Promise<MethodResult | undefined> {
    const { base, profileInUseWaitMs, log } = this.options;
    await waitForProfileFree(base.userDataDir, {
      timeoutMs: profileInUseWaitMs,
      onWait: (holder, waitedMs) => log(`base profile is in use by ${describeHolder(holder)}; waiting (${Math.round(waitedMs / 1000)} s)`),
    });
    return this.options.checksum ? this.checkBase() : undefined;
  }

  /**
   * What VM-003 can prove on the base profile: that the profile about to be opened is the
   * one the clones were made from (`Local State` is left out: the snapshot's copy has
   * `profile.last_used` set on purpose). Once window A's own browser has run on it in this
   * run, it has written to it: a reopening (restart after a crash, after parking) has
   * nothing to compare.
   */
  private async checkBase(): Promise<MethodResult> {
    const { base, snapshot, baseOpened } = this.options;
    if (baseOpened.isSet()) {
      return { method: 'checksum', ok: true, detail: 'window A reopens the base profile its own browser used earlier in this run; the snapshot comparison applies to its first opening', durationMs: 0 };
    }
    const started = Date.now();
    const expected = snapshot.artifacts.filter((a) => a.role !== 'local-state');
    return checksumResult(diffArtifacts(expected, await manifestChecksumsOf(base.userDataDir, base.profileName)), Date.now() - started);
  }

  private async makeClone(): Promise<void> {
    const { letter, workerIndex, base, snapshot, clones, record, log, faults } = this.options;
    await this.discard();
    fs.mkdirSync(clones.dir, { recursive: true, mode: 0o700 });
    this.cloneOwnerDir = await createOwnedDir(clones.dir, `${letter}-w${workerIndex}-${Date.now().toString(36)}`);
    this.udd = path.join(this.cloneOwnerDir, 'User Data');
    record.userDataDir = this.udd;
    record.profileDir = path.join(this.udd, base.profileName);

    const waitStarted = Date.now();
    let lastNotice = -Infinity;
    const release = await acquireSlot(clones.slotsDir, {
      limit: clones.slotLimit,
      onWait: ({ waitedMs, busySlots }) => {
        // Clone back-pressure is shown at once and then every few seconds (PROFILE-NFR-06), not at every poll.
        if (waitedMs - lastNotice < 3_000) return;
        lastNotice = waitedMs;
        log(`waiting for a clone slot: ${busySlots} of ${clones.slotLimit} clone copies in progress (${(waitedMs / 1000).toFixed(1)} s)`);
      },
    });
    record.timings.slotWaitMs += Date.now() - waitStarted;
    const cloneStarted = Date.now();
    try {
      const onFileCopied = faults?.onCloneCopy();
      const result = await cloneSnapshot(snapshot.snapshotUdd, this.udd, onFileCopied ? { onFileCopied } : {});
      record.timings.cloneMs = result.durationMs;
      record.clone = { method: result.method, bytes: result.bytes, files: result.files, slotLimit: clones.slotLimit };
      log(`cloned the profile snapshot (${result.files} files, ${(result.bytes / 1e6).toFixed(1)} MB, ${result.method}) in ${result.durationMs} ms`);
    } finally {
      record.cloneSpans.push({ start: cloneStarted, end: Date.now() });
      await release();
    }
    faults?.afterClone(record.profileDir);
    this.options.save();
  }

  private async checkClone(): Promise<MethodResult> {
    const started = Date.now();
    const verification = await verifyCloneAgainstManifest(this.udd, this.options.base.profileName, this.options.snapshot);
    return checksumResult(verification.mismatches, Date.now() - started);
  }
}
