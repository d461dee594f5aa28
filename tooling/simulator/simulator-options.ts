import { OperatorError } from '../../support/shared/operator-error.js';
import type { Catalogue } from './catalogue-model.js';

/** Behaviour that can change while the simulator runs (setOptions, POST /__sim/options). */
export interface RuntimeOptions {
  /** Delay before answering any request, Coupa's or the identity provider's (redirects and HEAD included): a server's round trip. */
  requestLatencyMs: number;
  /** Delay before every Coupa HTML page (on top of requestLatencyMs). */
  pageLatencyMs: number;
  /** Delay before a download's headers. */
  downloadLatencyMs: number;
  /** Rate limit per download; 0 = unlimited. */
  downloadBytesPerSecond: number;
  /** Authenticated requests a Coupa session serves before it expires; 0 = unlimited. */
  sessionMaxRequests: number;
  /** `/sessions/new` shows Coupa's own login form instead of redirecting to the IdP. */
  coupaLoginForm: boolean;
  /** The one user both the IdP and Coupa's login form accept. */
  credentials: { username: string; password: string };
}

export interface SimulatorOptions extends Partial<RuntimeOptions> {
  /** 0 (default) picks a free port. */
  coupaPort?: number;
  idpPort?: number;
  /**
   * Storage-host mode: every tenant download redirects to a signed URL on a second host,
   * http://127.0.0.2:<storagePort> (another loopback address, so a browser keeps its
   * cookies apart from the tenant's), which refuses cookies and checks the signature.
   */
  storageHost?: boolean;
  storagePort?: number;
  /** Default: fixtureCatalogue(). */
  catalogue?: Catalogue;
  /**
   * Signs SSO tokens and the IdP's stay-signed-in cookie. Default: random per process.
   * A fixed secret lets a profile's stay-signed-in cookie survive a simulator restart.
   */
  secret?: string;
}

export const DEFAULT_RUNTIME_OPTIONS: RuntimeOptions = {
  requestLatencyMs: 0,
  pageLatencyMs: 0,
  downloadLatencyMs: 0,
  downloadBytesPerSecond: 0,
  sessionMaxRequests: 0,
  coupaLoginForm: false,
  credentials: { username: 'operator@example.com', password: 'demo-password' },
};

export class SimulatorOptionsError extends OperatorError {
  constructor(problems: string[]) {
    super(`Simulator options rejected: ${problems.join('; ')}`, 'Send only the runtime options listed in tooling/simulator/simulator-options.ts, with valid values.');
  }
}

const NUMERIC_OPTIONS = ['requestLatencyMs', 'pageLatencyMs', 'downloadLatencyMs', 'downloadBytesPerSecond', 'sessionMaxRequests'] as const;

/** Validates runtime options from code or from a JSON body; unknown keys are errors, not ignored. */
export function parseRuntimeOptions(input: unknown): Partial<RuntimeOptions> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new SimulatorOptionsError(['expected a JSON object']);
  const problems: string[] = [];
  const result: Partial<RuntimeOptions> = {};
  for (const [key, value] of Object.entries(input)) {
    if ((NUMERIC_OPTIONS as readonly string[]).includes(key)) {
      if (typeof value === 'number' && Number.isInteger(value) && value >= 0) result[key as (typeof NUMERIC_OPTIONS)[number]] = value;
      else problems.push(`${key} must be a non-negative integer, got ${JSON.stringify(value)}`);
    } else if (key === 'coupaLoginForm') {
      if (typeof value === 'boolean') result.coupaLoginForm = value;
      else problems.push(`coupaLoginForm must be true or false, got ${JSON.stringify(value)}`);
    } else if (key === 'credentials') {
      const c = value as Partial<RuntimeOptions['credentials']> | null;
      if (c && typeof c.username === 'string' && c.username !== '' && typeof c.password === 'string' && c.password !== '') {
        result.credentials = { username: c.username, password: c.password };
      } else problems.push('credentials must be { "username": non-empty string, "password": non-empty string }');
    } else if (!['coupaPort', 'idpPort', 'storageHost', 'storagePort', 'catalogue', 'secret'].includes(key)) {
      problems.push(`unknown option ${key}`);
    } else {
      problems.push(`${key} cannot change while the simulator runs`);
    }
  }
  if (problems.length) throw new SimulatorOptionsError(problems);
  return result;
}
