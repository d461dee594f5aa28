import crypto from 'node:crypto';
import http from 'node:http';
import type { Socket } from 'node:net';
import { OperatorError } from '../../support/shared/operator-error.js';
import type { Catalogue } from './catalogue-model.js';
import { CatalogueIndex } from './catalogue-index.js';
import { coupaHandler } from './coupa-server.js';
import { CoupaSessions } from './coupa-sessions.js';
import { fixtureCatalogue } from './fixture-catalogue.js';
import { idpHandler } from './idp-server.js';
import type { SimulatorContext } from './simulator-context.js';
import { DEFAULT_RUNTIME_OPTIONS, parseRuntimeOptions, type RuntimeOptions, type SimulatorOptions } from './simulator-options.js';
import { StatsRecorder, type SimStats } from './sim-stats.js';
import { SsoTokens } from './sso-tokens.js';
import { storageHandler } from './storage-server.js';

/** A second loopback address: the storage host must not share a cookie jar with the tenant (cookies ignore ports). */
const STORAGE_ADDRESS = '127.0.0.2';

export interface RunningSimulator {
  /** `http://127.0.0.1:<port>`: the value for COUPA_BASE_URL. */
  coupaUrl: string;
  /** `http://localhost:<port>`: a different host, so the browser keeps the two sites' cookies apart. */
  idpUrl: string;
  /** `http://127.0.0.2:<port>` in storage-host mode (downloads redirect there), else undefined. */
  storageUrl: string | undefined;
  catalogue: Catalogue;
  options(): RuntimeOptions;
  setOptions(partial: Partial<RuntimeOptions>): void;
  stats(): SimStats;
  /** Also restarts fault injection: "first n requests" count from the reset. */
  resetStats(): void;
  /** Stops both servers, dropping open and hung connections; safe to call twice. */
  close(): Promise<void>;
}

export class SimulatorPortError extends OperatorError {
  constructor(host: string, port: number, cause: unknown) {
    super(
      `The Coupa simulator could not listen on ${host}:${port}: ${(cause as Error).message}`,
      'Pick another port (--coupa-port / --idp-port), or 0 for a free one, or stop whatever already uses it.',
      { cause },
    );
  }
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const { coupaPort = 0, idpPort = 0, storageHost = false, storagePort = 0, catalogue = fixtureCatalogue(), secret, ...runtime } = options;
  const index = new CatalogueIndex(catalogue);
  const abort = new AbortController();
  const secretBytes = secret === undefined ? crypto.randomBytes(32) : Buffer.from(secret, 'utf8');
  const coupa = trackedServer();
  const idp = trackedServer();
  const storage = trackedServer(STORAGE_ADDRESS);
  const context: SimulatorContext = {
    index,
    options: { ...DEFAULT_RUNTIME_OPTIONS, ...parseRuntimeOptions(runtime) },
    stats: new StatsRecorder(),
    sessions: new CoupaSessions(),
    tokens: new SsoTokens(secretBytes),
    secret: secretBytes,
    coupaUrl: '',
    idpUrl: '',
    storageUrl: '',
    signal: abort.signal,
  };

  const closeAll = async () => {
    abort.abort();
    await Promise.all([coupa.close(), idp.close(), storage.close()]);
  };
  try {
    context.coupaUrl = `http://127.0.0.1:${await coupa.listen(coupaPort)}`;
    context.idpUrl = `http://localhost:${await idp.listen(idpPort)}`;
    if (storageHost) context.storageUrl = `http://${STORAGE_ADDRESS}:${await storage.listen(storagePort)}`;
  } catch (error) {
    await closeAll();
    throw error;
  }
  coupa.server.on('request', coupaHandler(context));
  idp.server.on('request', idpHandler(context));
  storage.server.on('request', storageHandler(context));

  let closing: Promise<void> | undefined;
  return {
    coupaUrl: context.coupaUrl,
    idpUrl: context.idpUrl,
    storageUrl: context.storageUrl || undefined,
    catalogue,
    options: () => structuredClone(context.options),
    setOptions: (partial) => {
      context.options = { ...context.options, ...parseRuntimeOptions(partial) };
    },
    stats: () => context.stats.snapshot(),
    resetStats: () => context.stats.reset(),
    close: () => (closing ??= closeAll()),
  };
}

/** A loopback server that remembers its sockets, so close() can never wait on a hung request. */
function trackedServer(address = '127.0.0.1') {
  const server = http.createServer();
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return {
    server,
    listen: (port: number) =>
      new Promise<number>((resolve, reject) => {
        server.once('error', (error) => reject(new SimulatorPortError(address, port, error)));
        server.listen(port, address, () => resolve((server.address() as { port: number }).port));
      }),
    close: () =>
      new Promise<void>((resolve) => {
        if (!server.listening) return resolve();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
