/**
 * How long the ledger remembers a delivery. Senders retry for days (Standard Webhooks up to ~3 days,
 * Shopify 4 hours), so this is longer; connectors whose scheme signs no time refuse older deliveries.
 */
export const DELIVERY_RETENTION_SECONDS = 7 * 24 * 3600;

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

/** What the ledger keeps of one delivery: whether it was accepted, and what accepting it returned. */
export interface DeliveryRecord {
  /** `in-progress`: an attempt is running, or died before recording (it expires at `inProgressUntil`). */
  status: 'accepted' | 'in-progress';
  /** What `accept` returned (ingest: the delivery, its event ids and the orders it concerns). */
  result?: Record<string, unknown>;
  /** When the ledger forgets the delivery. */
  expiresAt: string;
  inProgressUntil?: string;
}

/** Reads the ledger for ops (a trace of a delivery); never accepts anything. */
export interface DeliveryLedgerReader {
  find(key: string): Promise<DeliveryRecord | undefined>;
  /** Every record whose result lists `value` under `field`: a scan of the whole ledger, so slower than `find`. */
  findByResult(field: string, value: string): Promise<DeliveryRecord[]>;
}
