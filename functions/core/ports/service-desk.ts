import type { OrderStatus } from '../canonical/order';
import type { CaseOrderView } from '../sync-state';

/** The customer-service platform as the product sees it: cases linked to orders. */
export interface ServiceDeskPort {
  findCasesForOrder(orderId: string): Promise<string[]>;
  getCase(caseId: string): Promise<CaseOrderView>;
  /**
   * Compare-and-set: throws `TransientError` with context `{ conflict: true }` when the case changed since
   * `revision`. Answers what the desk says the case now holds (read from the case its API returns from the
   * update), or `undefined` when its answer carries no case.
   */
  setOrderStatus(caseId: string, snapshot: { status: OrderStatus; version: number }, revision: string): Promise<CaseOrderView | undefined>;
}

/** Opens the case an order's exception is handled on, once per order. */
export interface OrderCases {
  /**
   * The order's open case if it has one (found by the order field, as `findCasesForOrder` finds it), else a
   * new case carrying the order with `note` as its first, internal comment; `created` says which. Calling it
   * again for the same order gives the same case.
   */
  openCaseForOrder(orderId: string, subject: string, note: string): Promise<{ caseId: string; created: boolean }>;
}
