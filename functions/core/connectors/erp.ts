import { CreditMemo, InventoryLevel, Invoice, Order, Refund, ReturnAuthorization } from '../canonical/model';
import { OrderStatusSnapshot } from '../canonical/order';
import { validated } from '../canonical/parse';
import { canonicalEvent } from './events';
import { entityMapping, standardWebhooksConnector } from './standard-webhooks-payload';
import * as z from '../zod';

const Envelope = z.object({ type: z.string(), data: z.unknown() });

/**
 * The ERP (system of record), over Standard Webhooks. Its `data` is the canonical entity for each
 * type; `order.status.changed` keeps its compact shape { orderId, status, version, occurredAt }.
 * Types without a mapping are kept as `webhook.unmapped`.
 *
 * @example
 * const rawBody = '{"type":"order.status.changed","data":{"orderId":"SO-1001","status":"shipped","version":2}}';
 * const verified = erpConnector.verify({ headers: signStandardWebhook(secret, rawBody), rawBody, receivedAt: new Date() }, [secret]);
 * const [event] = erpConnector.map(verified, new Date()); // event.detailType === 'order.status.changed'
 */
export const erpConnector = standardWebhooksConnector('erp', {
  'order.status.changed': (verified, receivedAt) => {
    const envelope = validated(Envelope, verified.body);
    return [canonicalEvent('erp', 'order.status.changed', verified.deliveryId, envelope.type, receivedAt, 0, validated(OrderStatusSnapshot, envelope.data, { at: 'data' }))];
  },
  'order.created': entityMapping('erp', 'order.created', Order, 'orderId'),
  'order.cancelled': entityMapping('erp', 'order.cancelled', Order, 'orderId', { status: 'cancelled' }),
  'invoice.posted': entityMapping('erp', 'invoice.posted', Invoice, 'invoiceId'),
  'creditmemo.issued': entityMapping('erp', 'creditmemo.issued', CreditMemo, 'creditMemoId'),
  'return.authorized': entityMapping('erp', 'return.authorized', ReturnAuthorization, 'returnId', { status: 'authorized' }),
  'return.received': entityMapping('erp', 'return.received', ReturnAuthorization, 'returnId', { status: 'received' }),
  'refund.issued': entityMapping('erp', 'refund.issued', Refund, 'refundId', { status: 'issued' }),
  'refund.failed': entityMapping('erp', 'refund.failed', Refund, 'refundId', { status: 'failed' }),
  'inventory.level.changed': entityMapping('erp', 'inventory.level.changed', InventoryLevel, 'sku'),
});
