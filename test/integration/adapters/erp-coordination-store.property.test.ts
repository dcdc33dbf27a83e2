import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { makeDynamoDbErpCoordination } from '../../../functions/adapters/erp-coordination-store';
import { DEFAULT_BREAKER_CONFIG } from '../../../functions/core/erp/circuit-breaker';
import { decideSlot, type ErpPriority, type SlotSchedule } from '../../../functions/core/erp/priority-slots';
import { ceilingRate, defaultRateBudgetConfig, slotIntervalMs } from '../../../functions/core/erp/rate-budget';
import { createHashKeyTable, uniqueStage, useEmulator } from '../../support/emulator';

/**
 * The send-slot schedule as production runs it: `reserveSlot`'s conditional writes on one DynamoDB
 * item, against the emulator, with a controlled clock. Runs are few (each takes real writes); every
 * run uses its own budget item.
 */
const RUNS = 12;
const LIMIT = 20;
const config = defaultRateBudgetConfig(LIMIT);
const interval = slotIntervalMs(ceilingRate(config));

describe('ERP send-slot schedule in DynamoDB (property, emulator)', () => {
  let client: DynamoDBClient;
  let tableName: string;
  let run = 0;

  beforeAll(async () => {
    useEmulator();
    client = new DynamoDBClient({});
    tableName = `${uniqueStage('slots')}-coordination`;
    await createHashKeyTable(client, tableName, 'pk');
  });
  afterAll(() => client.destroy());

  /** A coordination instance on its own budget item whose clock the test moves. */
  const budget = () => {
    const clock = { nowMs: 1_000_000 };
    const coordination = makeDynamoDbErpCoordination(client, {
      tableName,
      name: `prop-${run++}`,
      rateBudget: config,
      customerShare: 0.7,
      breaker: DEFAULT_BREAKER_CONFIG,
      now: () => clock.nowMs,
    });
    return { clock, coordination };
  };
  /** Gaps between callers in ms: bursts (0), steady callers and idle pauses. */
  const arrivals = fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 120 }), fc.integer({ min: 500, max: 3000 })), { minLength: 1, maxLength: 40 });

  it('gives each caller the later of now and one interval after the previous slot, so no second ever holds more than the limit', async () => {
    await fc.assert(
      fc.asyncProperty(arrivals, async (gaps) => {
        // Prepare
        const { clock, coordination } = budget();

        // Act
        const slots: number[] = [];
        const asked: number[] = [];
        for (const gap of gaps) {
          clock.nowMs += gap;
          asked.push(clock.nowMs);
          const reservation = await coordination.reserveSlot(60_000, 'customer');
          if (!reservation.granted) throw new Error(`refused a slot ${reservation.waitMs} ms ahead`);
          slots.push(reservation.slotAt!);
        }

        // Assess
        slots.forEach((slot, index) => expect(slot).toBeCloseTo(Math.max(asked[index]!, index === 0 ? -Infinity : slots[index - 1]! + interval), 6));
        for (const start of slots) expect(slots.filter((slot) => slot >= start && slot < start + 1000).length).toBeLessThanOrEqual(LIMIT);
      }),
      { numRuns: RUNS },
    );
  });

  it('refuses a slot further ahead than the caller waits, and any refusal leaves the schedule as it was', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 2, max: 30 }), fc.integer({ min: 0, max: 400 }), async (booked, maxWaitMs) => {
        // Prepare: a burst books `booked` slots at one instant.
        const { coordination } = budget();
        for (let i = 0; i < booked; i++) await coordination.reserveSlot(60_000, 'customer');
        const nextFree = 1_000_000 + booked * interval;

        // Act
        const reservation = await coordination.reserveSlot(maxWaitMs, 'customer');
        const after = await coordination.reserveSlot(60_000, 'customer');

        // Assess
        if (nextFree - 1_000_000 > maxWaitMs) {
          expect(reservation).toEqual({ granted: false, waitMs: expect.closeTo(nextFree - 1_000_000, 6) });
          expect(after).toMatchObject({ granted: true, slotAt: expect.closeTo(nextFree, 6) });
        } else if (reservation.granted) {
          expect(reservation).toMatchObject({ granted: true, slotAt: expect.closeTo(nextFree, 6) });
          expect(after).toMatchObject({ granted: true, slotAt: expect.closeTo(nextFree + interval, 6) });
        } else {
          // Within the wait but past the class's share (the priority rule): told to ask again within the wait.
          expect(reservation.waitMs).toBeLessThanOrEqual(maxWaitMs);
          expect(after).toMatchObject({ granted: true, slotAt: expect.closeTo(nextFree, 6) });
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('books by the priority rule: each answer of the conditional writes is the one decideSlot gives', async () => {
    // Intervals exact in binary and decimal (50 ms; class intervals 62.5, 100, 250 ms), so DynamoDB's
    // decimal arithmetic and the model's doubles agree on every tie.
    const exact = { ...defaultRateBudgetConfig(LIMIT), marginMs: 0 };
    const asks = fc.array(
      fc.record({ priority: fc.constantFrom<ErpPriority>('customer', 'bulk'), gap: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 120 }), fc.integer({ min: 500, max: 3000 })), maxWaitMs: fc.constantFrom(200, 2000) }),
      { minLength: 1, maxLength: 40 },
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(0.2, 0.5, 0.8), asks, async (customerShare, sequence) => {
        // Prepare: one instance per class (two Lambdas), so each also books from a stale view.
        const clock = { nowMs: 1_000_000 };
        const name = `prop-${run++}`;
        const instance = () => makeDynamoDbErpCoordination(client, { tableName, name, rateBudget: exact, customerShare, breaker: DEFAULT_BREAKER_CONFIG, now: () => clock.nowMs });
        const instances = { customer: instance(), bulk: instance() };
        let model: SlotSchedule = { shareFrom: {} };

        // Act / Assess
        for (const { priority, gap, maxWaitMs } of sequence) {
          clock.nowMs += gap;
          const expected = decideSlot(model, { priority, nowMs: clock.nowMs, intervalMs: 50, customerShare, maxWaitMs });
          const actual = await instances[priority].reserveSlot(maxWaitMs, priority);
          if (expected.granted) {
            model = expected.next;
            expect(actual).toEqual({ granted: true, slotAt: expected.slotAt, waitMs: expected.slotAt - clock.nowMs });
          } else expect(actual).toEqual({ granted: false, waitMs: expected.waitMs });
        }
      }),
      { numRuns: RUNS },
    );
  });
});
