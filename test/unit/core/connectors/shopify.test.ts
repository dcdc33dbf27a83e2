import { createHmac } from 'node:crypto';
import { shopifyConnector } from '../../../../functions/core/connectors/shopify';
import { SignatureInvalidError, ValidationError } from '../../../../functions/core/errors';
import { loadFixture } from '../../../support/fixtures';

const SECRET = 'shopify-app-secret-current';
const PREVIOUS = 'shopify-app-secret-previous';
const sign = (secret: string, body: string) => createHmac('sha256', secret).update(body).digest('base64');
// Shortly after the fixtures' X-Shopify-Triggered-At, as a live delivery arrives.
const receivedAt = new Date('2025-07-10T16:15:49Z');

const deliver = (name: string, secret = SECRET, tamper = (body: string) => body) => {
  const fixture = loadFixture('shopify', name);
  const headers = { ...fixture.headers, 'X-Shopify-Hmac-Sha256': sign(secret, fixture.rawBody) };
  const delivery = { headers, rawBody: tamper(fixture.rawBody), receivedAt };
  const verified = shopifyConnector.verify(delivery, [SECRET, PREVIOUS]);
  return { fixture, verified, events: shopifyConnector.map(verified, receivedAt) };
};
/** Verifies and maps a delivery as given, signed with the current secret. */
const deliverRaw = (headers: Record<string, string>, rawBody: string) => {
  const verified = shopifyConnector.verify({ headers: { ...headers, 'X-Shopify-Hmac-Sha256': sign(SECRET, rawBody) }, rawBody, receivedAt }, [SECRET]);
  return shopifyConnector.map(verified, receivedAt);
};

