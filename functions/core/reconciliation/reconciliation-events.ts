import { EVENT_SOURCE_PREFIX, type CanonicalEvent, type SyncDrift } from '../canonical/events';
import type { OrderStatusSnapshot } from '../canonical/order';
import { deriveEventId } from '../connectors/events';

/**
 * The ERP's state as an `order.status.changed` event. Its delivery id (and so its event id) depends only
 * on the order and version, so every run, retry or replay that re-emits it yields the same event, and the
 * consumers' version guards apply it at most once.
 */
export const repairEvent = (erp: OrderStatusSnapshot, runId: string, at: Date): CanonicalEvent<'order.status.changed'> => {
  const deliveryId = `reconcile:${erp.orderId}:v${erp.version}`;
  return {
    detailType: 'order.status.changed',
    source: EVENT_SOURCE_PREFIX + 'erp',
    detail: {
      eventId: deriveEventId('erp', deliveryId, 0),
      correlationId: `${runId}/${erp.orderId}`,
      schemaVersion: 1,
      origin: { system: 'erp', deliveryId, type: 'reconciliation.erp-read' },
      receivedAt: at.toISOString(),
      data: erp,
    },
  };
};

export const driftEvent = (drift: SyncDrift): CanonicalEvent<'sync.drift.detected'> => {
  const deliveryId = `${drift.runId}/${drift.entity.id}/v${drift.erp.version}`;
  return {
    detailType: 'sync.drift.detected',
    source: `${EVENT_SOURCE_PREFIX}reconciler`,
    detail: {
      eventId: deriveEventId('erp', `drift:${deliveryId}`, 0),
      correlationId: `${drift.runId}/${drift.entity.id}`,
      schemaVersion: 1,
      origin: { system: 'retail-sync', deliveryId, type: 'reconciliation' },
      receivedAt: drift.detectedAt,
      data: drift,
    },
  };
};
