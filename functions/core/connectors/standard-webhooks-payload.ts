import * as z from '../zod';
import type { OriginSystem } from '../canonical/events';
import { validated } from '../canonical/parse';
import type { Connector } from './connector';
import { canonicalEvent, unmappedEvent, type DataOf, type MappedDetailType, type Mapping } from './events';
import { verifyStandardWebhook } from './standard-webhooks';

/** The Standard Webhooks payload convention the ERP and 3PL follow. */
const Envelope = z.object({ type: z.string().check(z.minLength(1)), timestamp: z.iso.datetime({ offset: true }), data: z.unknown() });

/**
 * A mapping for senders whose `data` is already the canonical entity (less `source`, which we stamp):
 * the sender's `type` names the canonical event and `idField` names the entity id.
 */
export const entityMapping =
  <T extends MappedDetailType>(system: OriginSystem, detailType: T, schema: z.ZodMiniObject, idField: string, extra: Record<string, unknown> = {}): Mapping =>
  (verified, receivedAt) => {
    const envelope = validated(Envelope, verified.body);
    const raw = (envelope.data ?? {}) as Record<string, unknown>;
    const withSource = { ...raw, ...extra, source: { system, id: String(raw[idField] ?? '') } };
    const data = validated(schema, withSource, { at: 'data' }) as DataOf<T>;
    return [canonicalEvent(system, detailType, verified.deliveryId, envelope.type, receivedAt, 0, data)];
  };

/** A Standard Webhooks connector routing on the payload's `type`. */
export const standardWebhooksConnector = (system: OriginSystem, mappings: Record<string, Mapping>): Connector => ({
  system,
  verify: verifyStandardWebhook,
  map(verified, receivedAt) {
    const { type } = validated(Envelope, verified.body);
    const mapping = Object.hasOwn(mappings, type) ? mappings[type] : undefined;
    return mapping ? mapping(verified, receivedAt) : [unmappedEvent(system, verified, type, receivedAt)];
  },
});
