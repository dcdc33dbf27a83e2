import type { ErpCommand } from './canonical/erp-command';
import type { OrderStatusSnapshot } from './canonical/order';

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

/**
 * The ERP as the product sees it. Adapters translate to one ERP's API.
 * Writes are keyed by `command.commandId`, which the ERP stores with the document it creates.
 */
/** One page of orders the ERP changed in a window, oldest change first. */
export interface ErpOrderPage {
  orders: OrderStatusSnapshot[];
  /** Orders the ERP returned that the product cannot read (e.g. a status it does not know). */
  unreadable: Array<{ orderId: string; reason: string }>;
  /** Opaque: pass it back for the next page; absent on the last page. */
  nextCursor?: string;
}

export interface ErpPort {
  /** Looks up the effect of an earlier attempt of this command, if the ERP has it. */
  findEffect(command: ErpCommand): Promise<ErpReceipt | undefined>;
  /** Creates the effect (return authorization, credit memo, replacement order…). */
  create(command: ErpCommand): Promise<ErpReceipt>;
  getOrder(orderId: string): Promise<OrderStatusSnapshot | undefined>;
  getInventory(sku: string): Promise<ErpInventoryLevel[]>;
  /** Orders whose last change in the ERP falls in [since, until], a page at a time. */
  listOrdersChanged(window: { since: Date; until: Date }, cursor?: string): Promise<ErpOrderPage>;
}

/** Shared dispatch state: the rate budget, the breaker and the per-command ledger. */
export interface ErpCoordination {
  /**
   * Reserves a send slot in the shared rate budget no later than `maxWaitMs` from now, and says how
   * long to wait for it and when it is (epoch ms, by the caller's clock, measured before the write, so
   * the time the write took counts as lateness); or says that the schedule is further ahead than that.
   */
  reserveSlot(maxWaitMs: number): Promise<{ granted: true; waitMs: number; slotAt?: number } | { granted: false; waitMs: number }>;
  rateLimited(): Promise<void>;
  admit(): Promise<{ action: 'call' | 'probe' } | { action: 'wait'; waitMs: number }>;
  succeeded(): Promise<void>;
  failed(): Promise<void>;
}

export interface CommandRecord {
  status: 'started' | 'done';
  attempts: number;
  erpReference?: string;
}

export interface CommandLedger {
  get(commandId: string): Promise<CommandRecord | undefined>;
  /** Records that an attempt is starting; returns the record as it was before (done, started, or none). */
  start(commandId: string): Promise<CommandRecord | undefined>;
  /** Counts a failed attempt; returns the number of failed attempts so far. */
  failedAttempt(commandId: string): Promise<number>;
  done(commandId: string, receipt: ErpReceipt): Promise<void>;
}
