import { customerKeyOf, normaliseCustomerId, timelineFacts, toInventoryView, TIMELINE_TYPES, type StoredInventoryLevel } from '../../../functions/core/read-models';

type TimelineEvent = Parameters<typeof timelineFacts>[0];

/** A canonical event as the projector receives it, with only the fields the timeline reads. */
const eventOf = (detailType: string, data: Record<string, unknown>): TimelineEvent =>
  ({
    detailType,
    detail: { eventId: `evt-${detailType}`, data: { occurredAt: '2026-11-27T10:00:00+01:00', source: { system: 'shopify', id: 'entity-1' }, ...data } },
  }) as unknown as TimelineEvent;

const level = (location: string, available: number, asOf: string, extra: Partial<StoredInventoryLevel> = {}): StoredInventoryLevel => ({
  sku: 'SKU-1',
  location,
  available,
  asOf,
  source: 'erp',
  ...extra,
});

describe('customerKeyOf', () => {
  it.each([
    ['keys a customer by lower-cased, trimmed email and keeps the system id as alias', { id: '42', email: ' Ada@Example.COM ' }, { key: 'email:ada@example.com', alias: 'shopify:42' }],
    ['gives only an alias when no email is known', { id: '42' }, { key: undefined, alias: 'shopify:42' }],
    ['gives only a key when no system id is known', { email: 'ada@example.com' }, { key: 'email:ada@example.com', alias: undefined }],
    ['gives neither when the event names no customer', undefined, { key: undefined, alias: undefined }],
  ])('%s', (_name, customer, expected) => {
    // Prepare
    const system = 'shopify';

    // Act
    const keys = customerKeyOf(system, customer);

    // Assess
    expect(keys).toEqual(expected);
  });
});

describe('normaliseCustomerId', () => {
  it.each([
    ['turns a bare email into a lower-cased email key', 'Ada@Example.com', 'email:ada@example.com'],
    ['lower-cases an email key', 'email:Ada@Example.com', 'email:ada@example.com'],
    ['keeps a system id as given, trimmed', ' shopify:42 ', 'shopify:42'],
    ['keeps the case of a system id', 'zendesk:AbC', 'zendesk:AbC'],
  ])('%s', (_name, customerId, expected) => {
    // Prepare: the customer id as a caller passes it

    // Act
    const normalised = normaliseCustomerId(customerId);

    // Assess
    expect(normalised).toBe(expected);
  });
});

describe('timelineFacts', () => {
  it.each([
    ['order.created', { orderId: 'o-1', total: { amount: '12.50', currency: 'EUR' } }, 'Order o-1 placed (12.50 EUR)'],
    ['order.created', { orderId: 'o-1' }, 'Order o-1 placed'],
    ['order.cancelled', { orderId: 'o-1' }, 'Order o-1 cancelled'],
    ['shipment.dispatched', { orderId: 'o-1', shipmentId: 's-1', status: 'in_transit', carrier: 'DHL' }, 'Shipment s-1 for order o-1 in transit with DHL'],
    ['shipment.dispatched', { orderId: 'o-1', shipmentId: 's-1', status: 'dispatched' }, 'Shipment s-1 for order o-1 dispatched'],
    ['shipment.exception', { orderId: 'o-1', shipmentId: 's-1', exception: 'address unknown' }, 'Shipment s-1 for order o-1 has a delivery exception: address unknown'],
    ['return.received', { orderId: 'o-1', returnId: 'r-1', status: 'closed' }, 'Return r-1 for order o-1 closed'],
    ['return.received', { orderId: 'o-1', returnId: 'r-1', status: 'received' }, 'Return r-1 for order o-1 received'],
    ['refund.issued', { orderId: 'o-1', refundId: 'f-1', amount: { amount: '5.00', currency: 'USD' } }, 'Refund f-1 issued for order o-1 (5.00 USD)'],
    ['refund.failed', { orderId: 'o-1', refundId: 'f-1', failureReason: 'card expired' }, 'Refund f-1 for order o-1 failed: card expired'],
    ['case.opened', { caseId: 'c-1', subject: 'Where is my parcel?' }, 'Case c-1 opened: Where is my parcel?'],
    ['case.updated', { caseId: 'c-1', previousStatus: 'open', status: 'pending' }, 'Case c-1 updated (open -> pending)'],
    ['interaction.recorded', { caseId: 'c-1', authorIsAgent: true, public: true, summary: 'On its way' }, 'Agent replied on case c-1: On its way'],
    ['interaction.recorded', { caseId: 'c-1', authorIsAgent: false, public: false, summary: 'x'.repeat(200) }, `Customer noted on case c-1: ${'x'.repeat(140)}`],
  ])('summarises %s as "%s"', (detailType, data, summary) => {
    // Prepare
    const event = eventOf(detailType, data);

    // Act
    const facts = timelineFacts(event);

    // Assess
    expect(facts?.entry.summary).toBe(summary);
  });

  it('builds the entry with a UTC instant, the source and the order and case it concerns', () => {
    // Prepare
    const event = eventOf('case.opened', { caseId: 'c-1', orderId: 'o-1', customer: { id: '7', email: 'Ada@example.com' } });

    // Act
    const facts = timelineFacts(event);

    // Assess
    expect(facts).toEqual({
      entry: { eventId: 'evt-case.opened', type: 'case.opened', occurredAt: '2026-11-27T09:00:00.000Z', system: 'shopify', summary: 'Case c-1 opened', entityId: 'entity-1', orderId: 'o-1', caseId: 'c-1' },
      key: 'email:ada@example.com',
      alias: 'shopify:7',
    });
  });

  it("puts a workflow's milestone on the timeline of the order's customer, with the workflow as its source", () => {
    // Prepare
    const transition = { workflowId: 'rr-1-SO-1-abc', workflow: 'refund-or-replacement', caseId: '1', orderId: 'SO-1', milestone: 'refund-issued', state: 'running', actor: 'erp', cause: 'Refund ERP-4 of 30.00 EUR issued in the ERP.', occurredAt: '2026-11-27T09:00:00Z' };
    const event = { detailType: 'workflow.step.completed', detail: { eventId: 'evt-wf', data: transition } } as unknown as TimelineEvent;

    // Act
    const facts = timelineFacts(event);

    // Assess: no customer named, so the projector files it under the order's customer.
    expect(facts).toEqual({
      entry: { eventId: 'evt-wf', type: 'workflow.step.completed', occurredAt: '2026-11-27T09:00:00.000Z', system: 'retail-sync', summary: 'Refund or replacement for order SO-1: Refund ERP-4 of 30.00 EUR issued in the ERP.', entityId: 'rr-1-SO-1-abc', orderId: 'SO-1', caseId: '1' },
      key: undefined,
      alias: undefined,
    });
  });

  it('finds the customer of a case through its requester', () => {
    // Prepare
    const event = eventOf('case.resolved', { caseId: 'c-1', requester: { id: '9' } });

    // Act
    const facts = timelineFacts(event);

    // Assess
    expect(facts).toMatchObject({ key: undefined, alias: 'shopify:9' });
  });

  it('leaves out order and case ids that the event does not carry', () => {
    // Prepare
    const event = eventOf('invoice.posted', { invoiceId: 'i-1' });

    // Act
    const facts = timelineFacts(event);

    // Assess
    expect(facts?.entry).not.toHaveProperty('orderId');
    expect(facts?.entry).not.toHaveProperty('caseId');
  });

  it('ignores event types that do not belong on a timeline', () => {
    // Prepare
    const event = eventOf('inventory.level.changed', { sku: 'SKU-1' });

    // Act
    const facts = timelineFacts(event);

    // Assess
    expect(TIMELINE_TYPES).not.toContain('inventory.level.changed');
    expect(facts).toBeUndefined();
  });
});

