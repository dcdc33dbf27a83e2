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

describe('Shopify connector', () => {
  describe('signature', () => {
    it('accepts a delivery signed with the current app secret and dedups on X-Shopify-Webhook-Id', () => {
      const { fixture, verified } = deliver('orders__create');
      expect(verified.deliveryId).toBe(fixture.headers['X-Shopify-Webhook-Id']);
    });

    it('accepts a delivery still signed with the previous secret after a rotation', () => {
      expect(() => deliver('orders__create', PREVIOUS)).not.toThrow();
    });

    it('refuses a tampered body', () => {
      expect(() => deliver('orders__create', SECRET, (body) => body.replace('"#9999"', '"#9998"'))).toThrow(SignatureInvalidError);
    });

    it('refuses a signature made with a secret that is not active', () => {
      expect(() => deliver('orders__create', 'some-other-secret')).toThrow(/does not match any active app secret/);
    });

    it('names every missing header', () => {
      const fixture = loadFixture('shopify', 'orders__create');
      expect(() => shopifyConnector.verify({ headers: {}, rawBody: fixture.rawBody, receivedAt }, [SECRET])).toThrow(
        'Missing Shopify webhook header(s): X-Shopify-Hmac-Sha256, X-Shopify-Webhook-Id, X-Shopify-Topic.',
      );
    });

    it('verifies a stale (replayed) delivery but keeps its delivery id, so the ledger absorbs it', () => {
      // Shopify signs no timestamp: replays are stopped by deduplication on X-Shopify-Webhook-Id.
      const first = deliver('orders__create').verified.deliveryId;
      expect(deliver('orders__create').verified.deliveryId).toBe(first);
    });
  });

  describe('mapping vendor samples', () => {
    it('maps orders/create to order.created with exact ids, customer and lines', () => {
      const [event] = deliver('orders__create').events;
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

    it('maps orders/updated to order.updated and orders/cancelled to order.cancelled', () => {
      expect(deliver('orders__updated').events[0]!.detailType).toBe('order.updated');
      const [cancelled] = deliver('orders__cancelled').events;
      expect(cancelled!.detailType).toBe('order.cancelled');
      expect(cancelled!.detail.data).toMatchObject({ status: 'cancelled', orderId: '820982911946154508' });
    });

    it('maps refunds/create to refund.issued with the refunded amount and the exact order id', () => {
      const [event] = deliver('refunds__create').events;
      expect(event!.detailType).toBe('refund.issued');
      expect(event!.detail.data).toMatchObject({ refundId: '890088186047892319', orderId: '820982911946154508', status: 'issued', reason: 'Things were damaged' });
      expect((event!.detail.data as { amount: { amount: string } }).amount.amount).toMatch(/^\d+\.\d{2}$/);
    });

    it('maps fulfillments/create and fulfillments/update to shipment events with tracking', () => {
      for (const name of ['fulfillments__create', 'fulfillments__update']) {
        const [event] = deliver(name).events;
        expect(event!.detailType).toBe('shipment.dispatched');
        expect(event!.detail.data).toMatchObject({ shipmentId: '123456', orderId: '820982911946154508', carrier: 'UPS', trackingNumber: '1z827wk74630', status: 'dispatched' });
      }
    });

    it('maps a delivered fulfillment update to shipment.delivered', () => {
      const { events } = deliver('fulfillments__update', SECRET);
      expect(events[0]!.detailType).toBe('shipment.dispatched');
      const fixture = loadFixture('shopify', 'fulfillments__update');
      const rawBody = fixture.rawBody.replace('"shipment_status": null', '"shipment_status": "delivered"');
      const headers = { ...fixture.headers, 'X-Shopify-Hmac-Sha256': sign(SECRET, rawBody) };
      const verified = shopifyConnector.verify({ headers, rawBody, receivedAt }, [SECRET]);
      expect(shopifyConnector.map(verified, receivedAt)[0]!.detailType).toBe('shipment.delivered');
    });

    it('maps the returns topics to return.requested, return.authorized and return.received', () => {
      expect(deliver('returns__request').events[0]).toMatchObject({ detailType: 'return.requested', detail: { data: { returnId: '123134564567890', orderId: '4783296544821', status: 'requested' } } });
      expect(deliver('returns__approve').events[0]).toMatchObject({ detailType: 'return.authorized', detail: { data: { status: 'authorized' } } });
      expect(deliver('returns__close').events[0]).toMatchObject({ detailType: 'return.received', detail: { data: { orderId: '4783296544821', status: 'closed' } } });
    });

    it('keeps a topic it does not map as webhook.unmapped', () => {
      const fixture = loadFixture('shopify', 'orders__create');
      const headers = { ...fixture.headers, 'X-Shopify-Topic': 'carts/update', 'X-Shopify-Hmac-Sha256': sign(SECRET, fixture.rawBody) };
      const verified = shopifyConnector.verify({ headers, rawBody: fixture.rawBody, receivedAt }, [SECRET]);
      expect(shopifyConnector.map(verified, receivedAt)[0]).toMatchObject({ detailType: 'webhook.unmapped', detail: { origin: { type: 'carts/update' } } });
    });
  });
});
