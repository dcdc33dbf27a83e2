import type { OrderStatusSnapshot } from '../canonical/order';
import type { ErpCommand } from '../canonical/erp-command';

/** What the ERP answered to a command: its own document number for the effect. */
export interface ErpReceipt {
  erpReference: string;
  /** True when the ERP already had the effect (found by the command id) and nothing new was created. */
  replayed: boolean;
}

export interface ErpInventoryLevel {
  sku: string;
  location: string;
  available: number;
}

/** One page of orders the ERP changed in a window, oldest change first. */
export interface ErpOrderPage {
  orders: OrderStatusSnapshot[];
  /** Orders the ERP returned that the product cannot read (e.g. a status it does not know). */
  unreadable: Array<{ orderId: string; reason: string }>;
  /** Opaque: pass it back for the next page; absent on the last page. */
  nextCursor?: string;
}

/**
 * Runs one request to the ERP behind the ERP gate (`makeErpGate`): the shared breaker and one send slot
 * of the shared rate budget. The rule is one request = one slot, because the ERP counts requests, not
 * reads: an adapter passes every request it sends through it, a read of four requests books four slots
 * and the retry after a 401 books its own.
 */
export type ErpRequestGate = <T>(request: () => Promise<T>) => Promise<T>;

/** An ERP adapter built around the ERP gate, so that each request it sends passes it: the handlers pass their gate. */
export type ThroughErpGate<Port> = (gate: ErpRequestGate) => Port;

/**
 * The ERP as the product sees it. Adapters translate to one ERP's API.
 * Writes are keyed by `command.commandId`, which the ERP stores with the document it creates.
 */
export interface ErpPort {
  /**
   * Gets what a request needs in hand (the credential), so that a request sent next leaves at once; the
   * ERP gate calls it before booking a send slot. Absent: a request needs nothing first.
   */
  ready?(): Promise<void>;
  /** Looks up the effect of an earlier attempt of this command, if the ERP has it. */
  findEffect(command: ErpCommand): Promise<ErpReceipt | undefined>;
  /** Creates the effect (return authorization, credit memo, replacement order…). */
  create(command: ErpCommand): Promise<ErpReceipt>;
  /** The order while it is open in the ERP (one request); undefined once it has left the open orders. */
  getOrder(orderId: string): Promise<OrderStatusSnapshot | undefined>;
  /** An order that has left the open orders, shipped and invoiced in full, read from its invoice (one request). */
  getInvoicedOrder(orderId: string): Promise<OrderStatusSnapshot | undefined>;
  /** The order a change notification names by its resource path; undefined when it no longer exists. */
  getOrderByResource(resource: string): Promise<OrderStatusSnapshot | undefined>;
  getInventory(sku: string): Promise<ErpInventoryLevel[]>;
  /** Orders whose last change in the ERP falls in [since, until], a page at a time. */
  listOrdersChanged(window: { since: Date; until: Date }, cursor?: string): Promise<ErpOrderPage>;
}
