import type { ErpPriority } from '../erp/priority-slots';

/** Shared dispatch state of every ERP caller: the rate budget's send slots and the circuit breaker. */
export interface ErpCoordination {
  /** How late after its slot a send may still leave: half the budget's margin (`allowedLatenessMs`, `erp/rate-budget.ts`). */
  readonly maxLatenessMs?: number;
  /**
   * Reserves a send slot in the shared rate budget no later than `maxWaitMs` from now, and says how
   * long to wait for it and when it is (epoch ms, by the caller's clock; booked ahead of the time the
   * booking started by about as long as bookings take, `erp/booking-lead.ts`, and a booking that took
   * longer than that counts as lateness); or says how long until one may be had: the schedule
   * is further ahead than that, or `priority`'s class has had its share of the slots booked ahead
   * (the priority rule, `functions/core/erp/priority-slots.ts`).
   */
  reserveSlot(maxWaitMs: number, priority: ErpPriority): Promise<{ granted: true; waitMs: number; slotAt?: number } | { granted: false; waitMs: number }>;
  rateLimited(): Promise<void>;
  admit(): Promise<{ action: 'call' | 'probe' } | { action: 'wait'; waitMs: number }>;
  succeeded(): Promise<void>;
  failed(): Promise<void>;
}
