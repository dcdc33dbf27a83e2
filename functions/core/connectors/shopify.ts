import { createHash } from 'node:crypto';
import * as z from '../zod';
import type { CanonicalEvent } from '../canonical/events';
import type { Refund, Shipment } from '../canonical/model';
import { SignatureInvalidError, ValidationError } from '../errors';
import { DELIVERY_RETENTION_SECONDS } from '../ports/delivery-ledger';
import { decodeUtf8, parseJson, validated } from '../canonical/parse';
import type { Connector, VerifiedDelivery } from './connector';
import { canonicalEvent, lenientInstant, unmappedEvent, type Mapping } from './events';
import { hmacBase64, lowerCaseKeys, signatureMatches } from './hmac';

/**
 * Shopify (storefront). Signature: `X-Shopify-Hmac-Sha256` = base64 HMAC-SHA256 of the raw body with
 * the app's client secret. Only the body is signed: the headers (webhook id, topic, trigger time) can be
 * changed on a captured body. So the delivery id is derived from the topic and the body's hash (a replay
 * under a new `X-Shopify-Webhook-Id` is a duplicate), each mapped topic checks that the body is what the
 * topic says (`bodyFitsTopic`), and an `X-Shopify-Triggered-At` older than the ledger remembers is
 * refused. Routing on `X-Shopify-Topic`.
 *
 * Shopify ids exceed 2^53, so ids are read from `admin_graphql_api_id` (a string), never from the
 * numeric `id`, which JSON.parse rounds.
 */
const idFromGid = (gid: string) => gid.slice(gid.lastIndexOf('/') + 1);
/** A resource's `admin_graphql_api_id` names its type: a body of one resource cannot pass for another's topic. */
const GidOf = (resource: 'Order' | 'Refund' | 'Fulfillment' | 'Return') =>
  z.object({ admin_graphql_api_id: z.string().check(z.regex(new RegExp(`^gid://shopify/${resource}/\\d+$`), `a gid://shopify/${resource}/<id>: this topic carries a ${resource}`)) });
const Instant = lenientInstant;
const money = (amount: unknown, currency: string) => (amount === undefined || amount === null ? undefined : { amount: String(amount), currency });

const ShopifyOrder = z.extend(GidOf('Order'), {
  name: z.string(),
  email: z.nullish(z.string()),
  currency: z.string().check(z.length(3)),
  total_price: z.nullish(z.union([z.string(), z.number()])),
  created_at: Instant,
  updated_at: z.nullish(Instant),
  cancelled_at: z.nullish(Instant),
  customer: z.nullish(z.object({ admin_graphql_api_id: z.optional(z.string()), email: z.nullish(z.string()), first_name: z.nullish(z.string()), last_name: z.nullish(z.string()) })),
  line_items: z._default(z.array(z.object({ admin_graphql_api_id: z.string(), sku: z.nullish(z.string()), title: z.nullish(z.string()), quantity: z.number(), price: z.nullish(z.union([z.string(), z.number()])) })), []),
});

