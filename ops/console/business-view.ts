/**
 * The business view the console shows beside the DLQs and workflows: overview, delayed entities, metric
 * history and audit. These are the `delayed` branch's ops library functions (ops/overview.ts,
 * ops/delayed.ts, ops/metrics-history.ts, ops/audit.ts); the types are the interface agreed with it. Until
 * that branch is merged, each function answers that it is not available yet (a 501 in the console).
 */
import { OpsError } from '../errors';

export interface Overview {
  generatedAt: string;
  stage: string;
  sync: { outOfSync: number; oldest?: { orderId: string; since: string; ageSeconds: number } };
  reconciliation: { runs: Array<{ runId: string; startedAt: string; finishedAt?: string; status: string; checked: number; driftFound: number; repaired: number }> };
  workflows: { byState: Record<string, number> };
  sla: { refundsPastSla: number; replacementsPastSla: number; returnsAwaitingReceipt: number };
  exceptions: { open: number };
  dlqs: Array<{ name: string; depth: number; oldestAgeSeconds?: number }>;
  erp: { breaker: { state: 'closed' | 'open' | 'half-open' | 'unknown'; openedAt?: string }; budget: { limitPerSecond: number; usedLastMinute: number; utilisation: number } };
}
export type DelayedKind = 'order' | 'refund' | 'return' | 'workflow' | 'erp-command';
export const DELAYED_KINDS: DelayedKind[] = ['order', 'refund', 'return', 'workflow', 'erp-command'];
export interface DelayedEntity {
  kind: DelayedKind;
  id: string;
  orderId?: string;
  caseId?: string;
  since: string;
  ageSeconds: number;
  bound: string;
  step: string;
  reason: string;
  region?: string;
  brand?: string;
  traceId: string;
}
export interface DelayedFilter {
  kinds?: DelayedKind[];
  minAgeSeconds?: number;
  region?: string;
  brand?: string;
}
export interface Series {
  name: string;
  unit: string;
  points: Array<{ t: string; value: number }>;
}
export interface MetricsHistory {
  syncLagSeconds: Series;
  webhooksAccepted: Series;
  webhooksRefused: Series;
}
export interface AuditLine {
  at: string;
  who: string;
  action: string;
  target: string;
  detail?: Record<string, unknown>;
  outcome: 'ok' | 'failed';
}

/** Not available in this build (the console answers 501). */
export class NotAvailableError extends OpsError {
  override name = 'NotAvailableError';
}

const pending = (what: string) => async (): Promise<never> => {
  throw new NotAvailableError(`${what} is not available yet: it comes with the ops library's business view (branch "delayed")`);
};

export const readOverview: () => Promise<Overview> = pending('The overview');
export const listDelayed: () => Promise<DelayedEntity[]> = pending('The list of delayed entities');
export const readMetricsHistory: () => Promise<MetricsHistory> = pending('The metric history');
