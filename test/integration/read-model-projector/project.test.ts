import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { makeDynamoDbReadModelStore } from '../../../functions/adapters/read-model-store';
import type { CanonicalEvent } from '../../../functions/core/canonical/events';
import { makeReadModelProjector } from '../../../functions/read-model-projector/project';
import { createTable, uniqueStage, useEmulator } from '../../support/emulator';

type Event = Pick<CanonicalEvent, 'detailType' | 'detail'>;
const event = (detailType: string, eventId: string, data: Record<string, unknown>): Event =>
  ({ detailType, detail: { eventId, data: { occurredAt: '2026-11-27T10:00:00Z', ...data } } }) as unknown as Event;

const orderCreated = (orderId: string, email = 'jon@example.com') =>
  event('order.created', `evt_order_${orderId}`, { orderId, source: { system: 'storefront', id: orderId }, customer: { email, id: '77' } });
/** An ERP refund names only the order. */
const refundIssued = (orderId: string) => event('refund.issued', `evt_refund_${orderId}`, { orderId, refundId: `R-${orderId}`, source: { system: 'erp', id: `R-${orderId}` } });
/** A desk ticket whose requester has no email: only the requester id and the order. */
const caseOpened = (orderId: string, requesterId: string) =>
  event('case.opened', `evt_case_${orderId}`, { orderId, caseId: `C-${orderId}`, source: { system: 'service-desk', id: `C-${orderId}` }, requester: { id: requesterId } });

describe('read-model projector against the emulator: events that reach the customer through their order', () => {
  let client: DynamoDBClient;
  let store: ReturnType<typeof makeDynamoDbReadModelStore>;
  let project: ReturnType<typeof makeReadModelProjector>;
  const timelineTypes = async (customerKey: string) => (await store.timeline(customerKey, 50)).entries.map((entry) => `${entry.type} ${entry.orderId}`).sort();

  beforeAll(async () => {
    useEmulator();
    client = new DynamoDBClient({});
    const tableName = `${uniqueStage('rm')}-read-models`;
    await createTable(client, tableName, { partitionKey: 'pk', sortKey: 'sk' });
    store = makeDynamoDbReadModelStore(client, tableName);
    project = makeReadModelProjector({ store });
  });
  afterAll(() => client.destroy());

  it('puts an event that arrives before its order on the customer timeline once the order arrives', async () => {
    expect(await project(refundIssued('SO-1'))).toBe('parked');
    expect(await project(caseOpened('SO-1', '900'))).toBe('parked');
    expect(await timelineTypes('service-desk:900')).toEqual(['case.opened SO-1']);
    expect(await project(orderCreated('SO-1'))).toBe('timeline');
    expect(await timelineTypes('email:jon@example.com')).toEqual(['case.opened SO-1', 'order.created SO-1', 'refund.issued SO-1']);
    expect(await store.parkedTimelineEntries('SO-1')).toEqual([]);
    // The requester is now known to be this customer.
    expect(await store.resolveAlias('service-desk:900')).toBe('email:jon@example.com');
  });

  it('goes straight to the timeline when the order came first, and changes nothing on redelivery', async () => {
    await project(orderCreated('SO-2', 'ann@example.com'));
    expect(await project(refundIssued('SO-2'))).toBe('timeline');
    expect(await project(refundIssued('SO-2'))).toBe('timeline');
    expect(await project(orderCreated('SO-2', 'ann@example.com'))).toBe('timeline');
    expect(await timelineTypes('email:ann@example.com')).toEqual(['order.created SO-2', 'refund.issued SO-2']);
  });

  it('loses no entry when the order and the events about it are handled at the same time', async () => {
    for (let round = 0; round < 10; round++) {
      const orderId = `SO-race-${round}`;
      const email = `race${round}@example.com`;
      const events = [refundIssued(orderId), orderCreated(orderId, email), caseOpened(orderId, `r${round}`)];
      // Different interleavings: the order first, in the middle or last.
      const rotated = [...events.slice(round % 3), ...events.slice(0, round % 3)];
      await Promise.all(rotated.map((item) => project(item)));
      expect(await timelineTypes(`email:${email}`)).toEqual([`case.opened ${orderId}`, `order.created ${orderId}`, `refund.issued ${orderId}`]);
      expect(await store.parkedTimelineEntries(orderId)).toEqual([]);
    }
  });

  it('never re-points a requester already known by email when adopting a parked entry', async () => {
    await store.putAlias('service-desk:555', 'email:mia@example.com');
    await project(caseOpened('SO-3', '556'));
    expect(await store.resolveAlias('service-desk:556')).toBeUndefined();
    // A requester with a known email is not parked at all; one only inferred from the order is linked if still free.
    await store.parkTimelineEntry('SO-3', { eventId: 'evt_x', type: 'case.updated', occurredAt: '2026-11-27T10:01:00.000Z', system: 'service-desk', summary: 'x', entityId: 'C-x', orderId: 'SO-3' }, 'service-desk:555');
    await project(orderCreated('SO-3', 'leo@example.com'));
    expect(await store.resolveAlias('service-desk:555')).toBe('email:mia@example.com');
    expect(await store.resolveAlias('service-desk:556')).toBe('email:leo@example.com');
  });

  it('keeps an event whose order never arrives beside the order, not dropped', async () => {
    expect(await project(refundIssued('SO-before-go-live'))).toBe('parked');
    expect((await store.parkedTimelineEntries('SO-before-go-live')).map(({ entry }) => entry.type)).toEqual(['refund.issued']);
  });
});
