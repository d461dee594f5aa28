import type { CatalogueIndex } from './catalogue-index.js';
import type { CoupaSessions } from './coupa-sessions.js';
import type { RuntimeOptions } from './simulator-options.js';
import type { StatsRecorder } from './sim-stats.js';
import type { SsoTokens } from './sso-tokens.js';

/** State shared by the Coupa and IdP request handlers of one running simulator. */
export interface SimulatorContext {
  index: CatalogueIndex;
  /** Replaced as a whole by setOptions, read on every request. */
  options: RuntimeOptions;
  stats: StatsRecorder;
  sessions: CoupaSessions;
  tokens: SsoTokens;
  secret: Buffer;
  coupaUrl: string;
  idpUrl: string;
  /** `http://127.0.0.2:<port>` in storage-host mode, else ''. */
  storageUrl: string;
  /** Aborted when the simulator closes: pending delays stop instead of holding the process. */
  signal: AbortSignal;
}
