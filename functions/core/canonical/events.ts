import * as z from '../zod';
import {
  CreditMemo,
  ErpResourceChange,
  Interaction,
  InventoryLevel,
  Invoice,
  Order,
  Refund,
  ResolutionRequested,
  ReturnAuthorization,
  ServiceCase,
  Shipment,
  SourceSystem,
} from './model';
import { OrderStatusSnapshot } from './order';
import { WorkflowTransition } from './workflow';

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
  eventId: z.string().check(z.minLength(1)),
  correlationId: z.string().check(z.minLength(1)),
  schemaVersion: z.literal(1),
  origin: z.object({
    system: OriginSystem,
    deliveryId: z.string().check(z.minLength(1)),
    type: z.string().check(z.minLength(1)),
  }),
  receivedAt: z.iso.datetime({ offset: true }),
});

export const OrderStatusChangedDetail = z.extend(EventMetadata, { data: OrderStatusSnapshot });
export type OrderStatusChangedDetail = z.infer<typeof OrderStatusChangedDetail>;

/** A delivery we verified but do not map yet: kept on the bus (and so in the archive) for inspection and later replay. */
export const WebhookUnmappedDetail = z.object({
  eventId: z.string().check(z.minLength(1)),
  correlationId: z.string().check(z.minLength(1)),
  schemaVersion: z.literal(1),
  origin: z.object({ system: OriginSystem, deliveryId: z.string().check(z.minLength(1)), type: z.string() }),
  receivedAt: z.iso.datetime({ offset: true }),
  data: z.object({ body: z.unknown() }),
});
export type WebhookUnmappedDetail = z.infer<typeof WebhookUnmappedDetail>;


/** What reconciliation found wrong with one entity, and what it did about it. */
export const DriftKind = z.enum([
  // The sync state holds an older ERP version than the ERP: an ERP event was lost or is stuck.
  'sync-state-behind',
  // A linked service case shows an older version (or none): a service-desk update was lost.
  'service-desk-behind',
  // A linked case shows a newer version than the ERP: edited by hand; never moved back automatically.
  'service-desk-ahead',
]);
export type DriftKind = z.infer<typeof DriftKind>;

export const SyncDrift = z.object({
  runId: z.string().check(z.minLength(1)),
  entity: z.object({ type: z.literal('order'), id: z.string().check(z.minLength(1)) }),
  kinds: z.array(DriftKind).check(z.minLength(1)),
  /** The ERP's authoritative state, read through its adapter. */
  erp: OrderStatusSnapshot,
  /** What the sync state recorded of each side (absent: never recorded). */
  syncState: z.object({
    erpVersion: z.optional(z.number().check(z.int())),
    serviceDeskVersion: z.optional(z.number().check(z.int())),
  }),
  /** What each linked case shows, read through the service-desk adapter. */
  serviceDesk: z.object({
    cases: z.array(z.object({ caseId: z.string(), status: z.optional(z.string()), version: z.optional(z.number().check(z.int())) })),
  }),
  /** Seconds since the ERP change the other side has not caught up with. */
  ageSeconds: z.number().check(z.int(), z.nonnegative()),
  detectedAt: z.iso.datetime({ offset: true }),
  /** `reemitted`: the ERP state went back on the bus; `deferred`: the run's repair bound was reached; `report-only`: asked not to repair; `manual`: nothing automatic can fix it. */
  repair: z.enum(['reemitted', 'deferred', 'report-only', 'manual']),
});
export type SyncDrift = z.infer<typeof SyncDrift>;

/** Events the product itself emits (reconciliation) rather than relays from a system. */
export const SyncDriftDetectedDetail = z.object({
  eventId: z.string().check(z.minLength(1)),
  correlationId: z.string().check(z.minLength(1)),
  schemaVersion: z.literal(1),
  origin: z.object({ system: z.literal('retail-sync'), deliveryId: z.string().check(z.minLength(1)), type: z.literal('reconciliation') }),
  receivedAt: z.iso.datetime({ offset: true }),
  data: SyncDrift,
});
export type SyncDriftDetectedDetail = z.infer<typeof SyncDriftDetectedDetail>;

const detailOf = <T extends z.ZodMiniType>(data: T) => z.extend(EventMetadata, { data });

/** A workflow transition, emitted by the product (its workflows) rather than relayed from a system. */
export const WorkflowTransitionDetail = z.extend(EventMetadata, {
  origin: z.object({ system: z.literal('retail-sync'), deliveryId: z.string().check(z.minLength(1)), type: z.literal('workflow') }),
  data: WorkflowTransition,
});
export type WorkflowTransitionDetail = z.infer<typeof WorkflowTransitionDetail>;

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
  'case.resolution.requested': detailOf(ResolutionRequested),
  'interaction.recorded': detailOf(Interaction),
  'erp.resource.changed': detailOf(ErpResourceChange),
  'webhook.unmapped': WebhookUnmappedDetail,
  'sync.drift.detected': SyncDriftDetectedDetail,
  'workflow.started': WorkflowTransitionDetail,
  'workflow.step.completed': WorkflowTransitionDetail,
  'workflow.exception': WorkflowTransitionDetail,
  'workflow.completed': WorkflowTransitionDetail,
  'workflow.sla.breached': WorkflowTransitionDetail,
} as const;
export type DetailType = keyof typeof CanonicalEvents;

export interface CanonicalEvent<T extends DetailType = DetailType> {
  detailType: T;
  source: string;
  detail: z.infer<(typeof CanonicalEvents)[T]>;
}

/** The envelope EventBridge wraps a detail in when it delivers to an SQS target. */
export const eventBridgeEnvelope = <T extends z.ZodMiniType>(detail: T) =>
  z.object({
    id: z.string(),
    'detail-type': z.string(),
    source: z.string(),
    time: z.string(),
    detail,
  });
