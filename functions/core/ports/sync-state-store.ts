import type { OrderStatus, OrderStatusSnapshot } from '../canonical/order';
import type { OrderSyncRecord } from '../sync-state';

/** Whether a versioned write changed anything: `stale` when a newer version was stored already. */
export type ApplyOutcome = 'applied' | 'stale';

export interface SyncStateStore {
  recordErpStatus(snapshot: OrderStatusSnapshot, eventId: string, at: Date): Promise<ApplyOutcome>;
  /**
   * Records the desk side under its version guard: a lower version is always `stale`. At the same version a
   * verified write applies (and moves `verifiedAt` to `at`), and an unverified one applies only when it
   * changes something (the stored side was verified, or showed another status); `verifiedAt` is kept.
   */
  recordServiceDeskStatus(
    orderId: string,
    shown: { status: OrderStatus; version: number; caseIds: string[]; verified: boolean },
    at: Date,
  ): Promise<ApplyOutcome>;
  getOrder(orderId: string): Promise<OrderSyncRecord | undefined>;
}

/** Many orders' sync state in few calls, for reconciliation at volume. */
export interface SyncStateBatches {
  /** The records of these orders (DynamoDB: BatchGetItem, 100 keys a call); an order never seen has none. */
  getOrders(orderIds: string[]): Promise<Map<string, OrderSyncRecord>>;
  /**
   * `recordServiceDeskStatus` for many orders, each under its own guard, several at once; answers each outcome in order.
   */
  recordServiceDeskStatuses(
    entries: Array<{ orderId: string; shown: { status: OrderStatus; version: number; caseIds: string[]; verified: boolean }; at: Date }>,
  ): Promise<ApplyOutcome[]>;
}
