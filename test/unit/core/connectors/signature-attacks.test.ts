import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { clientStateFor } from '../../../../functions/core/connectors/business-central';
import { connectorIn, makeConnectorRegistry, WEBHOOK_SOURCES } from '../../../../functions/core/connectors/registry';
import { SignatureInvalidError, ValidationError } from '../../../../functions/core/errors';
import { DEVELOPMENT_SECRETS } from '../../../../local/dev-secrets';
import { signDelivery, signShopifyWebhook, signStandardWebhook, signZendeskWebhook } from '../../../../local/sign';

/**
 * The signature attack table, for every source: what an attacker can do with a captured or forged
 * delivery, and what the connector answers. `accept` means verified (a replay is then stopped by
 * deduplication on the delivery id, checked where it says so); 401 and 400 are the errors ingest answers.
 */
const now = new Date();
const registry = makeConnectorRegistry();
type Outcome = 'accept' | 401 | 400;
type Delivery = { headers: Record<string, string>; body: string };

const verify = (source: string, delivery: Delivery, secrets = [DEVELOPMENT_SECRETS[source]!]) =>
  connectorIn(registry, source).verify({ headers: delivery.headers, rawBody: delivery.body, receivedAt: now }, secrets);
/** What ingest would answer: verified and mapped, or the error (the topic's fit is checked when mapping). */
const outcomeOf = (source: string, delivery: Delivery, secrets?: string[]): Outcome => {
  try {
    connectorIn(registry, source).map(verify(source, delivery, secrets), now);
    return 'accept';
  } catch (error) {
    if (error instanceof SignatureInvalidError) return 401;
    if (error instanceof ValidationError) return 400;
    throw error;
  }
};

const SAMPLES: Record<string, [string, Record<string, unknown>]> = {
  erp: ['order.status.changed', { orderId: 'SO-1001', status: 'shipped', version: 2 }],
  '3pl': ['shipment.dispatched', { shipmentId: 'SH-1', orderId: 'SO-1001' }],
  // Shopify's published sample order, not cancelled (the sample has cancelled_at set).
  shopify: ['orders/create', { ...(JSON.parse(readFileSync(join(__dirname, '../../../fixtures/shopify/orders__create.json'), 'utf8')) as { body: Record<string, unknown> }).body, cancelled_at: null }],
  zendesk: ['zen:event-type:ticket.status_changed', { id: '4711' }],
  businesscentral: ['updated', { resource: 'api/v2.0/companies(c0ffee00-0000-4000-8000-00000000b0c0)/salesOrders(b6f4017a-b749-ee11-ad0b-a1422c0f7f1f)' }],
};
const valid = (source: string, at = now): Delivery => {
  const [type, data] = SAMPLES[source]!;
  const { body, headers } = signDelivery(source, type, data, DEVELOPMENT_SECRETS[source]!, { id: 'delivery-1', now: at });
  return { body, headers: headers as Record<string, string> };
};
/** The header that carries each source's proof (for Business Central, the proof is in the body). */
const SIGNATURE_HEADER: Record<string, string | undefined> = {
  erp: 'webhook-signature',
  '3pl': 'webhook-signature',
  shopify: 'x-shopify-hmac-sha256',
  zendesk: 'x-zendesk-webhook-signature',
  businesscentral: undefined,
};
const withHeader = (delivery: Delivery, name: string, value: string | undefined): Delivery => {
  const headers = { ...delivery.headers };
  if (value === undefined) delete headers[name];
  else headers[name] = value;
  return { ...delivery, headers };
};
const withClientState = (delivery: Delivery, clientState: string | undefined): Delivery => {
  const parsed = JSON.parse(delivery.body) as { value: Array<Record<string, unknown>> };
  parsed.value[0]!.clientState = clientState;
  return { ...delivery, body: JSON.stringify(parsed) };
};
/** Signed as the source signs, but with another source's secret. */
const signedWithForeignSecret = (source: string): Delivery => {
  const [type, data] = SAMPLES[source]!;
  const foreign = source === 'erp' ? DEVELOPMENT_SECRETS['3pl']! : DEVELOPMENT_SECRETS.erp!;
  const { body, headers } = signDelivery(source, type, data, foreign, { id: 'delivery-1', now });
  return { body, headers: headers as Record<string, string> };
};

