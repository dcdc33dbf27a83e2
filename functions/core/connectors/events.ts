import { createHash } from 'node:crypto';
import * as z from '../zod';
import { EVENT_SOURCE_PREFIX, type CanonicalEvent, type CanonicalEvents, type DetailType, type OriginSystem } from '../canonical/events';
import type { VerifiedDelivery } from './connector';

/** Detail types a connector maps deliveries to (the product emits drift events itself). */
export type MappedDetailType = Exclude<DetailType, 'webhook.unmapped' | 'sync.drift.detected'>;
export type DataOf<T extends DetailType> = z.infer<(typeof CanonicalEvents)[T]>['data'];

/**
 * Event ids are derived from the delivery, not random, so a redelivery or replay of the same
 * webhook yields the same ids and consumers can deduplicate on them.
 */
export const deriveEventId = (system: OriginSystem, deliveryId: string, index: number): string =>
  'evt_' + createHash('sha256').update(`${system}\u0000${deliveryId}\u0000${index}`).digest('hex').slice(0, 32);

export const canonicalEvent = <T extends MappedDetailType>(
  system: OriginSystem,
  detailType: T,
  deliveryId: string,
  originType: string,
  receivedAt: Date,
  index: number,
  data: DataOf<T>,
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

export const unmappedEvent = (system: OriginSystem, verified: VerifiedDelivery, originType: string, receivedAt: Date): CanonicalEvent<'webhook.unmapped'> => ({
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

/** A vendor time in any format Date understands (Shopify offsets, Zendesk nanoseconds), as ISO-8601 UTC. */
export const lenientInstant = z.pipe(z.string(), z.transform((value, context) => {
  const parsed = new Date(value);
  if (Number.isNaN(parsed.getTime())) {
    context.issues.push({ code: 'custom', message: 'not a date-time', input: value });
    return z.NEVER;
  }
  return parsed.toISOString();
}));

/** A mapping from one sender event type to canonical events. */
export type Mapping = (verified: VerifiedDelivery, receivedAt: Date) => CanonicalEvent[];
