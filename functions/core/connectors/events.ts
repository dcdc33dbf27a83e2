import { createHash } from 'node:crypto';
import {
  EVENT_SOURCE_PREFIX,
  type CanonicalEvent,
  type DetailType,
  type OriginSystem,
} from '../canonical/events';
import type { VerifiedDelivery } from './connector';

/**
 * Event ids are derived from the delivery, not random, so a redelivery or replay of the same
 * webhook yields the same ids and consumers can deduplicate on them.
 */
export const deriveEventId = (system: OriginSystem, deliveryId: string, index: number): string =>
  'evt_' + createHash('sha256').update(`${system}\u0000${deliveryId}\u0000${index}`).digest('hex').slice(0, 32);

export const canonicalEvent = <T extends Exclude<DetailType, 'webhook.unmapped'>>(
  system: OriginSystem,
  detailType: T,
  deliveryId: string,
  originType: string,
  receivedAt: Date,
  index: number,
  data: CanonicalEvent<T>['detail']['data'],
): CanonicalEvent<T> => ({
  detailType,
  source: EVENT_SOURCE_PREFIX + system,
  detail: {
    eventId: deriveEventId(system, deliveryId, index),
    correlationId: deliveryId,
    schemaVersion: 1,
    origin: { system, deliveryId, type: originType },
    receivedAt: receivedAt.toISOString(),
    data,
  } as CanonicalEvent<T>['detail'],
});

export const unmappedEvent = (
  system: OriginSystem,
  verified: VerifiedDelivery,
  originType: string,
  receivedAt: Date,
): CanonicalEvent<'webhook.unmapped'> => ({
  detailType: 'webhook.unmapped',
  source: EVENT_SOURCE_PREFIX + system,
  detail: {
    eventId: deriveEventId(system, verified.deliveryId, 0),
    correlationId: verified.deliveryId,
    schemaVersion: 1,
    origin: { system, deliveryId: verified.deliveryId, type: originType },
    receivedAt: receivedAt.toISOString(),
    data: { body: verified.body },
  },
});
