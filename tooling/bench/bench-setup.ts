import fs from 'node:fs';
import path from 'node:path';
import { ensureBrowser } from '../../commands/demo/ensure-browser.js';
import { openSignInWindow } from '../../commands/login/sign-in-window.js';
import { OperatorError } from '../../support/shared/operator-error.js';
import { pinnedBrowser } from '../../support/profile/browser-launch.js';
import { loadSettings } from '../../support/settings.js';
import { startSimulator, writeInputCsv, type Catalogue, type RunningSimulator } from '../simulator/index.js';
import { signInOnSimulatorForm } from '../simulator/simulator-sign-in.js';

/**
 * What every benchmark run shares: the simulator serving the batch, the input file, the
 * job's settings in a file of their own (so an operator's .env cannot skew a run) and a
 * base profile signed in to the simulator as an operator signs in once.
 */
export interface BenchSetup {
  sim: RunningSimulator;
  /** The job's settings; the peer gets the same. */
  env: Record<string, string>;
  inputFile: string;
  userDataDir: string;
  browserDescription: string;
  credentials: { username: string; password: string };
  close(): Promise<void>;
}

export const PROFILE_NAME = 'Default';

export async function prepareBench(options: {
  workDir: string;
  catalogue: Catalogue;
  /** Server time before answering every request (pages, downloads, redirects, HEAD, identity provider). */
  latencyMs: number;
  downloadBytesPerSecond: number;
  headless: boolean;
  /** Settings added to the job's defaults (diagnosis only). */
  extraEnv?: Record<string, string>;
  say: (message: string) => void;
}): Promise<BenchSetup> {
  const { workDir, catalogue, say } = options;
  const userDataDir = path.join(workDir, 'profile', 'User Data');
  fs.mkdirSync(workDir, { recursive: true });
  const sim = await startSimulator({
    catalogue,
    requestLatencyMs: options.latencyMs,
    downloadBytesPerSecond: options.downloadBytesPerSecond,
  });
  try {
    const inputFile = path.join(workDir, 'input.csv');
    await writeInputCsv(catalogue.pos, inputFile);
    const envFile = path.join(workDir, 'bench.env');
    const env: Record<string, string> = {
      ENV_FILE: envFile,
      COUPA_BASE_URL: sim.coupaUrl,
      EDGE_PROFILE_DIR: userDataDir,
      EDGE_PROFILE_NAME: PROFILE_NAME,
      INPUT_CSV: inputFile,
      HEADLESS: String(options.headless),
      COOKIE_BACKUP_DIR: path.join(workDir, 'cookie-backups'),
      ...options.extraEnv,
    };
    const browser = ensureBrowser(loadSettings({ env: { ...process.env, ...env, DOWNLOAD_DIR: workDir }, skipEnvFile: true }), say);
    // The bench makes its own profile with the browser it found, so that browser is the right one for the job too.
    Object.assign(env, pinnedBrowser(browser));
    fs.writeFileSync(envFile, Object.entries(env).filter(([k]) => k !== 'ENV_FILE').map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
    const settings = loadSettings({ env: { ...process.env, ...env, DOWNLOAD_DIR: workDir } });
    const credentials = sim.options().credentials;
    fs.rmSync(path.dirname(userDataDir), { recursive: true, force: true });
    const signIn = await openSignInWindow({
      settings,
      headless: settings.headless,
      timeoutMs: 60_000,
      log: say,
      signIn: (page) => signInOnSimulatorForm(page, credentials),
    });
    if (!signIn.signedIn) throw new OperatorError('The bench profile could not be signed in to the simulator.', 'Run `npm run bench` again; report the output if it repeats.');
    say(`simulator at ${sim.coupaUrl}: ${catalogue.pos.length} POs, ${options.latencyMs} ms before every answer`);
    return { sim, env, inputFile, userDataDir, browserDescription: browser.description, credentials, close: () => sim.close() };
  } catch (error) {
    await sim.close();
    throw error;
  }
}
