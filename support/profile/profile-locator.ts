import fs from 'node:fs';
import path from 'node:path';
import { OperatorError } from '../shared/operator-error.js';
import { defaultEdgeUserDataDir } from '../settings.js';

/**
 * Finds the operator's base profile on disk and refuses, with the exact setting to fix,
 * every configuration that would make Chromium silently start an empty profile instead
 * (PROFILES.md "Layout"): a profile folder given as user data dir, a misspelt profile
 * name, a profile that never signed in.
 */

export interface BaseProfile {
  /** The user data dir (UDD): holds `Local State` and one folder per profile. */
  userDataDir: string;
  /** Folder name of the profile inside the UDD, e.g. `Default` or `Profile 1`. */
  profileName: string;
  profileDir: string;
  localStatePath: string;
  /** `<profile>/Network/Cookies` on current Edge/Chrome, `<profile>/Cookies` on older and Debian builds. */
  cookieStorePath: string;
}

export type ProfileSetting = 'EDGE_PROFILE_DIR' | 'EDGE_PROFILE_NAME';

export class ProfileConfigError extends OperatorError {
  constructor(message: string, advice: string, readonly setting: ProfileSetting, readonly path: string) {
    super(message, advice);
  }
}

/** Relative to the profile folder, preferred first. */
export const COOKIE_STORE_CANDIDATES = ['Network/Cookies', 'Cookies'] as const;

export interface KnownProfile {
  folder: string;
  /** The name the browser shows for it (Local State `profile.info_cache.<folder>.name`). */
  displayName?: string;
}

/** What `resolveBaseProfile` finds on disk; judged by the pure `judgeProfileLocation`. */
export interface ProfileLocationFacts {
  udd: 'missing' | 'file' | 'directory';
  hasLocalState: boolean;
  /** Set when `Local State` exists but is not a JSON object. */
  localStateProblem?: string;
  /** The UDD itself has `Preferences` and its parent has `Local State`: it is a profile folder. */
  isProfileFolder: boolean;
  profileDir: 'missing' | 'file' | 'directory';
  /** One of COOKIE_STORE_CANDIDATES, when present. */
  cookieStore?: (typeof COOKIE_STORE_CANDIDATES)[number];
  knownProfiles: KnownProfile[];
}

export interface ProfileRequest {
  userDataDir: string;
  profileName: string;
}

const UDD_ADVICE = `Set EDGE_PROFILE_DIR to the browser's user data folder, the one that contains "Local State" `
  + `(for Edge: ${defaultEdgeUserDataDir()}). edge://version shows it as the parent folder of "Profile path".`;

export function judgeProfileLocation(request: ProfileRequest, facts: ProfileLocationFacts): BaseProfile {
  const udd = path.resolve(request.userDataDir);
  const name = request.profileName;
  if (facts.udd === 'missing') {
    throw new ProfileConfigError(`EDGE_PROFILE_DIR="${udd}": no such folder.`, UDD_ADVICE, 'EDGE_PROFILE_DIR', udd);
  }
  if (facts.udd === 'file') {
    throw new ProfileConfigError(`EDGE_PROFILE_DIR="${udd}" is a file, not a folder.`, UDD_ADVICE, 'EDGE_PROFILE_DIR', udd);
  }
  if (!facts.hasLocalState) {
    if (facts.isProfileFolder) {
      throw new ProfileConfigError(
        `EDGE_PROFILE_DIR="${udd}" is a profile folder, not the user data folder that contains it `
          + '(the browser would silently create a new, empty profile inside it).',
        `Set EDGE_PROFILE_DIR=${path.dirname(udd)} and EDGE_PROFILE_NAME=${path.basename(udd)}.`,
        'EDGE_PROFILE_DIR',
        udd,
      );
    }
    throw new ProfileConfigError(
      `EDGE_PROFILE_DIR="${udd}" has no "Local State" file: it is not a browser user data folder, or no browser has run with it yet.`,
      `${UDD_ADVICE} To create a dedicated profile there instead, run npm run login.`,
      'EDGE_PROFILE_DIR',
      udd,
    );
  }
  const localStatePath = path.join(udd, 'Local State');
  if (facts.localStateProblem) {
    throw new ProfileConfigError(
      `"${localStatePath}" cannot be read as browser settings: ${facts.localStateProblem}.`,
      'Start and close the browser once with this profile so that it rewrites "Local State", then run again.',
      'EDGE_PROFILE_DIR',
      localStatePath,
    );
  }
  const profileDir = path.join(udd, name);
  if (facts.profileDir !== 'directory') {
    const listed = facts.knownProfiles.length
      ? facts.knownProfiles.map((p) => (p.displayName ? `${p.folder} ("${p.displayName}")` : p.folder)).join(', ')
      : 'none';
    throw new ProfileConfigError(
      `EDGE_PROFILE_NAME="${name}": there is no profile folder "${profileDir}". Profiles in ${udd}: ${listed}.`,
      'Set EDGE_PROFILE_NAME to one of those folder names (edge://version shows it at the end of "Profile path"), '
        + 'or run npm run login to create and sign in to this profile.',
      'EDGE_PROFILE_NAME',
      profileDir,
    );
  }
  if (!facts.cookieStore) {
    throw new ProfileConfigError(
      `Profile "${profileDir}" has no cookie store (${COOKIE_STORE_CANDIDATES.join(' or ')}): it has never been used to sign in.`,
      'Run npm run login to sign in to Coupa once with this profile, then start the job again.',
      'EDGE_PROFILE_NAME',
      profileDir,
    );
  }
  return {
    userDataDir: udd,
    profileName: name,
    profileDir,
    localStatePath,
    cookieStorePath: path.join(profileDir, ...facts.cookieStore.split('/')),
  };
}

