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

  it("shows a case that arrives before its order on the requester's own timeline meanwhile", async () => {
    // Act
    const outcome = await project(caseOpened('SO-1a', '900'));

    // Assess
    expect(outcome).toBe('parked');
    expect(await timelineTypes('service-desk:900')).toEqual(['case.opened SO-1a']);
  });

  it('puts the events that arrived before their order on the customer timeline once the order arrives', async () => {
    // Prepare
    expect(await project(refundIssued('SO-1b'))).toBe('parked');
    expect(await project(caseOpened('SO-1b', '901'))).toBe('parked');

    // Act
    const outcome = await project(orderCreated('SO-1b', 'jon@example.com'));

    // Assess
    expect(outcome).toBe('timeline');
    expect(await timelineTypes('email:jon@example.com')).toEqual(['case.opened SO-1b', 'order.created SO-1b', 'refund.issued SO-1b']);
    expect(await store.parkedTimelineEntries('SO-1b')).toEqual([]);
  });

  it('learns that the requester of a parked case is the customer of the order', async () => {
    // Prepare
    await project(caseOpened('SO-1c', '902'));

    // Act
    await project(orderCreated('SO-1c', 'kim@example.com'));

    // Assess
    expect(await store.resolveAlias('service-desk:902')).toBe('email:kim@example.com');
  });

  it('goes straight to the timeline when the order came first', async () => {
    // Prepare
    await project(orderCreated('SO-2a', 'ann@example.com'));

    // Act
    const outcome = await project(refundIssued('SO-2a'));

    // Assess
    expect(outcome).toBe('timeline');
    expect(await timelineTypes('email:ann@example.com')).toEqual(['order.created SO-2a', 'refund.issued SO-2a']);
  });

  it('changes nothing on redelivery', async () => {
    // Prepare
    await project(orderCreated('SO-2b', 'eve@example.com'));
    await project(refundIssued('SO-2b'));

    // Act
    const outcomes = [await project(refundIssued('SO-2b')), await project(orderCreated('SO-2b', 'eve@example.com'))];

    // Assess
    expect(outcomes).toEqual(['timeline', 'timeline']);
    expect(await timelineTypes('email:eve@example.com')).toEqual(['order.created SO-2b', 'refund.issued SO-2b']);
  });

  it.each(Array.from({ length: 10 }, (_, round) => round))('loses no entry when the order and the events about it are handled at the same time (round %i)', async (round) => {
    // Prepare: different interleavings, the order first, in the middle or last.
    const orderId = `SO-race-${round}`;
    const email = `race${round}@example.com`;
    const events = [refundIssued(orderId), orderCreated(orderId, email), caseOpened(orderId, `r${round}`)];
    const rotated = [...events.slice(round % 3), ...events.slice(0, round % 3)];

    // Act
    await Promise.all(rotated.map((item) => project(item)));

    // Assess
    expect(await timelineTypes(`email:${email}`)).toEqual([`case.opened ${orderId}`, `order.created ${orderId}`, `refund.issued ${orderId}`]);
    expect(await store.parkedTimelineEntries(orderId)).toEqual([]);
  });

  it('never re-points a requester already known by email when adopting a parked entry', async () => {
    // Prepare: a requester with a known email is not parked at all; one only inferred from the order is linked if still free.
    await store.putAlias('service-desk:555', 'email:mia@example.com');
    await project(caseOpened('SO-3', '556'));
    expect(await store.resolveAlias('service-desk:556')).toBeUndefined();
    await store.parkTimelineEntry('SO-3', { eventId: 'evt_x', type: 'case.updated', occurredAt: '2026-11-27T10:01:00.000Z', system: 'service-desk', summary: 'x', entityId: 'C-x', orderId: 'SO-3' }, 'service-desk:555');

    // Act
    await project(orderCreated('SO-3', 'leo@example.com'));

    // Assess
    expect(await store.resolveAlias('service-desk:555')).toBe('email:mia@example.com');
    expect(await store.resolveAlias('service-desk:556')).toBe('email:leo@example.com');
  });

  it('keeps an event whose order never arrives beside the order, not dropped', async () => {
    // Act
    const outcome = await project(refundIssued('SO-before-go-live'));

    // Assess
    expect(outcome).toBe('parked');
    expect((await store.parkedTimelineEntries('SO-before-go-live')).map(({ entry }) => entry.type)).toEqual(['refund.issued']);
  });
});
