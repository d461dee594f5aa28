import type { Catalogue, SimAttachment, SimPo, SimRequisition } from './catalogue-model.js';
import { catalogueProblems } from './catalogue-validation.js';
import { OperatorError } from '../../support/shared/operator-error.js';

export class InvalidCatalogueError extends OperatorError {
  constructor(readonly problems: string[]) {
    super(
      `The simulator catalogue is inconsistent (${problems.length} problem${problems.length > 1 ? 's' : ''}):\n` +
        problems.slice(0, 20).map((p) => `  - ${p}`).join('\n'),
      'Fix the catalogue passed to startSimulator (see tooling/simulator/catalogue-model.ts for the rules).',
    );
  }
}

/** Lookups by the ids that appear in URLs, built once when the simulator starts. */
export class CatalogueIndex {
  readonly pos = new Map<string, SimPo>();
  readonly requisitions = new Map<string, SimRequisition>();
  readonly attachments = new Map<string, SimAttachment>();

  constructor(catalogue: Catalogue) {
    const problems = catalogueProblems(catalogue);
    if (problems.length > 0) throw new InvalidCatalogueError(problems);
    for (const po of catalogue.pos) {
      this.pos.set(po.id, po);
      for (const attachment of po.attachments) this.attachments.set(attachment.id, attachment);
      if (!po.requisition) continue;
      this.requisitions.set(po.requisition.id, po.requisition);
      for (const attachment of po.requisition.attachments) this.attachments.set(attachment.id, attachment);
    }
  }
}
