import { buildJobPlan } from '../support/input/job-plan.js';
import { readInput } from '../support/input/read-input.js';
import { resolveBrowser } from '../support/profile/browser-launch.js';
import { describeHolder, detectProfileInUse } from '../support/profile/profile-in-use.js';
import { resolveBaseProfile, type BaseProfile } from '../support/profile/profile-locator.js';
import { baseProfileRunHolder } from '../support/run/base-profile-lock.js';
import { OperatorError } from '../support/shared/operator-error.js';
import { loadSettings, type Settings } from '../support/settings.js';
import { formatCheckReport, type CheckItem } from './check/check-report.js';
import { checkWindow } from './check/check-window.js';
import { reachTenant } from './check/tenant-reach.js';
import { answerHelp } from './command-help.js';

/**
 * `npm run check`: everything a run needs, checked before one is started, and what to fix.
 * Settings and input are validated as the job validates them; the base profile is found and
 * must be free; the tenant must answer; one headless window on a copy of the profile must
 * pass every proof (session, introspection, checksum). No PO is processed and the base
 * profile is only read. Exit code 0 when the job can run, 1 otherwise.
 */
answerHelp(
  process.argv.slice(2),
  `Usage: npm run check

Checks what a run needs without processing any PO: the settings, the input file, the
browser, that the base profile exists and no browser holds it, that the tenant answers,
and one headless window on a copy of the profile that must pass every proof (session,
introspection, checksum). Prints what to fix. Exit code 0 when the job can run, 1 otherwise.`,
);

const say = (message: string) => process.stdout.write(`[check] ${message}\n`);

const failed = (name: string, error: unknown): CheckItem => {
  if (!(error instanceof OperatorError)) throw error;
  return { name, state: 'failed', detail: error.message, ...(error.advice ? { fix: error.advice } : {}) };
};

async function inputItem(settings: Settings): Promise<CheckItem> {
  try {
    const plan = buildJobPlan(await readInput(settings.inputCsv));
    const detail = `${settings.inputCsv}: ${plan.pos.length} PO(s), ${plan.invalidRows.length} invalid row(s), ${plan.completedRows.length} already COMPLETED`;
    if (plan.pos.length === 0) return { name: 'Input', state: 'failed', detail: `${detail}: nothing to process`, fix: 'Point INPUT_CSV at the list of POs to download.' };
    return { name: 'Input', state: 'ok', detail };
  } catch (error) {
    return failed('Input', error);
  }
}

function profileItem(settings: Settings): { item: CheckItem; base?: BaseProfile } {
  let base: BaseProfile;
  try {
    base = resolveBaseProfile({ userDataDir: settings.edgeProfileDir, profileName: settings.edgeProfileName });
  } catch (error) {
    return { item: failed('Base profile', error) };
  }
  const browser = detectProfileInUse(base.userDataDir);
  if (browser) {
    return {
      item: { name: 'Base profile', state: 'failed', detail: `${base.profileDir} is in use by ${describeHolder(browser)}`, fix: 'Close Edge completely (also Startup Boost and background apps, edge://settings/system), then check again.' },
      base,
    };
  }
  const run = baseProfileRunHolder(base.userDataDir);
  if (run) {
    return {
      item: { name: 'Base profile', state: 'failed', detail: `${base.profileDir} is used by another run of this tool (process ${run.pid} on ${run.host})`, fix: 'Wait for that run to finish, or give this run its own signed-in profile (docs/how-it-works.md › Several runs at once).' },
      base,
    };
  }
  return { item: { name: 'Base profile', state: 'ok', detail: `${base.profileDir}, free (no browser and no other run has it open)` }, base };
}

async function main(): Promise<number> {
  process.stdout.write('Checking what the job needs (no PO is processed; the base profile is only read)\n\n');
  let settings: Settings;
  try {
    settings = loadSettings();
  } catch (error) {
    const report = formatCheckReport([failed('Settings', error)], '');
    process.stdout.write(report.text);
    return report.exitCode;
  }
  const items: CheckItem[] = [
    { name: 'Settings', state: 'ok', detail: `tenant ${settings.coupaBaseUrl.origin}, ${settings.workers} window(s), policy ${settings.profilePolicy}, downloads to ${settings.downloadDir}` },
    await inputItem(settings),
  ];
  let browserOk = true;
  try {
    items.push({ name: 'Browser', state: 'ok', detail: resolveBrowser(settings).description });
  } catch (error) {
    browserOk = false;
    items.push(failed('Browser', error));
  }
  const profile = profileItem(settings);
  items.push(profile.item);
  const tenant = await reachTenant(settings.coupaBaseUrl, settings.pageTimeoutMs);
  items.push({ name: 'Tenant', state: tenant.ok ? 'ok' : 'failed', detail: tenant.detail, ...(tenant.ok ? {} : { fix: 'Check COUPA_BASE_URL, the network (VPN, proxy) and that the tenant is up.' }) });

  if (!browserOk || !profile.base || profile.item.state !== 'ok' || !tenant.ok) {
    items.push({ name: 'Window', state: 'skipped', detail: 'not started: fix the problems above first' });
  } else {
    say('starting one headless window on a copy of the base profile');
    const window = await checkWindow(settings, profile.base, (message) => say(`window: ${message}`));
    const proofs = window.record.verification.map((v) => `${v.method} ${v.ok ? 'ok' : `FAILED (${v.detail})`}`).join(', ') || 'no proof ran';
    items.push(
      window.ok
        ? { name: 'Window', state: 'ok', detail: `a headless window on a copy of the profile passed every proof: ${proofs}` }
        : {
            name: 'Window',
            state: 'failed',
            detail: `a window on a copy of the profile did not pass: ${proofs}`,
            fix: window.error?.advice ?? 'Sign in again with npm run login (Edge closed), then check again.',
          },
    );
  }
  process.stdout.write('\n');
  const report = formatCheckReport(items, `npx playwright test --workers=${settings.workers}`);
  process.stdout.write(report.text);
  return report.exitCode;
}

process.exitCode = await main();
