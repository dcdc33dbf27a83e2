/**
 * When an order, refund, return, workflow or ERP command counts as delayed: the one place the bounds
 * live (docs/operations.md, "Delayed entities"). Pure: `ops delayed`, `ops overview` and the console
 * judge what the stores hold with these rules.
 */
import type { OrderSyncRecord } from './sync-state';
import { toOrderSyncView } from './sync-state';
import type { WorkflowSummary } from './ports/workflow-tasks';
import type { CommandRecord } from './ports/command-ledger';

export const DELAY_BOUNDS = {
  /** An order's service cases show the ERP's status within this (the sync-lag alarm's and reconciliation's grace default). */
  orderSyncSeconds: 300,
  /** A return the workflow waits for is received by the warehouse within this (below every policy's `returnArrivalDays`, when the workflow parks itself). */
  returnReceiptSeconds: 14 * 86400,
  /** A workflow parked as an exception waits for a person's decision: delayed from the moment it is parked. */
  exceptionDecisionSeconds: 0,
  /** An ERP command started and not done is delayed after this (the oldest-message-age alarm's threshold). */
  erpCommandSeconds: 15 * 60,
} as const;

export type DelayBounds = typeof DELAY_BOUNDS;

const ageSeconds = (since: string, now: Date) => Math.max(0, Math.floor((now.getTime() - Date.parse(since)) / 1000));

export const describeSeconds = (seconds: number) =>
  seconds % 86400 === 0 ? `${seconds / 86400} d` : seconds % 3600 === 0 ? `${seconds / 3600} h` : seconds % 60 === 0 ? `${seconds / 60} min` : `${seconds} s`;

export interface OrderLag {
  orderId: string;
  /** Since when the order has not been in sync. */
  since: string;
  ageSeconds: number;
  /** Where it waits. */
  step: string;
  reason: string;
}

/**
 * How long an order has been out of sync, and why; undefined when it is in sync, or has no ERP side
 * (nothing to sync yet), or no case is linked (nothing in the desk to show it).
 */
export const orderLag = (record: OrderSyncRecord, now: Date): OrderLag | undefined => {
  const view = toOrderSyncView(record);
  if (view.inSync || !record.erp || !record.serviceDesk) return undefined;
  const desk = record.serviceDesk;
  const behind = desk.version < record.erp.version || desk.status !== record.erp.status;
  // Behind: since the ERP's change reached the sync state. Written but unverified: since that write.
  const since = behind ? record.erp.updatedAt : desk.updatedAt;
  return {
    orderId: record.orderId,
    since,
    ageSeconds: ageSeconds(since, now),
    step: behind ? 'service-desk update' : 'service-desk verification',
    reason: behind
      ? `ERP v${record.erp.version} ${record.erp.status}, cases ${desk.caseIds.join(', ') || '-'} show v${desk.version} ${desk.status}`
      : `v${desk.version} ${desk.status} written to cases ${desk.caseIds.join(', ') || '-'} but not seen there (last verified ${desk.verifiedAt ?? 'never'})`,
  };
};

export const orderIsDelayed = (lag: OrderLag, bounds: DelayBounds = DELAY_BOUNDS) => lag.ageSeconds > bounds.orderSyncSeconds;

/** An open workflow whose refund or replacement is past its SLA (`slaDueAt`). */
export const pastSla = (workflow: WorkflowSummary, now: Date) =>
  ['running', 'waiting-for-return', 'exception'].includes(workflow.state) && workflow.slaDueAt !== undefined && Date.parse(workflow.slaDueAt) < now.getTime();

export const returnIsDelayed = (workflow: WorkflowSummary, now: Date, bounds: DelayBounds = DELAY_BOUNDS) =>
  workflow.state === 'waiting-for-return' && ageSeconds(workflow.updatedAt, now) > bounds.returnReceiptSeconds;

export const exceptionIsDelayed = (parkedAt: string, now: Date, bounds: DelayBounds = DELAY_BOUNDS) => ageSeconds(parkedAt, now) >= bounds.exceptionDecisionSeconds;

/** A command the ledger shows started and not done for longer than the bound (since its last start). */
export const commandIsDelayed = (command: CommandRecord, now: Date, bounds: DelayBounds = DELAY_BOUNDS) =>
  command.status !== 'done' && command.lastStartedAt !== undefined && ageSeconds(command.lastStartedAt, now) > bounds.erpCommandSeconds;

export { ageSeconds as secondsSince };
