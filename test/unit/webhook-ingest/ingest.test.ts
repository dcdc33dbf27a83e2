import type { CanonicalEvent } from '../../../functions/core/canonical/events';
import { DeliveryConflictError, TransientError } from '../../../functions/core/errors';
import type { DeliveryLedger } from '../../../functions/core/ports/delivery-ledger';
import type { EventPublisher } from '../../../functions/core/ports/event-publisher';
import { makeIngest, MAX_BODY_DEPTH, MAX_WEBHOOK_BODY_BYTES } from '../../../functions/webhook-ingest/ingest';
import { signShopifyWebhook, signStandardWebhook, signZendeskWebhook } from '../../../local/sign';

const SECRET = 'whsec_' + Buffer.from('unit-test-secret').toString('base64');
const SECRETS: Record<string, string[]> = { erp: [SECRET], shopify: ['shopify-unit-test-secret'], zendesk: ['zendesk-unit-test-secret'] };
const now = new Date();

/** A ledger double with the port's contract; the real one (DynamoDB) is tested against the emulator. */
const ledgerDouble = (): DeliveryLedger => {
  const seen = new Map<string, { fingerprint: string; result: Record<string, unknown> }>();
  return {
    async acceptOnce(key, fingerprint, accept) {
      const earlier = seen.get(key);
      if (earlier) {
        if (earlier.fingerprint !== fingerprint) throw new DeliveryConflictError('conflict');
        return { result: earlier.result as never, duplicate: true };
      }
      const result = await accept();
      seen.set(key, { fingerprint, result });
      return { result, duplicate: false };
    },
  };
};

const setup = (publisher?: EventPublisher) => {
  const published: CanonicalEvent[] = [];
  const ingest = makeIngest({
    secrets: { forSource: async (source) => SECRETS[source] ?? [] },
    publisher: publisher ?? { publish: async (events) => void published.push(...events) },
    ledger: ledgerDouble(),
    clock: { now: () => now },
  });
  return { ingest, published };
};

const body = (data: Record<string, unknown> = {}) =>
  JSON.stringify({ type: 'order.status.changed', timestamp: now.toISOString(), data: { orderId: 'SO-1', status: 'confirmed', version: 1, occurredAt: now.toISOString(), ...data } });

const request = (rawBody: string, headers: Record<string, string> = signStandardWebhook(SECRET, rawBody), source = 'erp') => ({ source, headers, rawBody, path: `/v1/webhooks/${source}` });

