import type { CanonicalEvent } from '../../../functions/core/canonical/events';
import { DeliveryConflictError, TransientError } from '../../../functions/core/errors';
import type { DeliveryLedger } from '../../../functions/core/ports/delivery-ledger';
import type { EventPublisher } from '../../../functions/core/ports/event-publisher';
import { makeIngest, MAX_WEBHOOK_BODY_BYTES } from '../../../functions/webhook-ingest/ingest';
import { signStandardWebhook } from '../../../local/sign';

const SECRET = 'whsec_' + Buffer.from('unit-test-secret').toString('base64');
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
    secrets: { forSource: async (source) => (source === 'erp' ? [SECRET] : []) },
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
});
