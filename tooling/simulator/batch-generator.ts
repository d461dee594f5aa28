import { OperatorError } from '../../support/shared/operator-error.js';
import { minPdfBytes } from './attachment-content.js';
import {
  ATTACHMENT_FORMS,
  ERROR_VARIANTS,
  type AttachmentForm,
  type Catalogue,
  type DispositionKind,
  type ExpectedStatus,
  type SimAttachment,
  type SimPo,
  type SimRequisition,
} from './catalogue-model.js';
import { hash32, randomStream } from './seeded-random.js';

/**
 * Synthetic tenants of any size for load tests and benchmarks: the same options always
 * give the same catalogue. Only sizes are chosen here; bytes are produced when served.
 */
export interface BatchOptions {
  count: number;
  seed?: number;
  /** First PO id; ids are consecutive. Default 5000000, apart from the fixture ids. */
  firstPoId?: number;
  /** Attachments per PO that has any: a fixed number or an inclusive range. Default 1–3. */
  attachmentsPerPo?: number | { min: number; max: number };
  /** Attachment sizes, inclusive. PDFs are never smaller than a valid PDF. Default 2 KB–64 KB. */
  minBytes?: number;
  maxBytes?: number;
  /** Share of POs per non-COMPLETED outcome; the rest are COMPLETED. Default 2 % each, no TIMEOUT. */
  statusShares?: Partial<Record<Exclude<ExpectedStatus, 'COMPLETED'>, number>>;
  /** Share of COMPLETED POs whose page fails once with 500 and whose first download is cut off once. Default 0. */
  faultShare?: number;
}

export class BatchOptionsError extends OperatorError {
  constructor(problem: string) {
    super(`Synthetic batch options: ${problem}`, 'Pass a positive count, sizes with minBytes ≤ maxBytes, and shares between 0 and 1 that sum to at most 1.');
  }
}

const DEFAULT_SHARES: Required<NonNullable<BatchOptions['statusShares']>> = {
  PARTIAL: 0.02,
  FAILED: 0.02,
  NO_ATTACHMENTS: 0.02,
  PO_NOT_FOUND: 0.02,
  PR_NOT_ACCESSIBLE: 0.02,
  TIMEOUT: 0,
};

/** Shares for a batch where every PO is COMPLETED (benchmarks, tests that check every file). */
export const ONLY_COMPLETED: Required<NonNullable<BatchOptions['statusShares']>> = {
  PARTIAL: 0,
  FAILED: 0,
  NO_ATTACHMENTS: 0,
  PO_NOT_FOUND: 0,
  PR_NOT_ACCESSIBLE: 0,
  TIMEOUT: 0,
};

const SUPPLIERS = [
  'Acme Industrial Supplies',
  'Globex Corporation',
  'Initech S.A.',
  'Müller & Söhne GmbH',
  'Stark Components Ltd',
  'Wayne Enterprises',
  'Nakatomi Trading',
  'Soylent Foods',
  'Vandelay Industries',
  'Oceanic Airlines Cargo',
];
const OTHER_EXTENSIONS = ['.xlsx', '.docx', '.msg', '.txt', '.csv', '.zip', '.png', '.jpg', '.eml', '.xml'];
const PO_ATTACHMENT_BASE = 90_000_000;
const PR_BASE = 80_000_000;

