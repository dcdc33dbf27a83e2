import type { OrderStatus, OrderStatusSnapshot } from './canonical/order';

/** What the sync-state table holds for one order. */
export interface OrderSyncRecord {
  orderId: string;
  erp?: { status: OrderStatus; version: number; occurredAt: string; updatedAt: string; eventId: string };
  serviceDesk?: { status: OrderStatus; version: number; updatedAt: string; caseIds: string[] };
}

/** The authoritative answer a support agent or ops engineer reads for one order. */
export interface OrderSyncView {
  orderId: string;
  erp: { status: OrderStatus; version: number; updatedAt: string } | null;
  serviceDesk: { status: OrderStatus; version: number; updatedAt: string; caseIds: string[] } | null;
  inSync: boolean;
}

/** In sync means the service desk shows exactly the ERP's latest version of the order. */
export const toOrderSyncView = (record: OrderSyncRecord): OrderSyncView => {
  const erp = record.erp ? { status: record.erp.status, version: record.erp.version, updatedAt: record.erp.updatedAt } : null;
  const serviceDesk = record.serviceDesk
    ? {
        status: record.serviceDesk.status,
        version: record.serviceDesk.version,
        updatedAt: record.serviceDesk.updatedAt,
        caseIds: record.serviceDesk.caseIds,
      }
    : null;
  return {
    orderId: record.orderId,
    erp,
    serviceDesk,
    inSync: erp !== null && serviceDesk !== null && serviceDesk.version === erp.version && serviceDesk.status === erp.status,
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
