import type { ErpResourceChange } from '../../../../functions/core/canonical/model';
import type { OrderStatusSnapshot } from '../../../../functions/core/canonical/order';
import type { CanonicalEvent } from '../../../../functions/core/canonical/events';
import { makeErpChangeReader, makeSubscriptionKeeper } from '../../../../functions/core/erp/change-notifications';
import { ValidationError } from '../../../../functions/core/errors';
import type { DeliveryLedger } from '../../../../functions/core/ports/delivery-ledger';
import type { ErpSubscription } from '../../../../functions/core/ports/erp-subscriptions';

const now = new Date('2026-11-29T10:00:00Z');
const clock = { now: () => now };
const COMPANY = 'api/v2.0/companies(c0ffee00-0000-4000-8000-00000000b0c0)';

/** The ledger's contract in memory: the first call per key runs, later ones get its result. */
const memoryLedger = (): DeliveryLedger => {
  const results = new Map<string, Record<string, unknown>>();
  return {
    async acceptOnce(key, _fingerprint, accept) {
      if (results.has(key)) return { result: results.get(key) as never, duplicate: true };
      const result = await accept();
      results.set(key, result);
      return { result, duplicate: false };
    },
  };
};

const change = (overrides: Partial<ErpResourceChange> = {}): ErpResourceChange => ({
  subscriptionId: 'sub-1',
  resource: `${COMPANY}/salesOrders(b6f4017a-b749-ee11-ad0b-a1422c0f7f1f)`,
  changeType: 'updated',
  lastModifiedDateTime: '2026-11-29T09:59:30.000Z',
  ...overrides,
});
const order: OrderStatusSnapshot = { orderId: 'SO-1', status: 'shipped', version: Date.parse('2026-11-29T09:59:30.000Z'), occurredAt: '2026-11-29T09:59:30.000Z' };

describe('reading what a change notification names', () => {
  const setUp = (erp: Partial<Parameters<typeof makeErpChangeReader>[0]['erp']> = {}) => {
    const published: CanonicalEvent[] = [];
    const reads: string[] = [];
    const read = makeErpChangeReader({
      erp: {
        getOrderByResource: async (resource) => (reads.push(resource), order),
        listOrdersChanged: async () => ({ orders: [], unreadable: [] }),
        ...erp,
      },
      ledger: memoryLedger(),
      publisher: { publish: async (events) => void published.push(...events) },
      clock,
    });
    return { read, published, reads };
  };

  it("publishes the order's state it reads, once per resource and change time", async () => {
    // Prepare
    const { read, published, reads } = setUp();

    // Act
    const first = await read(change(), 'bc_1');
    const again = await read(change(), 'bc_2');

    // Assess
    expect([first.outcome, again.outcome]).toEqual(['published', 'duplicate']);
    expect(reads).toHaveLength(1);
    expect(published).toEqual([expect.objectContaining({ detailType: 'order.status.changed', detail: expect.objectContaining({ correlationId: 'bc_1', data: order }) })]);
  });

  it('reads the same resource again for a later change', async () => {
    // Prepare
    const { read, reads } = setUp();

    // Act
    await read(change(), 'bc_1');
    await read(change({ lastModifiedDateTime: '2026-11-29T09:59:45.000Z' }), 'bc_2');

    // Assess
    expect(reads).toHaveLength(2);
  });

  it('leaves a deleted order, and an entity that is no sales order, unread', async () => {
    // Prepare
    const { read, reads, published } = setUp();

    // Act
    const deleted = await read(change({ changeType: 'deleted' }), 'bc_1');
    const customer = await read(change({ resource: `${COMPANY}/customers(b6f4017a-b749-ee11-ad0b-a1422c0f7f1f)` }), 'bc_2');

    // Assess
    expect([deleted.outcome, customer.outcome]).toEqual(['gone', 'not-an-order']);
    expect(reads).toEqual([]);
    expect(published).toEqual([]);
  });

  it("leaves a sales order of another company alone, without failing (the adapter refuses to read it)", async () => {
    // Prepare
    const { read, published } = setUp({
      getOrderByResource: async () => {
        throw new ValidationError('The changed resource is not a sales order of this ERP', []);
      },
    });

    // Act
    const outcome = await read(change({ resource: 'api/v2.0/companies(00000000-0000-0000-0000-000000000001)/salesOrders(b6f4017a-b749-ee11-ad0b-a1422c0f7f1f)' }), 'bc_1');

    // Assess
    expect(outcome).toEqual({ outcome: 'not-an-order', published: 0 });
    expect(published).toEqual([]);
  });

  it('reads a collection a page at a time from the time its filter names', async () => {
    // Prepare
    const windows: Array<{ since: Date; until: Date; cursor?: string }> = [];
    const { read, published } = setUp({
      listOrdersChanged: async (window, cursor) => {
        windows.push({ ...window, cursor });
        return cursor ? { orders: [{ ...order, orderId: 'SO-2' }], unreadable: [] } : { orders: [order], unreadable: [], nextCursor: 'page-2' };
      },
    });

    // Act
    const outcome = await read(change({ changeType: 'collection', resource: `${COMPANY}/salesOrders?$filter=lastModifiedDateTime%20gt%202026-11-29T09:00:00Z` }), 'bc_1');

    // Assess
    expect(outcome).toEqual({ outcome: 'collection-read', published: 2 });
    expect(windows.map((window) => [window.since.toISOString(), window.until.toISOString(), window.cursor])).toEqual([
      ['2026-11-29T09:00:00.000Z', now.toISOString(), undefined],
      ['2026-11-29T09:00:00.000Z', now.toISOString(), 'page-2'],
    ]);
    expect(published.map((event) => (event.detail as { data: OrderStatusSnapshot }).data.orderId)).toEqual(['SO-1', 'SO-2']);
  });
});

