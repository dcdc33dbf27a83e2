import type { CanonicalEvent } from './canonical/events';
import type { OrderStatus, OrderStatusSnapshot } from './canonical/order';
import type { CaseOrderView, OrderSyncRecord } from './sync-state';

/** Small interfaces the core needs from the outside world; adapters implement them. */

export interface EventPublisher {
  publish(events: readonly CanonicalEvent[]): Promise<void>;
}

export interface SigningSecrets {
  /** Active secrets of a source, newest first. */
  forSource(source: string): Promise<string[]>;
}

export interface DeliveryLedger {
  /**
   * Runs `accept` once per delivery key. A later call with the same key returns the first result
   * with `duplicate: true`; a call while the first is still running throws `DeliveryInProgressError`;
   * the same key with a different fingerprint throws `DeliveryConflictError`.
   */
  acceptOnce<R extends Record<string, unknown>>(
    key: string,
    fingerprint: string,
    accept: () => Promise<R>,
  ): Promise<{ result: R; duplicate: boolean }>;
}

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

export interface ServiceDeskPort {
  findCasesForOrder(orderId: string): Promise<string[]>;
  getCase(caseId: string): Promise<CaseOrderView>;
  /** Compare-and-set: throws `TransientError` with context `{ conflict: true }` when the case changed since `revision`. */
  setOrderStatus(caseId: string, snapshot: { status: OrderStatus; version: number }, revision: string): Promise<void>;
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export interface ReadModelStore {
  putTimelineEntry(customerKey: string, entry: import('./read-models').TimelineEntry): Promise<void>;
  timeline(customerKey: string, limit: number, cursor?: string): Promise<{ entries: Array<import('./read-models').TimelineEntry>; nextCursor?: string }>;
  putAlias(alias: string, customerKey: string): Promise<void>;
  /** Links the alias unless it is linked already (an inferred link never replaces one learnt from an email). */
  putAliasIfAbsent(alias: string, customerKey: string): Promise<void>;
  resolveAlias(alias: string): Promise<string | undefined>;
  putOrderCustomer(orderId: string, customerKey: string): Promise<void>;
  /** Strongly consistent: a link written before is always seen. */
  orderCustomer(orderId: string): Promise<string | undefined>;
  /** Keeps an entry whose customer is not known yet beside its order, until the order's customer is. */
  parkTimelineEntry(orderId: string, entry: import('./read-models').TimelineEntry, alias?: string): Promise<void>;
  /** Strongly consistent. */
  parkedTimelineEntries(orderId: string): Promise<Array<{ entry: import('./read-models').TimelineEntry; alias?: string }>>;
  removeParkedTimelineEntry(orderId: string, entry: import('./read-models').TimelineEntry): Promise<void>;
  /** Stores a level unless a newer one for the same SKU and location is stored. */
  putInventoryLevel(level: import('./read-models').StoredInventoryLevel): Promise<ApplyOutcome>;
  inventory(sku: string, location?: string): Promise<Array<import('./read-models').StoredInventoryLevel>>;
}
