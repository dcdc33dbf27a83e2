import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { makeDynamoDbSyncStateStore } from '../../../functions/adapters/sync-state-store';
import type { OrderStatus } from '../../../functions/core/canonical/order';
import { createHashKeyTable, uniqueStage, useEmulator } from '../../support/emulator';

/**
 * The version rule as production runs it: the store's DynamoDB condition expressions, against the
 * emulator. Runs are few (each is a handful of real writes); every run uses its own order.
 */
const RUNS = 15;
const STATUSES: OrderStatus[] = ['confirmed', 'picking', 'shipped', 'delivered'];
const at = new Date('2026-11-27T10:00:00Z');

describe('version guard of the DynamoDB sync state store (property, emulator)', () => {
  let client: DynamoDBClient;
  let store: ReturnType<typeof makeDynamoDbSyncStateStore>;
  let run = 0;

  beforeAll(async () => {
    useEmulator();
    client = new DynamoDBClient({});
    const tableName = `${uniqueStage('sync-prop')}-sync-state`;
    await createHashKeyTable(client, tableName, 'pk');
    store = makeDynamoDbSyncStateStore(client, tableName);
  });
  afterAll(() => client.destroy());

  const updates = fc.array(fc.record({ version: fc.integer({ min: 1, max: 12 }), status: fc.constantFrom(...STATUSES) }), { minLength: 1, maxLength: 8 });

  it('applies an ERP update only when it is newer than every earlier one, and ends at the highest, whatever the order and duplicates', async () => {
    await fc.assert(
      fc.asyncProperty(updates, async (arrivals) => {
        // Prepare
        const orderId = `SO-erp-${run++}`;

        // Act
        const outcomes = [];
        for (const [index, update] of arrivals.entries()) {
          outcomes.push(await store.recordErpStatus({ orderId, status: update.status, version: update.version, occurredAt: at.toISOString() }, `evt_${index}`, at));
        }
        const stored = (await store.getOrder(orderId))!.erp!;

        // Assess
        const expected = arrivals.map((update, index) => (arrivals.slice(0, index).every((earlier) => earlier.version < update.version) ? 'applied' : 'stale'));
        expect(outcomes).toEqual(expected);
        const winner = expected.lastIndexOf('applied');
        expect(stored).toMatchObject({ version: Math.max(...arrivals.map((update) => update.version)), status: arrivals[winner]!.status, eventId: `evt_${winner}` });
      }),
      { numRuns: RUNS },
    );
  });

  const deskUpdates = fc.array(fc.record({ version: fc.integer({ min: 1, max: 6 }), status: fc.constantFrom(...STATUSES), verified: fc.boolean() }), { minLength: 1, maxLength: 8 });

  it('guards what the service desk shows by its own version, whatever the ERP side holds; the same version only verifies or unverifies', async () => {
    await fc.assert(
      fc.asyncProperty(deskUpdates, fc.integer({ min: 1, max: 12 }), async (arrivals, erpVersion) => {
        // Prepare
        const orderId = `SO-desk-${run++}`;
        await store.recordErpStatus({ orderId, status: 'shipped', version: erpVersion, occurredAt: at.toISOString() }, 'evt_erp', at);

        // Act
        const outcomes = [];
        for (const [index, update] of arrivals.entries()) {
          outcomes.push(await store.recordServiceDeskStatus(orderId, { status: update.status, version: update.version, caseIds: ['7'], verified: update.verified }, new Date(at.getTime() + index * 1000)));
        }
        const stored = (await store.getOrder(orderId))!;

        // Assess: never below a version already recorded; at the same version only when it says something new.
        let held: (typeof arrivals)[number] | undefined;
        let verifiedAt: string | undefined;
        const expected = arrivals.map((update, index) => {
          const applies = !held || held.version < update.version || (held.version === update.version && (update.verified || held.verified || held.status !== update.status));
          if (!applies) return 'stale';
          held = update;
          if (update.verified) verifiedAt = new Date(at.getTime() + index * 1000).toISOString();
          return 'applied';
        });
        expect(outcomes).toEqual(expected);
        expect(stored.serviceDesk).toMatchObject({ version: Math.max(...arrivals.map((update) => update.version)), status: held!.status, verified: held!.verified });
        expect(stored.serviceDesk?.verifiedAt).toBe(verifiedAt);
        expect(stored.erp?.version).toBe(erpVersion);
      }),
      { numRuns: RUNS },
    );
  });
});
