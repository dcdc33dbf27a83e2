import type { CanonicalEvent } from './canonical/events';
import type { CustomerRef } from './canonical/model';

/**
 * Read models for agents: the per-customer timeline and inventory availability. Pure rules here;
 * the DynamoDB adapter stores them.
 */

/** A customer key: `email:<address>` when an email is known (it joins systems), else `<system>:<id>`. */
export const customerKeyOf = (system: string, customer: CustomerRef | undefined): { key?: string; alias?: string } => {
  const email = customer?.email?.trim().toLowerCase();
  const alias = customer?.id ? `${system}:${customer.id}` : undefined;
  return { key: email ? `email:${email}` : undefined, alias };
};

/** Normalises what a caller passes as customer id: an email, `email:<address>` or `<system>:<id>`. */
export const normaliseCustomerId = (customerId: string) => {
  const trimmed = customerId.trim();
  if (trimmed.includes('@') && !trimmed.startsWith('email:')) return `email:${trimmed.toLowerCase()}`;
  return trimmed.startsWith('email:') ? trimmed.toLowerCase() : trimmed;
};

export interface TimelineEntry {
  eventId: string;
  type: string;
  occurredAt: string;
  system: string;
  summary: string;
  orderId?: string;
  caseId?: string;
  entityId: string;
}

type Data = Record<string, unknown> & { occurredAt: string; source?: { system: string; id: string } };

const SUMMARIES: Record<string, (data: Data) => string> = {
  'order.created': (d) => `Order ${d.orderId} placed${d.total ? ` (${(d.total as { amount: string; currency: string }).amount} ${(d.total as { currency: string }).currency})` : ''}`,
  'order.updated': (d) => `Order ${d.orderId} updated`,
  'order.cancelled': (d) => `Order ${d.orderId} cancelled`,
  'shipment.dispatched': (d) => `Shipment ${d.shipmentId} for order ${d.orderId} ${d.status === 'in_transit' ? 'in transit' : 'dispatched'}${d.carrier ? ` with ${d.carrier}` : ''}`,
  'shipment.delivered': (d) => `Shipment ${d.shipmentId} for order ${d.orderId} delivered`,
  'shipment.exception': (d) => `Shipment ${d.shipmentId} for order ${d.orderId} has a delivery exception${d.exception ? `: ${d.exception}` : ''}`,
  'return.requested': (d) => `Return ${d.returnId} requested for order ${d.orderId}`,
  'return.authorized': (d) => `Return ${d.returnId} authorized for order ${d.orderId}`,
  'return.received': (d) => `Return ${d.returnId} for order ${d.orderId} ${d.status === 'closed' ? 'closed' : 'received'}`,
  'refund.requested': (d) => `Refund ${d.refundId} requested for order ${d.orderId}`,
  'refund.issued': (d) => `Refund ${d.refundId} issued for order ${d.orderId}${d.amount ? ` (${(d.amount as { amount: string }).amount} ${(d.amount as { currency: string }).currency})` : ''}`,
  'refund.failed': (d) => `Refund ${d.refundId} for order ${d.orderId} failed${d.failureReason ? `: ${d.failureReason}` : ''}`,
  'creditmemo.issued': (d) => `Credit memo ${d.creditMemoId} issued`,
  'invoice.posted': (d) => `Invoice ${d.invoiceId} posted`,
  'case.opened': (d) => `Case ${d.caseId} opened${d.subject ? `: ${d.subject}` : ''}`,
  'case.updated': (d) => `Case ${d.caseId} updated${d.previousStatus ? ` (${d.previousStatus} -> ${d.status})` : ''}`,
  'case.resolved': (d) => `Case ${d.caseId} resolved`,
  'interaction.recorded': (d) => `${d.authorIsAgent ? 'Agent' : 'Customer'} ${d.public ? 'replied' : 'noted'} on case ${d.caseId}: ${String(d.summary).slice(0, 140)}`,
  // A workflow's milestones (refund issued, return received, replacement created…) as the case shows them.
  'workflow.started': (d) => `Refund or replacement for order ${d.orderId}: ${d.cause}`,
  'workflow.step.completed': (d) => `Refund or replacement for order ${d.orderId}: ${d.cause}`,
  'workflow.exception': (d) => `Refund or replacement for order ${d.orderId}: ${d.cause}`,
  'workflow.completed': (d) => `Refund or replacement for order ${d.orderId}: ${d.cause}`,
};

/** Detail types that belong on a customer's timeline. */
export const TIMELINE_TYPES = Object.keys(SUMMARIES);

/** What a timeline projection needs from an event: the entry, who it concerns and how to find them. */
export const timelineFacts = (event: Pick<CanonicalEvent, 'detailType' | 'detail'>) => {
  const summarise = SUMMARIES[event.detailType];
  if (!summarise) return undefined;
  const raw = event.detail.data as Data;
  // Workflow transitions are the product's own: the workflow is their source.
  const data: Data & { source: { system: string; id: string } } = { ...raw, source: raw.source ?? { system: 'retail-sync', id: String(raw.workflowId) } };
  const customer = (data.customer ?? data.requester) as CustomerRef | undefined;
  const entry: TimelineEntry = {
    eventId: event.detail.eventId,
    type: event.detailType,
    occurredAt: new Date(data.occurredAt).toISOString(),
    system: data.source.system,
    summary: summarise(data),
    entityId: data.source.id,
    ...(typeof data.orderId === 'string' ? { orderId: data.orderId } : {}),
    ...(typeof data.caseId === 'string' ? { caseId: data.caseId } : {}),
  };
  return { entry, ...customerKeyOf(data.source.system, customer) };
};

export interface InventoryView {
  sku: string;
  totalAvailable: number;
  locations: Array<{ location: string; available: number; onHand?: number; asOf: string; source: string; ageSeconds: number; stale: boolean }>;
  /** The oldest `asOf` among the locations shown: how fresh the whole answer is. */
  asOf: string;
  stale: boolean;
}

export interface StoredInventoryLevel {
  sku: string;
  location: string;
  available: number;
  onHand?: number;
  asOf: string;
  source: string;
}

/** Availability as agents see it, each location flagged stale past `staleAfterSeconds`. */
export const toInventoryView = (sku: string, levels: StoredInventoryLevel[], now: Date, staleAfterSeconds: number): InventoryView => {
  const locations = levels
    .map((level) => {
      const ageSeconds = Math.max(0, Math.round((now.getTime() - Date.parse(level.asOf)) / 1000));
      return { location: level.location, available: level.available, ...(level.onHand !== undefined ? { onHand: level.onHand } : {}), asOf: level.asOf, source: level.source, ageSeconds, stale: ageSeconds > staleAfterSeconds };
    })
    .sort((a, b) => a.location.localeCompare(b.location));
  const asOf = locations.map((location) => location.asOf).sort()[0] ?? now.toISOString();
  return { sku, totalAvailable: locations.reduce((sum, location) => sum + Math.max(0, location.available), 0), locations, asOf, stale: locations.some((location) => location.stale) };
};
