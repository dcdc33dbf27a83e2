import type { OrderStatus, OrderStatusSnapshot } from '../canonical/order';
import type { OrderSyncRecord } from '../sync-state';

/** Whether a versioned write changed anything: `stale` when a newer version was stored already. */
export type ApplyOutcome = 'applied' | 'stale';

export interface SyncStateStore {
  recordErpStatus(snapshot: OrderStatusSnapshot, eventId: string, at: Date): Promise<ApplyOutcome>;
  recordServiceDeskStatus(
    orderId: string,
    shown: { status: OrderStatus; version: number; caseIds: string[] },
    at: Date,
  ): Promise<ApplyOutcome>;
  getOrder(orderId: string): Promise<OrderSyncRecord | undefined>;
}