export function generateBatch(options: BatchOptions): Catalogue {
  const settings = resolve(options);
  const random = randomStream(hash32(`batch:${settings.seed}`));
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const thresholds = cumulative(settings.shares);
  let nextAttachment = PO_ATTACHMENT_BASE;

  const makeAttachments = (poId: string, count: number, faults: SimAttachment['faults'] | undefined, pdfFirst: boolean): SimAttachment[] =>
    Array.from({ length: count }, (_, k) => {
      const id = String(++nextAttachment);
      const pdf = (pdfFirst && k === 0) || random() < 0.4;
      const ext = pdf ? '.pdf' : pick(OTHER_EXTENSIONS);
      const utf8 = random() < 0.1;
      const fileName = `${utf8 ? 'Relatório' : pick(['Invoice', 'Quote', 'Contract', 'Delivery_Note', 'Specification'])}_${poId}_${k + 1}${ext}`;
      const form: AttachmentForm = pdf ? pick(ATTACHMENT_FORMS) : pick(ATTACHMENT_FORMS.filter((f) => f !== 'inline-link'));
      const disposition: DispositionKind =
        form === 'inline-link' ? (utf8 ? 'none' : pick(['inline', 'none'] as const)) : utf8 ? 'attachment-utf8' : 'attachment';
      const min = pdf ? Math.max(settings.minBytes, minPdfBytes(id)) : settings.minBytes;
      const attachment: SimAttachment = { id, fileName, size: int(min, Math.max(min, settings.maxBytes)), form, disposition };
      if (faults) attachment.faults = faults;
      return attachment;
    });

  const pos: SimPo[] = [];
  for (let i = 0; i < settings.count; i++) {
    const id = String(settings.firstPoId + i);
    const roll = random();
    const status = thresholds.find(([, upTo]) => roll < upTo)?.[0] ?? 'COMPLETED';
    const po: SimPo = {
      id,
      supplier: SUPPLIERS[i % SUPPLIERS.length]!,
      supplierMarkup: i % 2 === 0 ? 'label-value' : 'definition-list',
      attachments: [],
      expectedStatus: status,
      scenario: `synthetic ${status}`,
    };
    const count = int(settings.perPo.min, settings.perPo.max);
    const requisition = (attachments: SimAttachment[], denial?: SimRequisition['denial']): SimRequisition => ({
      id: String(PR_BASE + i),
      attachments,
      ...(denial && { denial }),
    });
    switch (status) {
      case 'COMPLETED': {
        const faulty = random() < settings.faultShare;
        if (faulty) po.faults = { transient500: 1 };
        po.attachments = makeAttachments(id, count, undefined, true);
        if (faulty) po.attachments[0]!.faults = { cutOffAttempts: 1 };
        if (i % 5 === 0) po.requisition = requisition(makeAttachments(id, 1, undefined, true));
        break;
      }
      case 'PARTIAL':
        po.attachments = makeAttachments(id, Math.max(2, count), undefined, true);
        po.attachments[po.attachments.length - 1]!.faults = { alwaysCutOff: true };
        break;
      case 'FAILED':
        if (i % 2 === 0) po.faults = { alwaysFail500: true };
        else po.attachments = makeAttachments(id, count, { alwaysCutOff: true }, true);
        break;
      case 'NO_ATTACHMENTS':
        break;
      case 'PO_NOT_FOUND':
        po.supplier = '';
        po.errorVariant = ERROR_VARIANTS[i % ERROR_VARIANTS.length]!;
        break;
      case 'PR_NOT_ACCESSIBLE':
        po.requisition = requisition([], i % 2 === 0 ? 'not-authorized' : 'access-denied');
        break;
      case 'TIMEOUT':
        po.faults = { hang: true };
        break;
    }
    pos.push(po);
  }
  return { pos };
}

function resolve(options: BatchOptions) {
  const { count, seed = 1, firstPoId = 5_000_000, minBytes = 2048, maxBytes = 65_536, faultShare = 0 } = options;
  if (!Number.isSafeInteger(count) || count < 1) throw new BatchOptionsError(`count must be a positive integer, got ${count}`);
  if (!Number.isSafeInteger(firstPoId) || firstPoId < 100_000) throw new BatchOptionsError(`firstPoId must have at least 6 digits, got ${firstPoId}`);
  if (!(Number.isSafeInteger(minBytes) && minBytes >= 1 && Number.isSafeInteger(maxBytes) && maxBytes >= minBytes)) {
    throw new BatchOptionsError(`need 1 ≤ minBytes ≤ maxBytes, got ${minBytes}..${maxBytes}`);
  }
  const range = options.attachmentsPerPo ?? { min: 1, max: 3 };
  const perPo = typeof range === 'number' ? { min: range, max: range } : range;
  if (!(Number.isInteger(perPo.min) && perPo.min >= 1 && Number.isInteger(perPo.max) && perPo.max >= perPo.min)) {
    throw new BatchOptionsError(`attachmentsPerPo must be ≥ 1 with min ≤ max, got ${JSON.stringify(range)}`);
  }
  const shares = { ...DEFAULT_SHARES, ...options.statusShares };
  const values = [...Object.values(shares), faultShare];
  if (values.some((v) => !(v >= 0 && v <= 1)) || Object.values(shares).reduce((a, b) => a + b, 0) > 1) {
    throw new BatchOptionsError(`shares must be between 0 and 1 and sum to at most 1, got ${JSON.stringify(shares)}, faultShare ${faultShare}`);
  }
  return { count, seed, firstPoId, minBytes, maxBytes, perPo, shares, faultShare };
}

function cumulative(shares: Record<Exclude<ExpectedStatus, 'COMPLETED'>, number>): [ExpectedStatus, number][] {
  let total = 0;
  return Object.entries(shares).map(([status, share]) => [status as ExpectedStatus, (total += share)]);
}
