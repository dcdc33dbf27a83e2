import type { StoredInventoryLevel, TimelineEntry } from '../../../functions/core/read-models';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, makeReadApi, type ReadApiDependencies } from '../../../functions/read-api/query';

type ReadModelStore = ReadApiDependencies['store'];

const NOW = new Date('2026-11-27T12:00:00.000Z');
const STALE_AFTER_SECONDS = 300;

const entry = (eventId: string): TimelineEntry => ({
  eventId,
  type: 'order.created',
  occurredAt: '2026-11-27T10:00:00.000Z',
  system: 'shopify',
  summary: `Order for ${eventId} placed`,
  entityId: eventId,
});

/** An in-memory read model store: timelines by customer key, aliases and inventory levels, recording what was asked. */
const fakeStore = (seed: { timelines?: Record<string, TimelineEntry[]>; aliases?: Record<string, string>; inventory?: StoredInventoryLevel[] } = {}) => {
  const timelines = seed.timelines ?? {};
  const aliases = seed.aliases ?? {};
  const inventory = seed.inventory ?? [];
  const timelineCalls: Array<{ customerKey: string; limit: number; cursor?: string }> = [];
  const unused = () => Promise.reject(new Error('not used by the read API'));
  const store: ReadModelStore = {
    async timeline(customerKey, limit, cursor) {
      timelineCalls.push({ customerKey, limit, cursor });
      const all = timelines[customerKey] ?? [];
      const start = cursor ? Number(cursor) : 0;
      const next = start + limit;
      return { entries: all.slice(start, next), ...(next < all.length ? { nextCursor: String(next) } : {}) };
    },
    async resolveAlias(alias) {
      return aliases[alias];
    },
    async inventory(sku, location) {
      return inventory.filter((level) => level.sku === sku && (location === undefined || level.location === location));
    },
    putTimelineEntry: unused,
    putAlias: unused,
    putAliasIfAbsent: unused,
    putOrderCustomer: unused,
    orderCustomer: unused,
    parkTimelineEntry: unused,
    parkedTimelineEntries: unused,
    removeParkedTimelineEntry: unused,
    putInventoryLevel: unused,
  };
  return { store, timelineCalls };
};

const readApiOver = (store: ReadModelStore) => makeReadApi({ store, clock: { now: () => NOW }, inventoryStaleAfterSeconds: STALE_AFTER_SECONDS });

