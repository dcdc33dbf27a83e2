/** Shared dispatch state of every ERP caller: the rate budget's send slots and the circuit breaker. */
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
