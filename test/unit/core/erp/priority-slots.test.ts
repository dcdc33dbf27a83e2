import fc from 'fast-check';
import { decideSlot, dueWithinMs, priorityOfCommand, type ErpPriority, type SlotSchedule } from '../../../../functions/core/erp/priority-slots';

const INTERVAL = 50;
const MAX_WAIT = 2000;

interface Booked {
  priority: ErpPriority;
  slotAt: number;
  askedAt: number;
}

/**
 * Callers of the classes in `working` always have work: at each instant they ask for slots in the
 * order `turns` gives (cycled) until each is refused, then time moves to the earliest retry they were
 * told. Returns the slots booked, in order.
 */
const simulate = (working: ErpPriority[], customerShare: number, turns: boolean[], slots: number): Booked[] => {
  let schedule: SlotSchedule = { shareFrom: {} };
  let nowMs = 1_000_000;
  let turn = 0;
  const booked: Booked[] = [];
  while (booked.length < slots) {
    const retryAt = new Map<ErpPriority, number>();
    while (retryAt.size < working.length) {
      const asking = working.filter((candidate) => !retryAt.has(candidate));
      const priority = asking.length === 1 ? asking[0]! : turns[turn++ % turns.length] ? 'customer' : 'bulk';
      const decision = decideSlot(schedule, { priority, nowMs, intervalMs: INTERVAL, customerShare, maxWaitMs: MAX_WAIT });
      if (decision.granted) {
        schedule = decision.next;
        booked.push({ priority, slotAt: decision.slotAt, askedAt: nowMs });
      } else retryAt.set(priority, nowMs + decision.waitMs);
    }
    nowMs = Math.min(...retryAt.values());
  }
  return booked.slice(0, slots);
};

const shares = fc.double({ min: 0.1, max: 0.9, noNaN: true });
const turns = fc.array(fc.boolean(), { minLength: 1, maxLength: 50 });

describe('priority rule of the ERP send slots', () => {
  it('spaces every slot one interval after the previous one and never before it was asked for, whoever books it', () => {
    fc.assert(
      fc.property(shares, turns, fc.constantFrom<ErpPriority[]>(['customer', 'bulk'], ['customer'], ['bulk']), (share, order, working) => {
        // Act
        const booked = simulate(working, share, order, 200);

        // Assess
        booked.forEach((slot, index) => {
          expect(slot.slotAt).toBeGreaterThanOrEqual(slot.askedAt);
          if (index > 0) expect(slot.slotAt - booked[index - 1]!.slotAt).toBeGreaterThanOrEqual(INTERVAL - 1e-9);
        });
      }),
    );
  });

  // A slot both classes may take goes to one; the other may lose a fraction of a slot: 95% is the floor.
  it('gives each class at least 95% of its share of the slots when both have work', () => {
    fc.assert(
      fc.property(shares, turns, (share, order) => {
        // Act
        const booked = simulate(['customer', 'bulk'], share, order, 400);

        // Assess: after the first slots, which customer work may have borrowed before bulk work's first booking.
        for (const window of [booked.slice(MAX_WAIT / 2 / INTERVAL + 2), booked.slice(200)]) {
          const customer = window.filter((slot) => slot.priority === 'customer').length;
          expect(customer).toBeGreaterThanOrEqual(Math.floor(0.95 * share * window.length) - 2);
          expect(window.length - customer).toBeGreaterThanOrEqual(Math.floor(0.95 * (1 - share) * window.length) - 2);
        }
      }),
    );
  });

  it('lets a class alone use every slot, back to back', () => {
    fc.assert(
      fc.property(shares, fc.constantFrom<ErpPriority>('customer', 'bulk'), (share, priority) => {
        // Act
        const booked = simulate([priority], share, [true], 100);

        // Assess
        booked.slice(1).forEach((slot, index) => expect(slot.slotAt - booked[index]!.slotAt).toBeCloseTo(INTERVAL, 6));
      }),
    );
  });

  it('lets customer work booked during a bulk backlog go within a quarter of the wait (and the few slots the bulk share books ahead), however deep the backlog', () => {
    fc.assert(
      fc.property(shares, fc.integer({ min: 1, max: 300 }), (share, bulkSlots) => {
        // Prepare: bulk work alone has been taking every slot.
        let schedule: SlotSchedule = { shareFrom: {} };
        let nowMs = 1_000_000;
        for (let i = 0; i < bulkSlots; ) {
          const decision = decideSlot(schedule, { priority: 'bulk', nowMs, intervalMs: INTERVAL, customerShare: share, maxWaitMs: MAX_WAIT });
          if (decision.granted) {
            schedule = decision.next;
            i++;
          } else nowMs += decision.waitMs;
        }

        // Act
        const customer = decideSlot(schedule, { priority: 'customer', nowMs, intervalMs: INTERVAL, customerShare: share, maxWaitMs: MAX_WAIT });

        // Assess
        expect(customer.granted).toBe(true);
        if (customer.granted) expect(customer.slotAt - nowMs).toBeLessThanOrEqual(Math.max(dueWithinMs(INTERVAL), MAX_WAIT / 4) + (Math.ceil((1 - share) / share) + 2) * INTERVAL);
      }),
    );
  });

  it('refuses a slot further ahead than the caller waits, without changing the schedule', () => {
    // Prepare
    const schedule: SlotSchedule = { nextFreeAt: 5000, lastSlotAt: 4950, shareFrom: {} };

    // Act
    const decision = decideSlot(schedule, { priority: 'customer', nowMs: 1000, intervalMs: INTERVAL, customerShare: 0.7, maxWaitMs: MAX_WAIT });

    // Assess
    expect(decision).toEqual({ granted: false, waitMs: 4000 });
  });

  it('counts workflow commands, refunds, return authorizations and replacement orders as customer work', () => {
    expect(priorityOfCommand({ type: 'refund.issue' })).toBe('customer');
    expect(priorityOfCommand({ type: 'return-authorization.create' })).toBe('customer');
    expect(priorityOfCommand({ type: 'replacement-order.create' })).toBe('customer');
    expect(priorityOfCommand({ type: 'credit-memo.issue', taskToken: 'token' })).toBe('customer');
    expect(priorityOfCommand({ type: 'credit-memo.issue' })).toBe('bulk');
    expect(priorityOfCommand({ type: 'return-authorization.cancel' })).toBe('bulk');
  });
});