describe('toInventoryView', () => {
  const now = new Date('2026-11-27T12:00:00.000Z');

  it('sums what is available over locations, counting oversold locations as zero', () => {
    // Prepare
    const levels = [level('berlin', 5, '2026-11-27T11:59:00.000Z'), level('paris', -3, '2026-11-27T11:59:00.000Z'), level('amsterdam', 2, '2026-11-27T11:59:00.000Z')];

    // Act
    const view = toInventoryView('SKU-1', levels, now, 300);

    // Assess
    expect(view.totalAvailable).toBe(7);
  });

  it('lists locations by name with their age and keeps on-hand only where known', () => {
    // Prepare
    const levels = [level('paris', 1, '2026-11-27T11:58:00.000Z'), level('berlin', 2, '2026-11-27T11:59:30.000Z', { onHand: 4 })];

    // Act
    const view = toInventoryView('SKU-1', levels, now, 300);

    // Assess
    expect(view.locations).toEqual([
      { location: 'berlin', available: 2, onHand: 4, asOf: '2026-11-27T11:59:30.000Z', source: 'erp', ageSeconds: 30, stale: false },
      { location: 'paris', available: 1, asOf: '2026-11-27T11:58:00.000Z', source: 'erp', ageSeconds: 120, stale: false },
    ]);
  });

  it.each([
    ['is fresh at exactly the staleness limit', '2026-11-27T11:55:00.000Z', false],
    ['is stale one second past the staleness limit', '2026-11-27T11:54:59.000Z', true],
  ])('a location %s', (_name, asOf, stale) => {
    // Prepare
    const levels = [level('berlin', 1, asOf)];

    // Act
    const view = toInventoryView('SKU-1', levels, now, 300);

    // Assess
    expect(view.locations[0].stale).toBe(stale);
    expect(view.stale).toBe(stale);
  });

  it('dates the whole answer by its oldest location and calls it stale when any location is', () => {
    // Prepare
    const levels = [level('berlin', 1, '2026-11-27T11:59:00.000Z'), level('paris', 1, '2026-11-27T10:00:00.000Z')];

    // Act
    const view = toInventoryView('SKU-1', levels, now, 300);

    // Assess
    expect(view).toMatchObject({ asOf: '2026-11-27T10:00:00.000Z', stale: true });
  });

  it('gives a level dated in the future an age of zero', () => {
    // Prepare
    const levels = [level('berlin', 1, '2026-11-27T12:05:00.000Z')];

    // Act
    const view = toInventoryView('SKU-1', levels, now, 300);

    // Assess
    expect(view.locations[0].ageSeconds).toBe(0);
  });

  it('dates an answer without locations now', () => {
    // Prepare
    const levels: StoredInventoryLevel[] = [];

    // Act
    const view = toInventoryView('SKU-1', levels, now, 300);

    // Assess
    expect(view).toEqual({ sku: 'SKU-1', totalAvailable: 0, locations: [], asOf: '2026-11-27T12:00:00.000Z', stale: false });
  });
});
