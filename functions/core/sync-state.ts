import type { OrderStatus, OrderStatusSnapshot } from './canonical/order';

/** What the sync-state table holds for one order. */
export interface OrderSyncRecord {
  orderId: string;
  erp?: { status: OrderStatus; version: number; occurredAt: string; updatedAt: string; eventId: string };
  /**
   * What the product last wrote to (or read from) the linked cases. `verified` says whether the desk was
   * seen to hold exactly this status and version (the case its update returned, or a read); `verifiedAt`
   * is when the desk side was last seen so, kept when a later write is not.
   */
  serviceDesk?: { status: OrderStatus; version: number; updatedAt: string; caseIds: string[]; verified: boolean; verifiedAt?: string };
}

/** The authoritative answer a support agent or ops engineer reads for one order. */
export interface OrderSyncView {
  orderId: string;
  erp: { status: OrderStatus; version: number; updatedAt: string } | null;
  serviceDesk: { status: OrderStatus; version: number; updatedAt: string; verified: boolean; verifiedAt: string | null; caseIds: string[] } | null;
  inSync: boolean;
}

/**
 * In sync means the service desk shows exactly the ERP's latest version of the order, and the desk was
 * seen to show it: a write the desk answered without showing it (a lost update) is not in sync.
 */
export const toOrderSyncView = (record: OrderSyncRecord): OrderSyncView => {
  const erp = record.erp ? { status: record.erp.status, version: record.erp.version, updatedAt: record.erp.updatedAt } : null;
  const serviceDesk = record.serviceDesk
    ? {
        status: record.serviceDesk.status,
        version: record.serviceDesk.version,
        updatedAt: record.serviceDesk.updatedAt,
        verified: record.serviceDesk.verified,
        verifiedAt: record.serviceDesk.verifiedAt ?? null,
        caseIds: record.serviceDesk.caseIds,
      }
    : null;
  return {
    orderId: record.orderId,
    erp,
    serviceDesk,
    inSync: erp !== null && serviceDesk !== null && serviceDesk.verified && serviceDesk.version === erp.version && serviceDesk.status === erp.status,
  };
};

/** What one service case shows of an order. */
export interface CaseOrderView {
  caseId: string;
  orderStatus?: OrderStatus;
  orderVersion?: number;
  /** Opaque optimistic-lock token of the case (Zendesk's `updated_at`). */
  revision: string;
}

export type CasePushDecision = 'push' | 'already-current' | 'case-has-newer';

/**
 * Decides whether a case should be given this ERP snapshot. At the same version the ERP's status wins
 * too: a case showing another status was changed by a trigger or by hand, and the ERP is the record.
 */
export const decideCasePush = (view: CaseOrderView, snapshot: OrderStatusSnapshot): CasePushDecision => {
  if (view.orderVersion === undefined || view.orderVersion < snapshot.version) return 'push';
  if (view.orderVersion === snapshot.version) return view.orderStatus === undefined || view.orderStatus === snapshot.status ? 'already-current' : 'push';
  return 'case-has-newer';
};

/**
 * Whether the case the desk returned from an update shows what was written: the same status and version.
 * No answer (a desk whose API returns no case) shows nothing, so the write stays unverified until a read.
 */
export const answerShowsWrite = (answer: CaseOrderView | undefined, written: { status: OrderStatus; version: number }) =>
  answer !== undefined && answer.orderVersion === written.version && answer.orderStatus === written.status;