describe('signature attack table', () => {
  it('covers every registered source', () => {
    // Assess
    expect(Object.keys(SAMPLES).sort()).toEqual([...WEBHOOK_SOURCES].sort());
  });

  describe.each(WEBHOOK_SOURCES)('%s', (source) => {
    const header = SIGNATURE_HEADER[source];
    const proofRemoved = (delivery: Delivery) => (header ? withHeader(delivery, header, undefined) : withClientState(delivery, undefined));
    const proofEmpty = (delivery: Delivery) => (header ? withHeader(delivery, header, '') : withClientState(delivery, ''));

    it('accepts the genuine delivery', () => {
      // Assess
      expect(outcomeOf(source, valid(source))).toBe('accept');
    });

    it('refuses a delivery without its proof', () => {
      // Assess
      expect(outcomeOf(source, proofRemoved(valid(source)))).toBe(401);
    });

    it('refuses an empty proof', () => {
      // Assess
      expect(outcomeOf(source, proofEmpty(valid(source)))).toBe(401);
    });

    it("refuses a proof made with another source's secret", () => {
      // Assess
      expect(outcomeOf(source, signedWithForeignSecret(source))).toBe(401);
    });

    it('refuses the proof of one body on another body', () => {
      // Prepare
      const genuine = valid(source);
      const tampered = { ...genuine, body: source === 'businesscentral' ? genuine.body.replace('"updated"', '"created"') : genuine.body.replace(/}$/, ' }') };
      // A Business Central notification's proof is not a signature of the body: another change of the same subscription carries the same clientState.
      const expected: Outcome = source === 'businesscentral' ? 'accept' : 401;

      // Assess
      expect(tampered.body).not.toBe(genuine.body);
      expect(outcomeOf(source, tampered)).toBe(expected);
    });

    it('accepts header names in any case (HTTP header names are case-insensitive)', () => {
      // Prepare
      const genuine = valid(source);
      const shouted = { ...genuine, headers: Object.fromEntries(Object.entries(genuine.headers).map(([name, value]) => [name.toUpperCase(), value])) };

      // Assess
      expect(outcomeOf(source, shouted)).toBe('accept');
    });
  });

  describe('schemes with a signed timestamp', () => {
    it.each([
      ['erp', (at: Date, body: string) => signStandardWebhook(DEVELOPMENT_SECRETS.erp!, body, { id: 'delivery-1', timestamp: at })],
      ['3pl', (at: Date, body: string) => signStandardWebhook(DEVELOPMENT_SECRETS['3pl']!, body, { id: 'delivery-1', timestamp: at })],
      ['zendesk', (at: Date, body: string) => signZendeskWebhook(DEVELOPMENT_SECRETS.zendesk!, body, { timestamp: at })],
    ])('%s: refuses a correctly signed delivery from outside the tolerance, either side', (source, sign) => {
      // Prepare
      const body = valid(source).body;
      const [old, future] = [new Date(now.getTime() - 10 * 60_000), new Date(now.getTime() + 10 * 60_000)];

      // Assess
      expect(outcomeOf(source, { body, headers: sign(old, body) })).toBe(401);
      expect(outcomeOf(source, { body, headers: sign(future, body) })).toBe(401);
    });

    it('shopify: refuses a delivery triggered longer ago than deliveries are remembered', () => {
      // Prepare
      const body = valid('shopify').body;
      const headers = signShopifyWebhook(DEVELOPMENT_SECRETS.shopify!, body, { topic: 'orders/create', timestamp: new Date(now.getTime() - 8 * 24 * 3600_000) });

      // Assess
      expect(outcomeOf('shopify', { body, headers })).toBe(401);
    });
  });

  describe('replays under a new delivery id', () => {
    it.each(['erp', '3pl'])('%s: the id is signed, so a new id breaks the signature', (source) => {
      // Assess
      expect(outcomeOf(source, withHeader(valid(source), 'webhook-id', 'msg_replayed'))).toBe(401);
    });

    it('shopify: only the body is signed, so a new webhook id verifies but keeps the delivery id: deduplication stops it', () => {
      // Prepare
      const genuine = valid('shopify');
      const replayed = withHeader(genuine, 'x-shopify-webhook-id', 'another-webhook-id');

      // Act
      const [first, again] = [verify('shopify', genuine), verify('shopify', replayed)];

      // Assess
      expect(again.deliveryId).toBe(first.deliveryId);
    });

    it('zendesk: the event id is in the signed body, so a new id breaks the signature', () => {
      // Prepare
      const genuine = valid('zendesk');
      const replayed = { ...genuine, body: genuine.body.replace('"id":"delivery-1"', '"id":"delivery-2"') };

      // Assess
      expect(replayed.body).not.toBe(genuine.body);
      expect(outcomeOf('zendesk', replayed)).toBe(401);
    });

    it('businesscentral: a notification posted again has the same body, so the same delivery id', () => {
      // Assess
      expect(verify('businesscentral', valid('businesscentral')).deliveryId).toBe(verify('businesscentral', valid('businesscentral', new Date(now))).deliveryId);
    });
  });

  describe('topic swap', () => {
    it('shopify: a body sent under a topic it does not fit is refused (400)', () => {
      // Prepare: an order creation re-sent as a cancellation (the body has no cancelled_at).
      const genuine = valid('shopify');
      const swapped = withHeader(genuine, 'x-shopify-topic', 'orders/cancelled');

      // Assess
      expect(outcomeOf('shopify', swapped)).toBe(400);
    });

    it('businesscentral: a clientState made for another subscription (customers) does not prove a sales order change', () => {
      // Prepare
      const customers = clientStateFor(DEVELOPMENT_SECRETS.businesscentral!, 'api/v2.0/companies(c0ffee00-0000-4000-8000-00000000b0c0)/customers');

      // Assess
      expect(outcomeOf('businesscentral', withClientState(valid('businesscentral'), customers))).toBe(401);
    });
  });

  describe('several signatures, prefixes and whitespace', () => {
    const standard = (mutate: (signature: string) => string) => {
      const genuine = valid('erp');
      return withHeader(genuine, 'webhook-signature', mutate(genuine.headers['webhook-signature']!));
    };
    const forged = `v1,${createHmac('sha256', 'not-the-key').update('x').digest('base64')}`;

    it.each([
      ['several signatures with one valid', (signature: string) => `${forged} ${signature}`, 'accept'],
      ['only invalid signatures', () => `${forged} ${forged}`, 401],
      ['the valid signature under a wrong version prefix', (signature: string) => signature.replace(/^v1,/, 'v2,'), 401],
      ['the valid signature without its prefix', (signature: string) => signature.replace(/^v1,/, ''), 401],
      ['trailing whitespace after the signature', (signature: string) => `${signature} `, 'accept'],
    ] as const)('erp (Standard Webhooks): %s', (_name, mutate, expected) => {
      // Assess
      expect(outcomeOf('erp', standard(mutate))).toBe(expected);
    });

    it.each([
      ['shopify', 'x-shopify-hmac-sha256'],
      ['zendesk', 'x-zendesk-webhook-signature'],
    ])('%s: refuses a hex signature where base64 is expected, and a prefixed one', (source, name) => {
      // Prepare
      const genuine = valid(source);
      const base64 = genuine.headers[name]!;
      const hex = Buffer.from(base64, 'base64').toString('hex');

      // Assess
      expect(outcomeOf(source, withHeader(genuine, name, hex))).toBe(401);
      expect(outcomeOf(source, withHeader(genuine, name, `sha256=${base64}`))).toBe(401);
    });
  });
});