const orderMapping =
  (detailType: 'order.created' | 'order.updated' | 'order.cancelled'): Mapping =>
  (verified, receivedAt) => {
    const order = validated(ShopifyOrder, verified.body);
    // Shopify sends orders/cancelled only for a cancelled order: without cancelled_at the topic was swapped.
    if (detailType === 'order.cancelled' && !order.cancelled_at) {
      throw new ValidationError('The body of an orders/cancelled delivery is not a cancelled order: cancelled_at is empty', [{ path: 'cancelled_at', message: 'a cancelled order has cancelled_at' }]);
    }
    const orderId = idFromGid(order.admin_graphql_api_id);
    // Shopify sends "" for an order without an email (and a line without a SKU): absent, not invalid.
    const email = order.email || order.customer?.email || undefined;
    const name = [order.customer?.first_name, order.customer?.last_name].filter(Boolean).join(' ') || undefined;
    const occurredAt = (detailType === 'order.cancelled' ? order.cancelled_at : detailType === 'order.updated' ? order.updated_at : order.created_at) ?? order.created_at;
    return [
      canonicalEvent('storefront', detailType, verified.deliveryId, topicOf(verified), receivedAt, 0, {
        source: { system: 'storefront', id: orderId },
        occurredAt,
        correlationIds: [order.name],
        orderId,
        ...(detailType === 'order.cancelled' ? { status: 'cancelled' as const } : {}),
        customer: email || order.customer?.admin_graphql_api_id ? { id: order.customer?.admin_graphql_api_id ? idFromGid(order.customer.admin_graphql_api_id) : undefined, email: email ?? undefined, name } : undefined,
        total: money(order.total_price, order.currency),
        lines: order.line_items.map((line) => ({
          lineId: idFromGid(line.admin_graphql_api_id),
          sku: line.sku || undefined,
          title: line.title ?? undefined,
          quantity: line.quantity,
          unitPrice: money(line.price, order.currency),
        })),
      }),
    ];
  };

const ShopifyRefund = z.extend(GidOf('Refund'), {
  order_id: z.union([z.number(), z.string()]),
  created_at: Instant,
  note: z.nullish(z.string()),
  transactions: z._default(z.array(z.object({ kind: z.string(), status: z.string(), amount: z.union([z.string(), z.number()]), currency: z.nullish(z.string().check(z.length(3))) })), []),
  // Shopify's own sample leaves transaction currency null; the line subtotals carry the shop currency.
  refund_line_items: z._default(z.array(z.object({ subtotal_set: z.nullish(z.object({ shop_money: z.object({ currency_code: z.string().check(z.length(3)) }) })) })), []),
});

const refundMapping: Mapping = (verified, receivedAt) => {
  const refund = validated(ShopifyRefund, verified.body);
  // The order id inside a refund is numeric only; take it from the raw body text to keep every digit.
  const orderId = rawNumericField(verified, 'order_id') ?? String(refund.order_id);
  const succeeded = refund.transactions.filter((transaction) => transaction.kind === 'refund' && transaction.status === 'success');
  const currency = succeeded[0]?.currency ?? refund.transactions[0]?.currency ?? refund.refund_line_items[0]?.subtotal_set?.shop_money.currency_code;
  const total = succeeded.reduce((sum, transaction) => sum + Math.round(Number(transaction.amount) * 100), 0);
  const data: Refund = {
    source: { system: 'storefront', id: idFromGid(refund.admin_graphql_api_id) },
    occurredAt: refund.created_at,
    correlationIds: [],
    refundId: idFromGid(refund.admin_graphql_api_id),
    orderId,
    status: succeeded.length > 0 || refund.transactions.length === 0 ? 'issued' : 'failed',
    amount: currency ? { amount: (total / 100).toFixed(2), currency } : undefined,
    reason: refund.note ?? undefined,
  };
  return [canonicalEvent('storefront', data.status === 'failed' ? 'refund.failed' : 'refund.issued', verified.deliveryId, topicOf(verified), receivedAt, 0, data)];
};

const ShopifyFulfillment = z.extend(GidOf('Fulfillment'), {
  order_id: z.union([z.number(), z.string()]),
  status: z.nullish(z.string()),
  shipment_status: z.nullish(z.string()),
  created_at: Instant,
  updated_at: z.nullish(Instant),
  tracking_company: z.nullish(z.string()),
  tracking_number: z.nullish(z.string()),
  name: z.nullish(z.string()),
  line_items: z._default(z.array(z.object({ sku: z.nullish(z.string()), quantity: z.number() })), []),
});

