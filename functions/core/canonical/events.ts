import { z } from 'zod';
import {
  CreditMemo,
  Interaction,
  InventoryLevel,
  Invoice,
  Order,
  Refund,
  ReturnAuthorization,
  ServiceCase,
  Shipment,
  SourceSystem,
} from './model';
import { OrderStatusSnapshot } from './order';

/** EventBridge `source` of every canonical event: `retail-sync.<origin system>`. */
export const EVENT_SOURCE_PREFIX = 'retail-sync.';

/** Systems that send us facts. */
export const OriginSystem = SourceSystem;
export type OriginSystem = z.infer<typeof OriginSystem>;

/**
 * Metadata every canonical event carries in its EventBridge detail, beside `data`.
 * `schemaVersion` changes only when `data` changes incompatibly.
 */
export const EventMetadata = z.object({
  eventId: z.string().min(1),
  correlationId: z.string().min(1),
  schemaVersion: z.literal(1),
  origin: z.object({
    system: OriginSystem,
    deliveryId: z.string().min(1),
    type: z.string().min(1),
  }),
  receivedAt: z.iso.datetime({ offset: true }),
});

export const OrderStatusChangedDetail = EventMetadata.extend({ data: OrderStatusSnapshot });
export type OrderStatusChangedDetail = z.infer<typeof OrderStatusChangedDetail>;

/** A delivery we verified but do not map yet: kept on the bus (and so in the archive) for inspection and later replay. */
export const WebhookUnmappedDetail = z.object({
  eventId: z.string().min(1),
  correlationId: z.string().min(1),
  schemaVersion: z.literal(1),
  origin: z.object({ system: OriginSystem, deliveryId: z.string().min(1), type: z.string() }),
  receivedAt: z.iso.datetime({ offset: true }),
  data: z.object({ body: z.unknown() }),
});
export type WebhookUnmappedDetail = z.infer<typeof WebhookUnmappedDetail>;

const detailOf = <T extends z.ZodTypeAny>(data: T) => EventMetadata.extend({ data });

/**
 * Canonical detail types and the schema of each detail: the one catalogue of what travels on the bus.
 * `docs/events/` is generated from it (`npm run events:catalogue`); a test refuses an incompatible
 * change that keeps the same `schemaVersion`.
 */
export const CanonicalEvents = {
  'order.created': detailOf(Order),
  'order.status.changed': OrderStatusChangedDetail,
  'order.updated': detailOf(Order),
  'order.cancelled': detailOf(Order),
  'shipment.dispatched': detailOf(Shipment),
  'shipment.delivered': detailOf(Shipment),
  'shipment.exception': detailOf(Shipment),
  'return.requested': detailOf(ReturnAuthorization),
  'return.authorized': detailOf(ReturnAuthorization),
  'return.received': detailOf(ReturnAuthorization),
  'refund.requested': detailOf(Refund),
  'refund.issued': detailOf(Refund),
  'refund.failed': detailOf(Refund),
  'creditmemo.issued': detailOf(CreditMemo),
  'invoice.posted': detailOf(Invoice),
  'inventory.level.changed': detailOf(InventoryLevel),
  'case.opened': detailOf(ServiceCase),
  'case.updated': detailOf(ServiceCase),
  'case.resolved': detailOf(ServiceCase),
  'interaction.recorded': detailOf(Interaction),
  'webhook.unmapped': WebhookUnmappedDetail,
} as const;
export type DetailType = keyof typeof CanonicalEvents;

export interface CanonicalEvent<T extends DetailType = DetailType> {
  detailType: T;
  source: string;
  detail: z.infer<(typeof CanonicalEvents)[T]>;
}

/** The envelope EventBridge wraps a detail in when it delivers to an SQS target. */
export const eventBridgeEnvelope = <T extends z.ZodTypeAny>(detail: T) =>
  z.object({
    id: z.string(),
    'detail-type': z.string(),
    source: z.string(),
    time: z.string(),
    detail,
  });
