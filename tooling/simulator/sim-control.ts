import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, sendJson } from './http-helpers.js';
import type { SimulatorContext } from './simulator-context.js';
import { parseRuntimeOptions, SimulatorOptionsError } from './simulator-options.js';

/**
 * `/__sim/*` on the Coupa host, without authentication, so a test in another process
 * (the job runs as a child process) can read stats, reset them and change behaviour.
 */
export async function handleControl(req: IncomingMessage, res: ServerResponse, url: URL, sim: SimulatorContext): Promise<void> {
  const route = `${req.method} ${url.pathname}`;
  switch (route) {
    case 'GET /__sim/stats':
      return sendJson(res, 200, sim.stats.snapshot());
    case 'POST /__sim/reset':
      sim.stats.reset();
      return sendJson(res, 200, sim.stats.snapshot());
    case 'GET /__sim/options':
      return sendJson(res, 200, sim.options);
    case 'POST /__sim/options': {
      let parsed: unknown;
      try {
        parsed = JSON.parse(await readBody(req));
      } catch {
        return sendJson(res, 400, { error: 'body must be JSON' });
      }
      try {
        sim.options = { ...sim.options, ...parseRuntimeOptions(parsed) };
      } catch (error) {
        if (error instanceof SimulatorOptionsError) return sendJson(res, 400, { error: error.message });
        throw error;
      }
      return sendJson(res, 200, sim.options);
    }
    default:
      return sendJson(res, 404, { error: `unknown control endpoint ${route}` });
  }
}