/** Shopify's shipment_status -> canonical shipment event. */
const SHIPMENT_STATUS: Record<string, { detailType: 'shipment.dispatched' | 'shipment.delivered' | 'shipment.exception'; status: Shipment['status'] }> = {
  delivered: { detailType: 'shipment.delivered', status: 'delivered' },
  failure: { detailType: 'shipment.exception', status: 'exception' },
  attempted_delivery: { detailType: 'shipment.exception', status: 'exception' },
  in_transit: { detailType: 'shipment.dispatched', status: 'in_transit' },
  out_for_delivery: { detailType: 'shipment.dispatched', status: 'in_transit' },
};

const fulfillmentMapping: Mapping = (verified, receivedAt) => {
  const fulfillment = validated(ShopifyFulfillment, verified.body);
  const outcome = SHIPMENT_STATUS[fulfillment.shipment_status ?? ''] ?? { detailType: 'shipment.dispatched' as const, status: 'dispatched' as const };
  const shipmentId = idFromGid(fulfillment.admin_graphql_api_id);
  return [
    canonicalEvent('storefront', outcome.detailType, verified.deliveryId, topicOf(verified), receivedAt, 0, {
      source: { system: 'storefront', id: shipmentId },
      occurredAt: fulfillment.updated_at ?? fulfillment.created_at,
      correlationIds: fulfillment.name ? [fulfillment.name] : [],
      shipmentId,
      orderId: rawNumericField(verified, 'order_id') ?? String(fulfillment.order_id),
      status: outcome.status,
      carrier: fulfillment.tracking_company ?? undefined,
      trackingNumber: fulfillment.tracking_number ?? undefined,
      exception: outcome.status === 'exception' ? (fulfillment.shipment_status ?? undefined) : undefined,
      lines: fulfillment.line_items.map((line) => ({ sku: line.sku || undefined, quantity: line.quantity })),
    }),
  ];
};

const ShopifyReturn = z.extend(GidOf('Return'), {
  status: z.string(),
  order: z.nullish(GidOf('Order')),
  order_id: z.nullish(z.union([z.number(), z.string()])),
  return_line_items: z._default(z.array(z.object({ quantity: z.optional(z.number().check(z.int(), z.positive())), return_reason: z.nullish(z.string()) })), []),
});

const returnMapping =
  (detailType: 'return.requested' | 'return.authorized' | 'return.received', status: 'requested' | 'authorized' | 'closed', shopifyStatus: 'requested' | 'open' | 'closed'): Mapping =>
  (verified, receivedAt) => {
    const shopifyReturn = validated(ShopifyReturn, verified.body);
    // Each returns topic is sent with the return in one status: another status means the topic was swapped.
    if (shopifyReturn.status.toLowerCase() !== shopifyStatus) {
      throw new ValidationError(`The body of a ${topicOf(verified)} delivery is a return in status "${shopifyReturn.status}"`, [{ path: 'status', message: `${shopifyStatus} for ${topicOf(verified)}` }]);
    }
    const orderId = shopifyReturn.order ? idFromGid(shopifyReturn.order.admin_graphql_api_id) : (rawNumericField(verified, 'order_id') ?? String(shopifyReturn.order_id ?? ''));
    const returnId = idFromGid(shopifyReturn.admin_graphql_api_id);
    return [
      canonicalEvent('storefront', detailType, verified.deliveryId, topicOf(verified), receivedAt, 0, {
        source: { system: 'storefront', id: returnId },
        // Returns payloads carry no timestamp: the delivery's trigger time orders them.
        occurredAt: triggeredAt(verified, receivedAt),
        correlationIds: [],
        returnId,
        orderId: validated(z.string().check(z.minLength(1, 'the return names no order')), orderId, { at: 'order' }),
        status,
        lines: shopifyReturn.return_line_items.map((line) => ({ quantity: line.quantity ?? 1, reason: line.return_reason ?? undefined })),
      }),
    ];
  };

const mappings: Record<string, Mapping> = {
  'orders/create': orderMapping('order.created'),
  'orders/updated': orderMapping('order.updated'),
  'orders/cancelled': orderMapping('order.cancelled'),
  'refunds/create': refundMapping,
  'fulfillments/create': fulfillmentMapping,
  'fulfillments/update': fulfillmentMapping,
  'returns/request': returnMapping('return.requested', 'requested', 'requested'),
  'returns/approve': returnMapping('return.authorized', 'authorized', 'open'),
  'returns/close': returnMapping('return.received', 'closed', 'closed'),
};

