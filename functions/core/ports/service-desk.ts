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

/** A case as a bulk read shows it: what it shows of its order, and the order its order field names. */
export interface LinkedCaseView extends CaseOrderView {
  orderId?: string;
}

/** One page of the cases changed since a time, oldest change first. */
export interface CaseExportPage {
  cases: LinkedCaseView[];
  /** Opaque: pass it back for the next page; absent once the export reached the present. */
  nextCursor?: string;
}

/** Reads of many cases in few calls, for reconciliation at volume. */
export interface ServiceDeskBulkReads {
  /** Every case changed at or after `since`, deleted ones left out, a page at a time (Zendesk: the cursor-based incremental ticket export). */
  exportCasesChanged(since: Date, cursor?: string): Promise<CaseExportPage>;
  /** The cases with these ids that still exist, at most `MAX_CASES_PER_READ` ids a call (Zendesk: Show Many Tickets). */
  getCases(caseIds: string[]): Promise<LinkedCaseView[]>;
}

/** Ids one `getCases` call takes (Zendesk's Show Many Tickets takes 100). */
export const MAX_CASES_PER_READ = 100;
