import type { OrderStatus } from '../canonical/order';
import type { CaseOrderView } from '../sync-state';

/** The customer-service platform as the product sees it: cases linked to orders. */
export interface ServiceDeskPort {
  findCasesForOrder(orderId: string): Promise<string[]>;
  getCase(caseId: string): Promise<CaseOrderView>;
  /** Compare-and-set: throws `TransientError` with context `{ conflict: true }` when the case changed since `revision`. */
  setOrderStatus(caseId: string, snapshot: { status: OrderStatus; version: number }, revision: string): Promise<void>;
}