describe('keeping the Business Central subscriptions', () => {
  const NOTIFY = 'https://api.example.org/prod/v1/webhooks/businesscentral';
  const RESOURCE = `${COMPANY}/salesOrders`;
  const subscription = (overrides: Partial<ErpSubscription> = {}): ErpSubscription => ({
    subscriptionId: 'sub-1',
    notificationUrl: NOTIFY,
    resource: RESOURCE,
    clientState: 'state-new',
    expirationDateTime: new Date(now.getTime() + 2.5 * 24 * 3600_000).toISOString(),
    etag: 'W/"1"',
    ...overrides,
  });
  const keep = async (existing: ErpSubscription[]) => {
    const calls: string[] = [];
    const keeper = makeSubscriptionKeeper({
      subscriptions: {
        list: async () => existing,
        create: async (request) => (calls.push(`create ${request.resource} ${request.clientState}`), subscription()),
        renew: async (found, clientState) => (calls.push(`renew ${found.subscriptionId} ${clientState}`), found),
      },
      notificationUrl: NOTIFY,
      resources: [RESOURCE],
      clientStateFor: () => 'state-new',
      clock,
    });
    return { outcome: await keeper(), calls };
  };

  it.each([
    ['creates the subscription when there is none', [], ['create ' + RESOURCE + ' state-new']],
    ['keeps a live one', [subscription()], []],
    ['renews one within a day of expiring', [subscription({ expirationDateTime: new Date(now.getTime() + 3600_000).toISOString() })], ['renew sub-1 state-new']],
    ['renews one carrying the clientState of a rotated secret', [subscription({ clientState: 'state-old' })], ['renew sub-1 state-new']],
    ['creates a new one when the only one has expired', [subscription({ expirationDateTime: new Date(now.getTime() - 1000).toISOString() })], ['create ' + RESOURCE + ' state-new']],
    ["leaves another integration's subscription alone", [subscription({ notificationUrl: 'https://elsewhere.example.org/hook' })], ['create ' + RESOURCE + ' state-new']],
  ])('%s', async (_name, existing, expected) => {
    // Act
    const { calls } = await keep(existing);

    // Assess
    expect(calls).toEqual(expected);
  });
});
