import type { Page } from '@playwright/test';
import type { Settings } from '../settings.js';

export type ProcessorSettings = Pick<
  Settings,
  'coupaBaseUrl' | 'pageTimeoutMs' | 'pageRetries' | 'downloadTimeoutMs' | 'downloadRetries' | 'msgToPdf'
>;

/** What processing one PO needs from its window and its test. */
export interface PoJobContext {
  page: Page;
  settings: ProcessorSettings;
  runRoot: string;
  window: string;
  log: (message: string) => void;
  /** Wraps a unit of work as a report step (Playwright/Allure); identity outside a test. */
  step: <T>(title: string, body: () => Promise<T>) => Promise<T>;
  /** The window's browser lifetime: requests made outside the browser stop when it aborts. */
  signal?: AbortSignal;
  /** Base delay of the exponential backoff between page and download attempts. */
  backoffMs?: number;
  /** Which file of the page the window is on, for the live progress display. */
  onFile?: (file: { name: string; index: number; count: number }) => void;
}