function topicOf(verified: VerifiedDelivery) {
  return verified.headers?.['x-shopify-topic'] ?? '';
}

function triggeredAt(verified: VerifiedDelivery, receivedAt: Date) {
  const header = verified.headers?.['x-shopify-triggered-at'];
  const parsed = header ? new Date(header) : receivedAt;
  return (Number.isNaN(parsed.getTime()) ? receivedAt : parsed).toISOString();
}

/**
 * Past the ledger's retention a replayed body would be taken as new: refuse a delivery triggered before
 * then. The header is not signed, so this stops only a replay that keeps it (README, "Senders").
 */
function refuseStaleTrigger(header: string | undefined, receivedAt: Date) {
  if (header === undefined) return;
  const triggeredAt = Date.parse(header);
  if (Number.isNaN(triggeredAt)) throw new SignatureInvalidError('X-Shopify-Triggered-At must be an ISO-8601 time.');
  if (receivedAt.getTime() - triggeredAt > DELIVERY_RETENTION_SECONDS * 1000) {
    throw new SignatureInvalidError(`X-Shopify-Triggered-At is more than ${DELIVERY_RETENTION_SECONDS / 86_400} days old: a delivery that old is refused as a replay.`);
  }
}

/** Reads a top-level numeric field from the raw body text, keeping all its digits. */
function rawNumericField(verified: VerifiedDelivery, field: string): string | undefined {
  const raw = verified.rawBody;
  const match = raw ? new RegExp(`"${field}"\\s*:\\s*"?(\\d+)`).exec(raw) : null;
  return match?.[1];
}

export const shopifyConnector: Connector = {
  system: 'storefront',
  verify(delivery, secrets) {
    const headers = lowerCaseKeys(delivery.headers);
    const signature = headers['x-shopify-hmac-sha256'];
    const webhookId = headers['x-shopify-webhook-id'];
    const topic = headers['x-shopify-topic'];
    const missing = [!signature && 'X-Shopify-Hmac-Sha256', !webhookId && 'X-Shopify-Webhook-Id', !topic && 'X-Shopify-Topic'].filter(Boolean);
    if (missing.length > 0) throw new SignatureInvalidError(`Missing Shopify webhook header(s): ${missing.join(', ')}.`);
    if (secrets.length === 0) throw new SignatureInvalidError('No signing secret is configured for this source; the delivery cannot be verified.');
    // After a secret rotation Shopify may sign with the old secret for up to an hour: try every active one.
    if (!secrets.some((secret) => signatureMatches(signature!, hmacBase64(secret, delivery.rawBody)))) {
      throw new SignatureInvalidError('X-Shopify-Hmac-Sha256 does not match any active app secret; it must be base64(HMAC-SHA256(secret, raw body)).');
    }
    refuseStaleTrigger(headers['x-shopify-triggered-at'], delivery.receivedAt);
    // The webhook id is not signed: the signed body (with its topic) is what identifies a delivery, so a
    // replay under a new id is a duplicate. Shopify's retries keep both body and topic, so they still are.
    const deliveryId = `shopify_${createHash('sha256').update(`${topic}\u0000`).update(delivery.rawBody).digest('hex').slice(0, 40)}`;
    const text = decodeUtf8(delivery.rawBody);
    return { deliveryId, body: parseJson(text), headers, rawBody: text };
  },
  map(verified, receivedAt): CanonicalEvent[] {
    const topic = topicOf(verified);
    const mapping = Object.hasOwn(mappings, topic) ? mappings[topic] : undefined;
    return mapping ? mapping(verified, receivedAt) : [unmappedEvent('storefront', verified, topic, receivedAt)];
  },
};