describe('customerTimeline', () => {
  const path = '/v1/customers/x/timeline';

  it('answers the timeline of a customer named by email under its email key', async () => {
    // Prepare
    const { store } = fakeStore({ timelines: { 'email:ada@example.com': [entry('e-1'), entry('e-2')] } });

    // Act
    const response = await readApiOver(store).customerTimeline('Ada@Example.com', {}, path);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ customerId: 'email:ada@example.com', entries: [entry('e-1'), entry('e-2')] });
  });

  it('follows a system id to the email key it is an alias of', async () => {
    // Prepare
    const { store } = fakeStore({ aliases: { 'shopify:42': 'email:ada@example.com' }, timelines: { 'email:ada@example.com': [entry('e-1')] } });

    // Act
    const response = await readApiOver(store).customerTimeline('shopify:42', {}, path);

    // Assess
    expect(JSON.parse(response.body)).toMatchObject({ customerId: 'email:ada@example.com', entries: [entry('e-1')] });
  });

  it('reads the timeline under the system id itself when it is no alias', async () => {
    // Prepare
    const { store } = fakeStore({ timelines: { 'zendesk:7': [entry('e-1')] } });

    // Act
    const response = await readApiOver(store).customerTimeline('zendesk:7', {}, path);

    // Assess
    expect(JSON.parse(response.body)).toMatchObject({ customerId: 'zendesk:7', entries: [entry('e-1')] });
  });

  it('reads an email key directly, never as an alias', async () => {
    // Prepare
    const { store } = fakeStore({ aliases: { 'email:ada@example.com': 'shopify:42' }, timelines: { 'email:ada@example.com': [entry('e-1')] } });

    // Act
    const response = await readApiOver(store).customerTimeline('email:ada@example.com', {}, path);

    // Assess
    expect(JSON.parse(response.body)).toMatchObject({ customerId: 'email:ada@example.com', entries: [entry('e-1')] });
  });

  it('trims a system id that is no alias before reading its timeline', async () => {
    // Prepare
    const { store } = fakeStore({ timelines: { 'zendesk:7': [entry('e-1')] } });

    // Act
    const response = await readApiOver(store).customerTimeline(' zendesk:7 ', {}, path);

    // Assess
    expect(JSON.parse(response.body)).toMatchObject({ customerId: 'zendesk:7', entries: [entry('e-1')] });
  });

  it('asks the store for one default page when no limit is given', async () => {
    // Prepare
    const { store, timelineCalls } = fakeStore({ timelines: { 'zendesk:7': [entry('e-1')] } });

    // Act
    await readApiOver(store).customerTimeline('zendesk:7', {}, path);

    // Assess
    expect(timelineCalls).toEqual([{ customerKey: 'zendesk:7', limit: DEFAULT_PAGE_SIZE, cursor: undefined }]);
  });

  it('pages with the limit and hands back the cursor of the next page', async () => {
    // Prepare
    const { store } = fakeStore({ timelines: { 'zendesk:7': [entry('e-1'), entry('e-2'), entry('e-3')] } });
    const api = readApiOver(store);

    // Act
    const first = JSON.parse((await api.customerTimeline('zendesk:7', { limit: '2' }, path)).body);
    const second = JSON.parse((await api.customerTimeline('zendesk:7', { limit: '2', cursor: first.nextCursor }, path)).body);

    // Assess
    expect(first).toEqual({ customerId: 'zendesk:7', entries: [entry('e-1'), entry('e-2')], nextCursor: '2' });
    expect(second).toEqual({ customerId: 'zendesk:7', entries: [entry('e-3')] });
  });

  it.each(['0', String(MAX_PAGE_SIZE + 1), '1.5', 'ten', ''])('rejects the limit "%s" as a 400 problem', async (limit) => {
    // Prepare
    const { store, timelineCalls } = fakeStore({ timelines: { 'zendesk:7': [entry('e-1')] } });

    // Act
    const response = await readApiOver(store).customerTimeline('zendesk:7', { limit }, path);

    // Assess
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body)).toMatchObject({ status: 400, instance: path, detail: expect.stringContaining(`from 1 to ${MAX_PAGE_SIZE}`) });
    expect(timelineCalls).toEqual([]);
  });

  it.each(['1', String(MAX_PAGE_SIZE)])('accepts the limit "%s" at the edge of the range', async (limit) => {
    // Prepare
    const { store, timelineCalls } = fakeStore({ timelines: { 'zendesk:7': [entry('e-1')] } });

    // Act
    const response = await readApiOver(store).customerTimeline('zendesk:7', { limit }, path);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(timelineCalls[0].limit).toBe(Number(limit));
  });

  it('answers 404 for a customer no event has named', async () => {
    // Prepare
    const { store } = fakeStore();

    // Act
    const response = await readApiOver(store).customerTimeline('zendesk:404', {}, path);

    // Assess
    expect(response.statusCode).toBe(404);
    expect(JSON.parse(response.body)).toMatchObject({ status: 404, instance: path, detail: expect.stringContaining('zendesk:404') });
  });

  it('answers an empty page past the end of a timeline rather than 404', async () => {
    // Prepare
    const { store } = fakeStore({ timelines: { 'zendesk:7': [entry('e-1')] } });

    // Act
    const response = await readApiOver(store).customerTimeline('zendesk:7', { cursor: '5' }, path);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ customerId: 'zendesk:7', entries: [] });
  });

  it('answers a store failure as a 500 problem without its internals', async () => {
    // Prepare
    const { store } = fakeStore();
    store.timeline = () => Promise.reject(new Error('table secret-table unreachable'));

    // Act
    const response = await readApiOver(store).customerTimeline('zendesk:7', {}, path);

    // Assess
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('secret-table');
  });
});

describe('inventory', () => {
  const path = '/v1/inventory/SKU-1';
  const levels: StoredInventoryLevel[] = [
    { sku: 'SKU-1', location: 'berlin', available: 3, asOf: '2026-11-27T11:59:00.000Z', source: 'erp' },
    { sku: 'SKU-1', location: 'paris', available: 4, asOf: '2026-11-27T11:00:00.000Z', source: 'erp' },
  ];

  it('answers availability over every location, judged stale against the clock', async () => {
    // Prepare
    const { store } = fakeStore({ inventory: levels });

    // Act
    const response = await readApiOver(store).inventory('SKU-1', {}, path);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({
      sku: 'SKU-1',
      totalAvailable: 7,
      asOf: '2026-11-27T11:00:00.000Z',
      stale: true,
      locations: [
        { location: 'berlin', ageSeconds: 60, stale: false },
        { location: 'paris', ageSeconds: 3600, stale: true },
      ],
    });
  });

  it('answers one location when the query names it', async () => {
    // Prepare
    const { store } = fakeStore({ inventory: levels });

    // Act
    const response = await readApiOver(store).inventory('SKU-1', { location: 'berlin' }, path);

    // Assess
    expect(JSON.parse(response.body)).toMatchObject({ totalAvailable: 3, stale: false, locations: [{ location: 'berlin' }] });
  });

  it('treats an empty location as every location', async () => {
    // Prepare
    const { store } = fakeStore({ inventory: levels });

    // Act
    const response = await readApiOver(store).inventory('SKU-1', { location: '' }, path);

    // Assess
    expect(JSON.parse(response.body).locations).toHaveLength(2);
  });

  it.each([
    ['an unknown SKU', 'SKU-404', {}, 'No inventory known for SKU "SKU-404".'],
    ['a location without the SKU', 'SKU-1', { location: 'rome' }, 'No inventory known for SKU "SKU-1" at location "rome".'],
  ])('answers 404 for %s', async (_name, sku, query, detail) => {
    // Prepare
    const { store } = fakeStore({ inventory: levels });

    // Act
    const response = await readApiOver(store).inventory(sku, query, path);

    // Assess
    expect(response.statusCode).toBe(404);
    expect(JSON.parse(response.body)).toMatchObject({ status: 404, instance: path, detail });
  });
});
