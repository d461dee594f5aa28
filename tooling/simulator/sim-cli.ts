import { parseArgs } from 'node:util';
import { OperatorError } from '../../support/shared/operator-error.js';
import { generateBatch } from './batch-generator.js';
import { fixtureCatalogue } from './fixture-catalogue.js';
import { writeInputCsv } from './input-csv.js';
import { startSimulator } from './simulator.js';

/**
 * `npm run sim`: the Coupa + SSO simulator on its own, for an operator trying the tool
 * or a test driving it from another process (/__sim/* endpoints).
 */
class SimCliError extends OperatorError {}

const USAGE = `Usage: npm run sim -- [--coupa-port N] [--idp-port N] [--latency MS] [--batch COUNT [--seed N]]
                      [--write-input FILE] [--session-max-requests N] [--coupa-login-form]
                      [--storage-host [--storage-port N]]`;

function nonNegativeInt(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) throw new SimCliError(`--${flag} must be a non-negative integer, got "${value}"`, USAGE);
  return number;
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        'coupa-port': { type: 'string' },
        'idp-port': { type: 'string' },
        latency: { type: 'string' },
        batch: { type: 'string' },
        seed: { type: 'string' },
        'write-input': { type: 'string' },
        'session-max-requests': { type: 'string' },
        'coupa-login-form': { type: 'boolean' },
        'storage-host': { type: 'boolean' },
        'storage-port': { type: 'string' },
        help: { type: 'boolean' },
      },
    }));
  } catch (error) {
    throw new SimCliError((error as Error).message, USAGE);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const batch = nonNegativeInt('batch', values.batch);
  const seed = nonNegativeInt('seed', values.seed);
  const catalogue = batch ? generateBatch({ count: batch, ...(seed !== undefined && { seed }) }) : fixtureCatalogue();
  const sim = await startSimulator({
    catalogue,
    coupaPort: nonNegativeInt('coupa-port', values['coupa-port']) ?? 0,
    idpPort: nonNegativeInt('idp-port', values['idp-port']) ?? 0,
    pageLatencyMs: nonNegativeInt('latency', values.latency) ?? 0,
    sessionMaxRequests: nonNegativeInt('session-max-requests', values['session-max-requests']) ?? 0,
    coupaLoginForm: values['coupa-login-form'] ?? false,
    storageHost: values['storage-host'] ?? false,
    storagePort: nonNegativeInt('storage-port', values['storage-port']) ?? 0,
  });
  if (values['write-input']) await writeInputCsv(catalogue.pos, values['write-input']);

  const { username, password } = sim.options().credentials;
  process.stdout.write(
    [
      `Coupa simulator:       ${sim.coupaUrl}   (${catalogue.pos.length} POs, ${batch ? `synthetic batch` : 'fixture catalogue'})`,
      `Identity provider:     ${sim.idpUrl}`,
      ...(sim.storageUrl ? [`Storage host:          ${sim.storageUrl}   (every download redirects here with a signed URL)`] : []),
      `Sign in with:          ${username} / ${password}`,
      `Point the job at it:   COUPA_BASE_URL=${sim.coupaUrl}  (in .env or the environment)`,
      `Stats:                 curl ${sim.coupaUrl}/__sim/stats`,
      ...(values['write-input'] ? [`Input CSV written to:  ${values['write-input']}`] : []),
      'Press Ctrl+C to stop.',
      '',
    ].join('\n'),
  );

  const stop = (signal: NodeJS.Signals) => {
    process.stdout.write(`\n${signal}: stopping the simulator.\n`);
    void sim.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  if (error instanceof OperatorError) {
    process.stderr.write(`\n${error.name}: ${error.describe()}\n\n`);
    process.exit(2);
  }
  throw error;
});