describe('webhook ingest', () => {
  it('publishes the canonical event and answers 202 with its id', async () => {
    // Prepare
    const { ingest, published } = setup();
    // Act
    const result = await ingest(request(body()));
    // Assess
    expect(result.response.statusCode).toBe(202);
    expect(JSON.parse(result.response.body)).toEqual({ eventId: published[0]!.detail.eventId, duplicate: false });
    expect(published).toHaveLength(1);
    expect(result.outcome).toBe('accepted');
  });

  it('answers a redelivery with duplicate: true and publishes nothing more', async () => {
    // Prepare
    const { ingest, published } = setup();
    const raw = body();
    const headers = signStandardWebhook(SECRET, raw);
    // Act
    const first = await ingest(request(raw, headers));
    const again = await ingest(request(raw, headers));
    // Assess
    expect(JSON.parse(again.response.body)).toEqual({ eventId: JSON.parse(first.response.body).eventId, duplicate: true });
    expect(published).toHaveLength(1);
  });

  it.each([
    ['a bad signature', () => request(body(), { ...signStandardWebhook(SECRET, body()), 'webhook-signature': 'v1,AAAA' }), 401],
    ['no signature', () => request(body(), { 'content-type': 'application/json' }), 401],
    ['a stale timestamp', () => request(body(), signStandardWebhook(SECRET, body(), { timestamp: new Date(Date.now() - 10 * 60_000) })), 401],
    ['malformed JSON', () => request('{"type":', signStandardWebhook(SECRET, '{"type":')), 400],
    ['a failing schema', () => request(body({ status: 'lost' }), signStandardWebhook(SECRET, body({ status: 'lost' }))), 400],
    ['an unknown source', () => request(body(), signStandardWebhook(SECRET, body()), 'nope'), 404],
  ])('answers %s with problem+json %i and publishes nothing', async (_label, build, status) => {
    // Prepare
    const { ingest, published } = setup();
    // Act
    const result = await ingest(build());
    // Assess
    expect(result.response.statusCode).toBe(status);
    expect(result.response.headers['content-type']).toBe('application/problem+json');
    expect(JSON.parse(result.response.body).detail).toEqual(expect.any(String));
    expect(published).toHaveLength(0);
  });

  it.each([
    ['declared text/plain', { 'content-type': 'text/plain' }],
    ['sent without a Content-Type', {}],
  ])('refuses a body %s with 415 before checking its signature, publishing nothing', async (_case, contentType: Record<string, string>) => {
    // Prepare
    const { ingest, published } = setup();
    const raw = body();
    const { 'content-type': _json, ...signed } = signStandardWebhook(SECRET, raw);
    // Act
    const result = await ingest(request(raw, { ...signed, ...contentType }));
    // Assess
    expect(result.response.statusCode).toBe(415);
    expect(JSON.parse(result.response.body)).toMatchObject({ type: 'https://retail-sync.dev/problems/unsupported-media-type', status: 415, detail: expect.stringContaining('application/json') });
    expect(result.outcome).toBe('unsupported-media-type');
    expect(published).toEqual([]);
  });

  it('takes application/json with a charset, whatever the header name\'s case', async () => {
    // Prepare
    const { ingest } = setup();
    const raw = body();
    const { 'content-type': _json, ...signed } = signStandardWebhook(SECRET, raw);
    // Act
    const result = await ingest(request(raw, { ...signed, 'Content-Type': 'Application/JSON; charset=utf-8' }));
    // Assess
    expect(result.response.statusCode).toBe(202);
  });

  it('refuses a body EventBridge could not carry with 413', async () => {
    // Prepare
    const { ingest } = setup();
    const raw = body({ note: 'x'.repeat(MAX_WEBHOOK_BODY_BYTES) });
    // Act
    const result = await ingest(request(raw));
    // Assess
    expect(result.response.statusCode).toBe(413);
  });

  it('refuses the same delivery id with a different body with 409', async () => {
    // Prepare
    const { ingest } = setup();
    await ingest(request(body(), signStandardWebhook(SECRET, body(), { id: 'msg_same' })));
    const changed = body({ version: 2 });
    // Act
    const result = await ingest(request(changed, signStandardWebhook(SECRET, changed, { id: 'msg_same' })));
    // Assess
    expect(result.response.statusCode).toBe(409);
  });

  it('answers 500 when the bus fails, so the sender retries, and does not remember the delivery', async () => {
    // Prepare
    let failing = true;
    const published: CanonicalEvent[] = [];
    const { ingest } = setup({
      publish: async (events) => {
        if (failing) throw new TransientError('EventBridge unavailable');
        published.push(...events);
      },
    });
    const raw = body();
    const headers = signStandardWebhook(SECRET, raw);
    // Act
    const first = await ingest(request(raw, headers));
    failing = false;
    const retry = await ingest(request(raw, headers));
    // Assess
    expect(first.response.statusCode).toBe(500);
    expect(retry.response.statusCode).toBe(202);
    expect(JSON.parse(retry.response.body).duplicate).toBe(false);
    expect(published).toHaveLength(1);
  });

  it('publishes at least once: when the bus fails after taking the events, the sender retry publishes them again under the same event ids', async () => {
    // Prepare: the bus takes the events, then the call fails (a lost response, or a crash before the delivery is recorded).
    let calls = 0;
    const published: CanonicalEvent[] = [];
    const { ingest } = setup({
      publish: async (events) => {
        published.push(...events);
        if (++calls === 1) throw new TransientError('EventBridge answered 500 after taking the events');
      },
    });
    const raw = body();
    const headers = signStandardWebhook(SECRET, raw);

    // Act
    const first = await ingest(request(raw, headers));
    const retry = await ingest(request(raw, headers));

    // Assess
    expect(first.response.statusCode).toBe(500);
    expect(retry.response.statusCode).toBe(202);
    expect(published).toHaveLength(2);
    expect(published[1]!.detail.eventId).toBe(published[0]!.detail.eventId);
    expect(JSON.parse(retry.response.body)).toEqual({ eventId: published[0]!.detail.eventId, duplicate: false });
  });

  it('acknowledges a verified type it does not map, marking it unmapped', async () => {
    // Prepare
    const { ingest, published } = setup();
    const raw = JSON.stringify({ type: 'payment.captured', timestamp: now.toISOString(), data: {} });
    // Act
    const result = await ingest(request(raw));
    // Assess
    expect(result.response.statusCode).toBe(202);
    expect(JSON.parse(result.response.body)).toMatchObject({ duplicate: false, mapped: false });
    expect(published[0]!.detailType).toBe('webhook.unmapped');
  });

  describe('Shopify (only the body is signed)', () => {
    const order = (extra: Record<string, unknown> = {}) =>
      JSON.stringify({ admin_graphql_api_id: 'gid://shopify/Order/820982911946154508', name: '#9999', email: 'jon@example.com', currency: 'USD', created_at: now.toISOString(), updated_at: now.toISOString(), cancelled_at: null, line_items: [], ...extra });
    const shopify = (rawBody: string, topic: string, id?: string) => request(rawBody, signShopifyWebhook(SECRETS.shopify![0]!, rawBody, { topic, id, timestamp: now }), 'shopify');

    it('answers a captured body replayed under a new X-Shopify-Webhook-Id as a duplicate and publishes nothing more', async () => {
      // Prepare
      const { ingest, published } = setup();
      const raw = order();
      // Act
      const first = await ingest(shopify(raw, 'orders/updated', 'webhook-1'));
      const replay = await ingest(shopify(raw, 'orders/updated', 'webhook-2'));
      // Assess
      expect(first.response.statusCode).toBe(202);
      expect(JSON.parse(replay.response.body)).toEqual({ eventId: JSON.parse(first.response.body).eventId, duplicate: true });
      expect(published).toHaveLength(1);
    });

    it('refuses with 400 an open order replayed as orders/cancelled, publishing nothing', async () => {
      // Prepare
      const { ingest, published } = setup();
      const raw = order();
      await ingest(shopify(raw, 'orders/updated'));
      // Act
      const forged = await ingest(shopify(raw, 'orders/cancelled'));
      // Assess
      expect(forged.response.statusCode).toBe(400);
      expect(JSON.parse(forged.response.body).errors).toEqual([{ path: 'cancelled_at', message: 'a cancelled order has cancelled_at' }]);
      expect(published.map((event) => event.detailType)).toEqual(['order.updated']);
    });
  });

  describe('canonical validation: what a consumer would refuse is a 400 at the edge', () => {
    const shopifyOrder = (line: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) =>
      JSON.stringify({
        admin_graphql_api_id: 'gid://shopify/Order/820982911946154508', name: '#9999', email: 'jon@example.com', currency: 'USD', created_at: now.toISOString(),
        line_items: [{ admin_graphql_api_id: 'gid://shopify/LineItem/866550311766439020', sku: 'MUG-BLUE', quantity: 1, price: '9.00', ...line }],
        ...extra,
      });
    const shopify = (rawBody: string) => request(rawBody, signShopifyWebhook(SECRETS.shopify![0]!, rawBody, { topic: 'orders/create', timestamp: now }), 'shopify');
    const zendeskTicket = (ticketId: string) => {
      const rawBody = JSON.stringify({ id: 'zd-event-1', type: 'zen:event-type:ticket.created', time: now.toISOString(), detail: { id: ticketId, status: 'NEW', tags: [] }, event: {} });
      return request(rawBody, signZendeskWebhook(SECRETS.zendesk![0]!, rawBody, { timestamp: now }), 'zendesk');
    };

    it.each([
      ['a Shopify order with an invalid email', () => shopify(shopifyOrder({}, { email: 'not-an-email' })), 'data.customer.email'],
      ['a Shopify line whose gid has no id', () => shopify(shopifyOrder({ admin_graphql_api_id: 'gid://shopify/LineItem/' })), 'data.lines.0.lineId'],
      ['a Shopify line with a negative quantity', () => shopify(shopifyOrder({ quantity: -1 })), 'data.lines.0.quantity'],
      ['a Shopify SKU with a control character', () => shopify(shopifyOrder({ sku: 'MUG\u0007' })), 'data.lines.0.sku'],
      ['a Zendesk ticket with an empty id', () => zendeskTicket(''), 'data.caseId'],
      ['an ERP order id with a lone surrogate', () => request(body({ orderId: 'SO-\ud800' })), 'data.orderId'],
      ['an ERP order id with a control character', () => request(body({ orderId: 'SO-1\n' })), 'data.orderId'],
      ['an ERP order id longer than 256 characters', () => request(body({ orderId: 'S'.repeat(257) })), 'data.orderId'],
    ])('refuses %s with 400 naming the field, and publishes nothing', async (_label, build, field) => {
      // Prepare
      const { ingest, published } = setup();
      // Act
      const result = await ingest(build());
      // Assess
      expect(result.response.statusCode).toBe(400);
      expect(JSON.parse(result.response.body).errors).toContainEqual(expect.objectContaining({ path: field }));
      expect(published).toHaveLength(0);
    });

    it('accepts a Shopify order without an email or SKU ("" is how Shopify says none)', async () => {
      // Prepare
      const { ingest, published } = setup();
      // Act
      const result = await ingest(shopify(shopifyOrder({ sku: '' }, { email: '' })));
      // Assess
      expect(result.response.statusCode).toBe(202);
      expect(published[0]!.detail.data).toMatchObject({ lines: [{ lineId: '866550311766439020' }] });
      expect((published[0]!.detail.data as { lines: Array<{ sku?: string }> }).lines[0]!.sku).toBeUndefined();
    });

    it('accepts an id of 256 characters, any script and emoji', async () => {
      // Prepare
      const { ingest } = setup();
      // Act
      const longest = await ingest(request(body({ orderId: 'S'.repeat(256) })));
      const unicode = await ingest(request(body({ orderId: 'Bestellung-Größe-注文-📦' })));
      // Assess
      expect(longest.response.statusCode).toBe(202);
      expect(unicode.response.statusCode).toBe(202);
    });
  });

  describe('bounds on what is forwarded', () => {
    const unmapped = (data: string) => `{"type":"payment.captured","timestamp":"${now.toISOString()}","data":${data}}`;
    const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

    it.each([
      ['nested 1,000 deep', 1_000],
      ['nested 100,000 deep (deeper than a recursive walk survives)', 100_000],
    ])('refuses a signed body %s with 400 and publishes nothing', async (_label, depth) => {
      // Prepare
      const { ingest, published } = setup();
      const raw = unmapped(nested(depth));
      // Act
      const result = await ingest(request(raw));
      // Assess
      expect(result.response.statusCode).toBe(400);
      expect(JSON.parse(result.response.body).detail).toBe(`The body is nested more than ${MAX_BODY_DEPTH} levels deep; at most ${MAX_BODY_DEPTH} are accepted.`);
      expect(published).toHaveLength(0);
    });

    it(`accepts a body nested ${MAX_BODY_DEPTH} deep`, async () => {
      // Prepare: the envelope is one level, its data the rest.
      const { ingest, published } = setup();
      // Act
      const result = await ingest(request(unmapped(nested(MAX_BODY_DEPTH - 1))));
      // Assess
      expect(result.response.statusCode).toBe(202);
      expect(published).toHaveLength(1);
    });

    it('refuses with 400 a body under the size limit whose event would outgrow what EventBridge carries', async () => {
      // Prepare: "1e9" is 3 bytes in the body and 10 once parsed and serialized again.
      const { ingest, published } = setup();
      const raw = unmapped(`[${Array.from({ length: 55_000 }, () => '1e9').join(',')}]`);
      // Act
      const result = await ingest(request(raw));
      // Assess
      expect(Buffer.byteLength(raw)).toBeLessThan(MAX_WEBHOOK_BODY_BYTES);
      expect(result.response.statusCode).toBe(400);
      expect(JSON.parse(result.response.body).detail).toMatch(/^The delivery's webhook.unmapped event would take \d+ bytes on the bus; EventBridge carries at most 262144\.$/);
      expect(published).toHaveLength(0);
    });
  });
});
