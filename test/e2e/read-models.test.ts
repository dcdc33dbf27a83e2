import { createHmac } from 'node:crypto';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { LocalStack } from '../../local/runtime';
import { signStandardWebhook } from '../../local/sign';
import { consumerBacklog } from '../support/consumer-backlog';
import { startE2eStack, type E2eStack } from '../support/e2e-stack';
import { eventually } from '../support/emulator';
import { loadFixture } from '../support/fixtures';
import { callerHeaders } from '../support/caller';

const SECRETS = {
  erp: 'whsec_' + Buffer.from('e2e-erp').toString('base64'),
  '3pl': 'whsec_' + Buffer.from('e2e-3pl').toString('base64'),
  shopify: 'e2e-shopify-secret',
  zendesk: 'e2e-zendesk-secret',
};

describe('connectors and agent read models on the local stack', () => {
  let e2e: E2eStack;
  let stack: LocalStack;
  let observer: E2eStack['observer'];
  let sqs: SQSClient;

  beforeAll(async () => {
    e2e = await startE2eStack('e2e-read', {
      signingSecrets: Object.fromEntries(Object.entries(SECRETS).map(([source, secret]) => [source, [secret]])),
      inventoryStaleAfterSeconds: 600,
    });
    ({ stack, observer, sqs } = e2e);
  }, 60_000);
  afterAll(async () => {
    await e2e?.stop();
  });

  const post = (source: string, rawBody: string, headers: Record<string, string>) => fetch(`${stack.url}/v1/webhooks/${source}`, { method: 'POST', headers, body: rawBody });
  const standard = (source: 'erp' | '3pl', type: string, data: Record<string, unknown>) => {
    const rawBody = JSON.stringify({ type, timestamp: new Date().toISOString(), data });
    return post(source, rawBody, signStandardWebhook(SECRETS[source], rawBody));
  };
  const shopify = (fixtureName: string) => {
    const fixture = loadFixture('shopify', fixtureName);
    const signature = createHmac('sha256', SECRETS.shopify).update(fixture.rawBody).digest('base64');
    return post('shopify', fixture.rawBody, { ...fixture.headers, 'X-Shopify-Triggered-At': new Date().toISOString(), 'X-Shopify-Hmac-Sha256': signature });
  };
  const zendesk = (rawBody: string) => {
    const timestamp = new Date().toISOString();
    const signature = createHmac('sha256', SECRETS.zendesk).update(timestamp + rawBody).digest('base64');
    return post('zendesk', rawBody, { 'content-type': 'application/json', 'X-Zendesk-Webhook-Signature': signature, 'X-Zendesk-Webhook-Signature-Timestamp': timestamp });
  };
  const getJson = async (path: string) => {
    const response = await fetch(`${stack.url}${path}`, { headers: callerHeaders });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };

  it('builds a customer timeline, newest first and paginated, from storefront, ERP and service-desk events', async () => {
    // Prepare
    const at = (minutes: number) => new Date(Date.UTC(2026, 10, 27, 9, minutes)).toISOString();
    const ticket = JSON.parse(loadFixture('zendesk', 'ticket.created').rawBody);
    ticket.id = 'zd-event-timeline-1';
    ticket.time = at(10);
    ticket.detail.tags = ['order_820982911946154508'];

    // Act
    expect((await shopify('orders__create')).status).toBe(202);
    expect((await standard('erp', 'refund.issued', { refundId: 'RF-9', orderId: '820982911946154508', occurredAt: at(5), amount: { amount: '12.00', currency: 'USD' } })).status).toBe(202);
    expect((await zendesk(JSON.stringify(ticket))).status).toBe(202);

    // Assess
    const page = await eventually(() => getJson('/v1/customers/jon@example.com/timeline'), (result) => result.status === 200 && result.body.entries.length === 3, 10_000);
    expect(page.body.entries.map((entry: { type: string }) => entry.type)).toEqual(['case.opened', 'refund.issued', 'order.created']);
    expect(page.body.customerId).toBe('email:jon@example.com');
    const first = await getJson('/v1/customers/jon@example.com/timeline?limit=2');
    expect(first.body.entries).toHaveLength(2);
    const second = await getJson(`/v1/customers/jon@example.com/timeline?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.entries.map((entry: { type: string }) => entry.type)).toEqual(['order.created']);
  });

  it.each([
    ['a bad page size with 400', '/v1/customers/jon@example.com/timeline?limit=0', 400],
    ['a bad cursor with 400', '/v1/customers/jon@example.com/timeline?cursor=garbage', 400],
    ['an unknown customer with 404', '/v1/customers/nobody@example.com/timeline', 404],
    ['an unknown SKU with 404', '/v1/inventory/SKU-NONE', 404],
  ])('answers %s', async (_name, path, status) => {
    // Act
    const response = await getJson(path);

    // Assess
    expect(response.status).toBe(status);
  });

  it('shows availability per location with its age, from ERP and warehouse events, newest wins', async () => {
    // Prepare
    const old = new Date(Date.now() - 3600_000).toISOString();
    const recent = new Date(Date.now() - 5_000).toISOString();

    // Act
    await standard('erp', 'inventory.level.changed', { sku: 'SKU-E2E', location: 'DC1', available: 12, occurredAt: recent });
    await standard('3pl', 'inventory.level.changed', { sku: 'SKU-E2E', location: 'WH-3PL', available: 4, occurredAt: old });
    await standard('erp', 'inventory.level.changed', { sku: 'SKU-E2E', location: 'DC1', available: 99, occurredAt: old });

    // Assess: ingest publishes before it answers, so once the consumers are idle every level has been projected.
    await eventually(() => getJson('/v1/inventory/SKU-E2E'), (result) => result.status === 200 && result.body.locations.length === 2, 10_000);
    await eventually(() => consumerBacklog(sqs, stack.resources.queues.values()), (backlog) => backlog === 0, 10_000);
    const settled = await getJson('/v1/inventory/SKU-E2E');
    expect(settled.body).toMatchObject({
      sku: 'SKU-E2E',
      totalAvailable: 16,
      stale: true,
      asOf: new Date(old).toISOString(),
      locations: [
        { location: 'DC1', available: 12, source: 'erp', stale: false },
        { location: 'WH-3PL', available: 4, source: '3pl', stale: true },
      ],
    });
  });

  it('shows one location when the query names it', async () => {
    // Prepare
    const now = new Date().toISOString();
    await standard('erp', 'inventory.level.changed', { sku: 'SKU-E2E-LOC', location: 'DC1', available: 1, occurredAt: now });
    await standard('3pl', 'inventory.level.changed', { sku: 'SKU-E2E-LOC', location: 'WH-3PL', available: 2, occurredAt: now });
    await eventually(() => getJson('/v1/inventory/SKU-E2E-LOC'), (result) => result.status === 200 && result.body.locations.length === 2, 10_000);

    // Act
    const response = await getJson('/v1/inventory/SKU-E2E-LOC?location=DC1');

    // Assess
    expect(response.body).toMatchObject({ totalAvailable: 1, locations: [{ location: 'DC1' }] });
    expect(response.body.locations).toHaveLength(1);
  });

  it('acknowledges an unmapped topic with 202, keeps it on the bus (and so in the archive)', async () => {
    // Prepare
    await observer.drain();
    const fixture = loadFixture('shopify', 'orders__create');
    // Delivered now: the fixture's trigger time is older than the ledger remembers, so it would be refused as a replay.
    const headers = { ...fixture.headers, 'X-Shopify-Topic': 'carts/update', 'X-Shopify-Webhook-Id': 'unmapped-delivery-1', 'X-Shopify-Triggered-At': new Date().toISOString() };

    // Act
    const response = await post('shopify', fixture.rawBody, { ...headers, 'X-Shopify-Hmac-Sha256': createHmac('sha256', SECRETS.shopify).update(fixture.rawBody).digest('base64') });

    // Assess
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({ duplicate: false, mapped: false });
    const kept = await eventually(() => observer.drain(), (events) => events.length > 0, 5_000);
    expect(kept[0]).toMatchObject({ 'detail-type': 'webhook.unmapped', detail: { origin: { system: 'storefront', type: 'carts/update' } } });
  });

  it('refuses a Shopify delivery with a bad signature', async () => {
    // Prepare
    const fixture = loadFixture('shopify', 'orders__create');

    // Act
    const response = await post('shopify', fixture.rawBody, { ...fixture.headers, 'X-Shopify-Hmac-Sha256': 'bm9wZQ==' });

    // Assess
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
  });

  it('has nothing in the read-model DLQ', async () => {
    // Act
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: stack.resources.queues.get('read-models')!.deadLetterUrl }));

    // Assess
    expect(Messages).toEqual([]);
  });
});
