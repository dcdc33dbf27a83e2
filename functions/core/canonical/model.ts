import { z } from 'zod';
import { EntityId } from './id';
import { EntityVersion, OrderStatus } from './order';

/**
 * The canonical retail model: one shape per business entity, whichever system sent it. Every entity
 * names the system and id it came from, an ordering key (a per-entity version where the source has
 * one, else the time it occurred) and the correlation ids that tie it to other systems' records.
 */
export const SourceSystem = z.enum(['erp', 'service-desk', 'storefront', '3pl']);

const IsoInstant = z.iso.datetime({ offset: true });
const Id = EntityId;

export const SourceRef = z.object({ system: SourceSystem, id: Id });

/** Money as a decimal string (never a float) and an ISO 4217 currency. */
export const Money = z.object({ amount: z.string().regex(/^-?\d+(\.\d+)?$/, 'a decimal number as a string'), currency: z.string().length(3) });

/** Who the record concerns; email is what joins a customer across systems. */
export const CustomerRef = z.object({ id: Id.optional(), email: z.email().optional(), name: z.string().optional() });

const Tracking = {
  source: SourceRef,
  /** Per-entity version in the source system, when it has one. */
  version: EntityVersion.optional(),
  occurredAt: IsoInstant,
  /** Ids of the same business fact elsewhere: order numbers, ticket ids, external document numbers. */
  correlationIds: z.array(z.string()).default([]),
};

export const OrderLine = z.object({ lineId: Id, sku: Id.optional(), title: z.string().optional(), quantity: z.number().int().nonnegative(), unitPrice: Money.optional() });

export const Order = z.object({
  ...Tracking,
  orderId: Id,
  status: OrderStatus.optional(),
  customer: CustomerRef.optional(),
  total: Money.optional(),
  lines: z.array(OrderLine).default([]),
});

export const Shipment = z.object({
  ...Tracking,
  shipmentId: Id,
  orderId: Id,
  status: z.enum(['dispatched', 'in_transit', 'delivered', 'exception']),
  carrier: z.string().optional(),
  trackingNumber: z.string().optional(),
  exception: z.string().optional(),
  lines: z.array(z.object({ sku: Id.optional(), quantity: z.number().int().nonnegative() })).default([]),
});

export const ReturnAuthorization = z.object({
  ...Tracking,
  returnId: Id,
  orderId: Id,
  status: z.enum(['requested', 'authorized', 'declined', 'received', 'closed']),
  reason: z.string().optional(),
  customer: CustomerRef.optional(),
  lines: z.array(z.object({ sku: Id.optional(), quantity: z.number().int().positive(), reason: z.string().optional() })).default([]),
});

export const Refund = z.object({
  ...Tracking,
  refundId: Id,
  orderId: Id,
  status: z.enum(['requested', 'issued', 'failed']),
  amount: Money.optional(),
  reason: z.string().optional(),
  failureReason: z.string().optional(),
  customer: CustomerRef.optional(),
});

export const CreditMemo = z.object({ ...Tracking, creditMemoId: Id, orderId: Id.optional(), invoiceId: Id.optional(), amount: Money, customer: CustomerRef.optional() });

export const Invoice = z.object({ ...Tracking, invoiceId: Id, orderId: Id.optional(), amount: Money, customer: CustomerRef.optional() });

export const InventoryLevel = z.object({ ...Tracking, sku: Id, location: Id, available: z.number().int(), onHand: z.number().int().optional() });

export const Customer = z.object({ ...Tracking, customer: CustomerRef });

export const CaseStatus = z.enum(['new', 'open', 'pending', 'hold', 'solved', 'closed']);

export const ServiceCase = z.object({
  ...Tracking,
  caseId: Id,
  status: CaseStatus,
  previousStatus: CaseStatus.optional(),
  subject: z.string().optional(),
  orderId: Id.optional(),
  requester: CustomerRef,
  tags: z.array(z.string()).default([]),
  /** Custom field changes this event carries (field id -> new value). */
  changedFields: z.record(z.string(), z.unknown()).optional(),
});

/**
 * A refund or replacement an agent asked for from the service desk (a Zendesk trigger), as the API's
 * `POST /v1/cases/{caseId}/resolutions` takes it.
 */
export const ResolutionRequested = z.object({
  ...Tracking,
  caseId: Id,
  orderId: Id,
  lines: z.array(z.object({ sku: Id, quantity: z.number().int().positive(), reason: z.string().min(1) })).min(1),
  preferred: z.enum(['replacement', 'refund']),
  requestedBy: z.string().min(1).max(256),
});

/**
 * An entity the ERP says changed, before anything about it is read: Business Central's change
 * notifications carry only the resource, the kind of change and when. The `erp-notifications` consumer
 * reads the resource through the ERP gate and publishes what it finds.
 */
export const ErpResourceChange = z.object({
  subscriptionId: Id,
  /** The changed entity (`api/v2.0/companies(<id>)/salesOrders(<id>)`), or for `collection` a filtered entity set to read. */
  resource: z.string().min(1).max(2048),
  changeType: z.enum(['created', 'updated', 'deleted', 'collection']),
  lastModifiedDateTime: IsoInstant,
});

export const Interaction = z.object({
  ...Tracking,
  interactionId: Id,
  caseId: Id,
  channel: z.string(),
  public: z.boolean(),
  authorIsAgent: z.boolean().optional(),
  summary: z.string().max(500),
  requester: CustomerRef.optional(),
  orderId: Id.optional(),
});

export type Order = z.infer<typeof Order>;
export type Shipment = z.infer<typeof Shipment>;
export type ReturnAuthorization = z.infer<typeof ReturnAuthorization>;
export type Refund = z.infer<typeof Refund>;
export type CreditMemo = z.infer<typeof CreditMemo>;
export type Invoice = z.infer<typeof Invoice>;
export type InventoryLevel = z.infer<typeof InventoryLevel>;
export type ServiceCase = z.infer<typeof ServiceCase>;
export type ResolutionRequested = z.infer<typeof ResolutionRequested>;
export type Interaction = z.infer<typeof Interaction>;
export type ErpResourceChange = z.infer<typeof ErpResourceChange>;
export type CustomerRef = z.infer<typeof CustomerRef>;
