/** The simulator's public API, for tests, the demo and benchmarks. */
export { attachmentContent, minPdfBytes } from './attachment-content.js';
export { generateBatch, BatchOptionsError, ONLY_COMPLETED, type BatchOptions } from './batch-generator.js';
export * from './catalogue-model.js';
export { catalogueProblems } from './catalogue-validation.js';
export { InvalidCatalogueError } from './catalogue-index.js';
export { attachmentDownloadPath, commentAttachmentPath } from './coupa-pages.js';
export { COUPA_SESSION_COOKIE } from './coupa-server.js';
export { contentDisposition, downloadHeaders } from './download-headers.js';
export { expectedOutcome, type ExpectedDownload, type ExpectedOutcome } from './expected-outcome.js';
export { contentTypeFor } from './file-types.js';
export { fixtureCatalogue } from './fixture-catalogue.js';
export { IDP_SESSION_COOKIE, IDP_STAY_COOKIE } from './idp-server.js';
export { inputCsvText, writeInputCsv, type InputCsvOptions } from './input-csv.js';
export { DEFAULT_RUNTIME_OPTIONS, SimulatorOptionsError, type RuntimeOptions, type SimulatorOptions } from './simulator-options.js';
export { startSimulator, SimulatorPortError, type RunningSimulator } from './simulator.js';
export type { SimStats } from './sim-stats.js';
