import { createHmac } from 'node:crypto';
import { shopifyConnector } from '../../../../functions/core/connectors/shopify';
import { SignatureInvalidError } from '../../../../functions/core/errors';
import { loadFixture } from '../../../support/fixtures';

const SECRET = 'shopify-app-secret-current';
const PREVIOUS = 'shopify-app-secret-previous';
const sign = (secret: string, body: string) => createHmac('sha256', secret).update(body).digest('base64');
const receivedAt = new Date('2026-11-27T10:00:00Z');

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
    it('accepts a delivery signed with the current app secret and dedups on X-Shopify-Webhook-Id', () => {
      // Act
      const { fixture, verified } = deliver('orders__create');

      // Assess
      expect(verified.deliveryId).toBe(fixture.headers['X-Shopify-Webhook-Id']);
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

    it('verifies a stale (replayed) delivery but keeps its delivery id, so the ledger absorbs it', () => {
      // Prepare: Shopify signs no timestamp; replays are stopped by deduplication on X-Shopify-Webhook-Id.
      const first = deliver('orders__create').verified.deliveryId;

      // Act
      const replayed = deliver('orders__create').verified.deliveryId;

      // Assess
      expect(replayed).toBe(first);
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