/** Profiles that exist as folders, named as the browser shows them. */
export function knownProfilesFrom(folders: { name: string; hasPreferences: boolean }[], localState: unknown): KnownProfile[] {
  const infoCache = (localState as { profile?: { info_cache?: Record<string, { name?: unknown }> } } | undefined)?.profile?.info_cache ?? {};
  return folders
    .filter((f) => f.hasPreferences || Object.hasOwn(infoCache, f.name))
    .map((f) => {
      const displayName = infoCache[f.name]?.name;
      return typeof displayName === 'string' ? { folder: f.name, displayName } : { folder: f.name };
    })
    .sort((a, b) => a.folder.localeCompare(b.folder));
}

function kindOf(p: string): 'missing' | 'file' | 'directory' {
  try {
    return fs.statSync(p).isDirectory() ? 'directory' : 'file';
  } catch {
    return 'missing';
  }
}

/** Chromium's cookie store inside a profile folder, whichever layout this build uses. */
export function cookieStoreIn(profileDir: string): (typeof COOKIE_STORE_CANDIDATES)[number] | undefined {
  return COOKIE_STORE_CANDIDATES.find((rel) => kindOf(path.join(profileDir, ...rel.split('/'))) === 'file');
}

function readLocalState(file: string): { value?: unknown; problem?: string } {
  try {
    const value: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return { problem: 'it is not a JSON object' };
    return { value };
  } catch (error) {
    return { problem: (error as Error).message };
  }
}

export function probeProfileLocation(request: ProfileRequest): ProfileLocationFacts {
  const udd = path.resolve(request.userDataDir);
  const uddKind = kindOf(udd);
  const localStateFile = path.join(udd, 'Local State');
  const hasLocalState = uddKind === 'directory' && kindOf(localStateFile) === 'file';
  const localState = hasLocalState ? readLocalState(localStateFile) : {};
  const isProfileFolder = uddKind === 'directory'
    && kindOf(path.join(udd, 'Preferences')) === 'file'
    && kindOf(path.join(path.dirname(udd), 'Local State')) === 'file';
  const profileDir = path.join(udd, request.profileName);
  const profileKind = uddKind === 'directory' ? kindOf(profileDir) : 'missing';
  const folders = uddKind === 'directory'
    ? fs.readdirSync(udd, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => ({ name: e.name, hasPreferences: kindOf(path.join(udd, e.name, 'Preferences')) === 'file' }))
    : [];
  const cookieStore = profileKind === 'directory' ? cookieStoreIn(profileDir) : undefined;
  return {
    udd: uddKind,
    hasLocalState,
    ...(localState.problem ? { localStateProblem: localState.problem } : {}),
    isProfileFolder,
    profileDir: profileKind,
    ...(cookieStore ? { cookieStore } : {}),
    knownProfiles: knownProfilesFrom(folders, localState.value),
  };
}

export function resolveBaseProfile(request: ProfileRequest): BaseProfile {
  return judgeProfileLocation(request, probeProfileLocation(request));
}
