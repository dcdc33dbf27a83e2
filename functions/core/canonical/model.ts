import * as z from '../zod';
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
export const Money = z.object({ amount: z.string().check(z.regex(/^-?\d+(\.\d+)?$/, 'a decimal number as a string')), currency: z.string().check(z.length(3)) });

/** Who the record concerns; email is what joins a customer across systems. */
export const CustomerRef = z.object({ id: z.optional(Id), email: z.optional(z.email()), name: z.optional(z.string()) });

const Tracking = {
  source: SourceRef,
  /** Per-entity version in the source system, when it has one. */
  version: z.optional(EntityVersion),
  occurredAt: IsoInstant,
  /** Ids of the same business fact elsewhere: order numbers, ticket ids, external document numbers. */
  correlationIds: z._default(z.array(z.string()), []),
};

export const OrderLine = z.object({ lineId: Id, sku: z.optional(Id), title: z.optional(z.string()), quantity: z.number().check(z.int(), z.nonnegative()), unitPrice: z.optional(Money) });

export const Order = z.object({
  ...Tracking,
  orderId: Id,
  status: z.optional(OrderStatus),
  customer: z.optional(CustomerRef),
  total: z.optional(Money),
  lines: z._default(z.array(OrderLine), []),
});

export const Shipment = z.object({
  ...Tracking,
  shipmentId: Id,
  orderId: Id,
  status: z.enum(['dispatched', 'in_transit', 'delivered', 'exception']),
  carrier: z.optional(z.string()),
  trackingNumber: z.optional(z.string()),
  exception: z.optional(z.string()),
  lines: z._default(z.array(z.object({ sku: z.optional(Id), quantity: z.number().check(z.int(), z.nonnegative()) })), []),
});

export const ReturnAuthorization = z.object({
  ...Tracking,
  returnId: Id,
  orderId: Id,
  status: z.enum(['requested', 'authorized', 'declined', 'received', 'closed']),
  reason: z.optional(z.string()),
  customer: z.optional(CustomerRef),
  lines: z._default(z.array(z.object({ sku: z.optional(Id), quantity: z.number().check(z.int(), z.positive()), reason: z.optional(z.string()) })), []),
});

export const Refund = z.object({
  ...Tracking,
  refundId: Id,
  orderId: Id,
  status: z.enum(['requested', 'issued', 'failed']),
  amount: z.optional(Money),
  reason: z.optional(z.string()),
  failureReason: z.optional(z.string()),
  customer: z.optional(CustomerRef),
});

export const CreditMemo = z.object({ ...Tracking, creditMemoId: Id, orderId: z.optional(Id), invoiceId: z.optional(Id), amount: Money, customer: z.optional(CustomerRef) });

export const Invoice = z.object({ ...Tracking, invoiceId: Id, orderId: z.optional(Id), amount: Money, customer: z.optional(CustomerRef) });

export const InventoryLevel = z.object({ ...Tracking, sku: Id, location: Id, available: z.number().check(z.int()), onHand: z.optional(z.number().check(z.int())) });

export const Customer = z.object({ ...Tracking, customer: CustomerRef });

export const CaseStatus = z.enum(['new', 'open', 'pending', 'hold', 'solved', 'closed']);

export const ServiceCase = z.object({
  ...Tracking,
  caseId: Id,
  status: CaseStatus,
  previousStatus: z.optional(CaseStatus),
  subject: z.optional(z.string()),
  orderId: z.optional(Id),
  requester: CustomerRef,
  tags: z._default(z.array(z.string()), []),
  /** Custom field changes this event carries (field id -> new value). */
  changedFields: z.optional(z.record(z.string(), z.unknown())),
});

/**
 * A refund or replacement an agent asked for from the service desk (a Zendesk trigger), as the API's
 * `POST /v1/cases/{caseId}/resolutions` takes it.
 */
export const ResolutionRequested = z.object({
  ...Tracking,
  caseId: Id,
  orderId: Id,
  lines: z.array(z.object({ sku: Id, quantity: z.number().check(z.int(), z.positive()), reason: z.string().check(z.minLength(1)) })).check(z.minLength(1)),
  preferred: z.enum(['replacement', 'refund']),
  requestedBy: z.string().check(z.minLength(1), z.maxLength(256)),
});

/**
 * An entity the ERP says changed, before anything about it is read: Business Central's change
 * notifications carry only the resource, the kind of change and when. The `erp-notifications` consumer
 * reads the resource through the ERP gate and publishes what it finds.
 */
export const ErpResourceChange = z.object({
  subscriptionId: Id,
  /** The changed entity (`api/v2.0/companies(<id>)/salesOrders(<id>)`), or for `collection` a filtered entity set to read. */
  resource: z.string().check(z.minLength(1), z.maxLength(2048)),
  changeType: z.enum(['created', 'updated', 'deleted', 'collection']),
  lastModifiedDateTime: IsoInstant,
});

export const Interaction = z.object({
  ...Tracking,
  interactionId: Id,
  caseId: Id,
  channel: z.string(),
  public: z.boolean(),
  authorIsAgent: z.optional(z.boolean()),
  summary: z.string().check(z.maxLength(500)),
  requester: z.optional(CustomerRef),
  orderId: z.optional(Id),
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