describe('Shopify connector', () => {
  describe('signature', () => {
    it('accepts a delivery signed with the current app secret and derives its delivery id from the topic and body', () => {
      // Act
      const { verified } = deliver('orders__create');

      // Assess
      expect(verified.deliveryId).toMatch(/^shopify_[0-9a-f]{40}$/);
    });

    it('accepts a delivery still signed with the previous secret after a rotation', () => {
      // Act
      const delivery = () => deliver('orders__create', PREVIOUS);

      // Assess
      expect(delivery).not.toThrow();
    });

    it('refuses a tampered body', () => {
      // Prepare
      const tamper = (body: string) => body.replace('"#9999"', '"#9998"');

      // Act
      const delivery = () => deliver('orders__create', SECRET, tamper);

      // Assess
      expect(delivery).toThrow(SignatureInvalidError);
    });

    it('refuses a signature made with a secret that is not active', () => {
      // Act
      const delivery = () => deliver('orders__create', 'some-other-secret');

      // Assess
      expect(delivery).toThrow(/does not match any active app secret/);
    });

    it('names every missing header', () => {
      // Prepare
      const fixture = loadFixture('shopify', 'orders__create');

      // Act
      const verify = () => shopifyConnector.verify({ headers: {}, rawBody: fixture.rawBody, receivedAt }, [SECRET]);

      // Assess
      expect(verify).toThrow('Missing Shopify webhook header(s): X-Shopify-Hmac-Sha256, X-Shopify-Webhook-Id, X-Shopify-Topic.');
    });

    it('gives a captured body replayed under a new X-Shopify-Webhook-Id the same delivery id, so the ledger absorbs it', () => {
      // Prepare: Shopify signs only the body; the webhook id is the attacker's to choose.
      const fixture = loadFixture('shopify', 'orders__create');
      const verify = (webhookId: string) =>
        shopifyConnector.verify({ headers: { ...fixture.headers, 'X-Shopify-Webhook-Id': webhookId, 'X-Shopify-Hmac-Sha256': sign(SECRET, fixture.rawBody) }, rawBody: fixture.rawBody, receivedAt }, [SECRET]);

      // Act
      const first = verify(fixture.headers['X-Shopify-Webhook-Id']!).deliveryId;
      const replayed = verify('a-new-webhook-id').deliveryId;

      // Assess
      expect(replayed).toBe(first);
    });

    it('gives the same body under another topic another delivery id (Shopify sends orders/updated and orders/cancelled alike)', () => {
      // Prepare
      const fixture = loadFixture('shopify', 'orders__cancelled');
      const verify = (topic: string) =>
        shopifyConnector.verify({ headers: { ...fixture.headers, 'X-Shopify-Topic': topic, 'X-Shopify-Hmac-Sha256': sign(SECRET, fixture.rawBody) }, rawBody: fixture.rawBody, receivedAt }, [SECRET]);

      // Act
      const cancelled = verify('orders/cancelled').deliveryId;
      const updated = verify('orders/updated').deliveryId;

      // Assess
      expect(updated).not.toBe(cancelled);
    });

    it('refuses a delivery whose X-Shopify-Triggered-At is older than the ledger remembers deliveries', () => {
      // Prepare
      const fixture = loadFixture('shopify', 'orders__create');
      const headers = { ...fixture.headers, 'X-Shopify-Hmac-Sha256': sign(SECRET, fixture.rawBody) };
      const eightDaysLater = new Date(receivedAt.getTime() + 8 * 86_400_000);

      // Act
      const verify = () => shopifyConnector.verify({ headers, rawBody: fixture.rawBody, receivedAt: eightDaysLater }, [SECRET]);

      // Assess
      expect(verify).toThrow(new SignatureInvalidError('X-Shopify-Triggered-At is more than 7 days old: a delivery that old is refused as a replay.'));
    });

    it('accepts a delivery triggered within the retention, or without X-Shopify-Triggered-At', () => {
      // Prepare
      const fixture = loadFixture('shopify', 'orders__create');
      const { 'X-Shopify-Triggered-At': _triggeredAt, ...withoutTrigger } = fixture.headers;
      const sixDaysLater = new Date(receivedAt.getTime() + 6 * 86_400_000);
      const verify = (headers: Record<string, string>) => () =>
        shopifyConnector.verify({ headers: { ...headers, 'X-Shopify-Hmac-Sha256': sign(SECRET, fixture.rawBody) }, rawBody: fixture.rawBody, receivedAt: sixDaysLater }, [SECRET]);

      // Act
      const triggered = verify(fixture.headers);
      const untriggered = verify(withoutTrigger);

      // Assess
      expect(triggered).not.toThrow();
      expect(untriggered).not.toThrow();
    });
  });

  describe('a body that contradicts its topic (headers are not signed)', () => {
    it('refuses orders/cancelled for an order that has no cancelled_at', () => {
      // Prepare: an orders/updated body of an open order, replayed as a cancellation.
      const fixture = loadFixture('shopify', 'orders__updated');
      const openOrder = fixture.rawBody.replace('"cancelled_at": "2021-12-31T19:00:00-05:00"', '"cancelled_at": null');
      const headers = { ...fixture.headers, 'X-Shopify-Topic': 'orders/cancelled' };

      // Act
      const forge = () => deliverRaw(headers, openOrder);

      // Assess
      expect(openOrder).not.toBe(fixture.rawBody);
      expect(forge).toThrow(ValidationError);
      expect(forge).toThrow(/cancelled_at/);
    });

    it.each([
      ['a refund as orders/cancelled', 'refunds__create', 'orders/cancelled', /gid:\/\/shopify\/Order/],
      ['an order as refunds/create', 'orders__create', 'refunds/create', /gid:\/\/shopify\/Refund/],
      ['an order as fulfillments/update', 'orders__create', 'fulfillments/update', /gid:\/\/shopify\/Fulfillment/],
      ['a fulfillment as returns/request', 'fulfillments__create', 'returns/request', /gid:\/\/shopify\/Return/],
      ['a requested return as returns/close', 'returns__request', 'returns/close', /status/],
      ['a closed return as returns/approve', 'returns__close', 'returns/approve', /status/],
    ])('refuses %s', (_label, name, topic, why) => {
      // Prepare
      const fixture = loadFixture('shopify', name);

      // Act
      const forge = () => deliverRaw({ ...fixture.headers, 'X-Shopify-Topic': topic }, fixture.rawBody);

      // Assess
      expect(forge).toThrow(ValidationError);
      expect(forge).toThrow(why);
    });
  });

  describe('mapping vendor samples', () => {
    it('maps orders/create to order.created with exact ids, customer and lines', () => {
      // Act
      const [event] = deliver('orders__create').events;

      // Assess
      expect(event!.detailType).toBe('order.created');
      expect(event!.source).toBe('retail-sync.storefront');
      expect(event!.detail.data).toMatchObject({
        orderId: '820982911946154508',
        source: { system: 'storefront', id: '820982911946154508' },
        correlationIds: ['#9999'],
        customer: { email: 'jon@example.com' },
        total: { currency: 'USD' },
        lines: [expect.objectContaining({ quantity: expect.any(Number) })],
      });
    });

    it('maps orders/updated to order.updated', () => {
      // Act
      const [event] = deliver('orders__updated').events;

      // Assess
      expect(event!.detailType).toBe('order.updated');
    });

    it('maps orders/cancelled to order.cancelled', () => {
      // Act
      const [event] = deliver('orders__cancelled').events;

      // Assess
      expect(event!.detailType).toBe('order.cancelled');
      expect(event!.detail.data).toMatchObject({ status: 'cancelled', orderId: '820982911946154508' });
    });

    it('maps refunds/create to refund.issued with the refunded amount and the exact order id', () => {
      // Act
      const [event] = deliver('refunds__create').events;

      // Assess
      expect(event!.detailType).toBe('refund.issued');
      expect(event!.detail.data).toMatchObject({ refundId: '890088186047892319', orderId: '820982911946154508', status: 'issued', reason: 'Things were damaged' });
      expect((event!.detail.data as { amount: { amount: string } }).amount.amount).toMatch(/^\d+\.\d{2}$/);
    });

    it.each(['fulfillments__create', 'fulfillments__update'])('maps %s to shipment.dispatched with tracking', (name) => {
      // Act
      const [event] = deliver(name).events;

      // Assess
      expect(event!.detailType).toBe('shipment.dispatched');
      expect(event!.detail.data).toMatchObject({ shipmentId: '123456', orderId: '820982911946154508', carrier: 'UPS', trackingNumber: '1z827wk74630', status: 'dispatched' });
    });

    it('maps a delivered fulfillment update to shipment.delivered', () => {
      // Prepare
      const fixture = loadFixture('shopify', 'fulfillments__update');
      const rawBody = fixture.rawBody.replace('"shipment_status": null', '"shipment_status": "delivered"');

      // Act
      const [event] = deliverRaw(fixture.headers, rawBody);

      // Assess
      expect(event!.detailType).toBe('shipment.delivered');
    });

    it.each([
      ['returns__request', { detailType: 'return.requested', detail: { data: { returnId: '123134564567890', orderId: '4783296544821', status: 'requested' } } }],
      ['returns__approve', { detailType: 'return.authorized', detail: { data: { status: 'authorized' } } }],
      ['returns__close', { detailType: 'return.received', detail: { data: { orderId: '4783296544821', status: 'closed' } } }],
    ])('maps %s to its return event', (name, expected) => {
      // Act
      const [event] = deliver(name).events;

      // Assess
      expect(event).toMatchObject(expected);
    });

    it('keeps a topic it does not map as webhook.unmapped', () => {
      // Prepare
      const fixture = loadFixture('shopify', 'orders__create');
      const headers = { ...fixture.headers, 'X-Shopify-Topic': 'carts/update' };

      // Act
      const [event] = deliverRaw(headers, fixture.rawBody);

      // Assess
      expect(event).toMatchObject({ detailType: 'webhook.unmapped', detail: { origin: { type: 'carts/update' } } });
    });
  });
});
