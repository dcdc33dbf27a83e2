import { createHash } from 'node:crypto';
import { CanonicalEvents, type CanonicalEvent } from '../core/canonical/events';
import { validated } from '../core/canonical/parse';
import type { Connector } from '../core/connectors/connector';
import { connectorIn, makeConnectorRegistry } from '../core/connectors/registry';
import { DomainError, PayloadTooLargeError, ValidationError } from '../core/errors';
import { requireJsonBody } from '../core/media-type';
import { errorResponse, jsonResponse, type HttpResponse } from '../core/problem';
import type { Clock } from '../core/ports/clock';
import type { DeliveryLedger } from '../core/ports/delivery-ledger';
import type { EventPublisher } from '../core/ports/event-publisher';
import type { SigningSecrets } from '../core/ports/signing-secrets';

export interface WebhookRequest {
  source: string;
  headers: Record<string, string | undefined>;
  /** The body's bytes (a base64-encoded gateway body, decoded), or its text when the gateway passed text. */
  rawBody: Uint8Array | string;
  /** Query string parameters (a sender's URL check carries its token there). */
  query?: Readonly<Record<string, string | undefined>>;
  /** Path of the request, used as the problem's `instance`. */
  path: string;
}

export type IngestOutcome =
  | 'accepted'
  | 'handshake'
  | 'duplicate'
  | 'unmapped'
  | 'unknown-source'
  | 'signature-invalid'
  | 'validation'
  | 'payload-too-large'
  | 'unsupported-media-type'
  | 'delivery-conflict'
  | 'delivery-in-progress'
  | 'error';

export interface IngestResult {
  response: HttpResponse;
  outcome: IngestOutcome;
  deliveryId?: string;
  error?: unknown;
}

export interface IngestDependencies {
  secrets: SigningSecrets;
  publisher: EventPublisher;
  ledger: DeliveryLedger;
  clock: Clock;
  /** Registered senders (default: every built-in connector with default settings). */
  connectors?: Readonly<Record<string, Connector>>;
}

/** The orders a delivery's events name, each once. */
const ordersOf = (events: CanonicalEvent[]) => [
  ...new Set(events.map((event) => (event.detail.data as { orderId?: unknown } | undefined)?.orderId).filter((orderId): orderId is string => typeof orderId === 'string')),
];

/**
 * Every event must match its schema in the catalogue before it is accepted: consumers parse with the same
 * schemas, so an event they would refuse is the sender's mistake, answered 400 here, never a DLQ message.
 */
const refuseInvalidEvents = (events: CanonicalEvent[]) => {
  for (const event of events) {
    validated(CanonicalEvents[event.detailType], event.detail, { problem: `The delivery maps to a ${event.detailType} event that is not valid` });
  }
};

/** EventBridge takes 256 KB per entry; the canonical envelope needs a little room beside the body. */
export const MAX_WEBHOOK_BODY_BYTES = 240 * 1024;

/**
 * Deepest nesting of a body ingest accepts: far beyond any sender's payload, far short of what breaks
 * serializers on the way to and from the bus (a deep unmapped body failed every retry with a 500).
 */
export const MAX_BODY_DEPTH = 32;

/** EventBridge's limit for one entry: detail, detail-type, source and time together. */
const MAX_EVENT_ENTRY_BYTES = 256 * 1024;

/** How deep `value` nests objects and arrays, counted without recursion and only up to `limit + 1`. */
const depthBeyond = (value: unknown, limit: number): boolean => {
  const pending: Array<[unknown, number]> = [[value, 0]];
  while (pending.length > 0) {
    const [next, depth] = pending.pop()!;
    if (next === null || typeof next !== 'object') continue;
    if (depth + 1 > limit) return true;
    for (const child of Object.values(next)) pending.push([child, depth + 1]);
  }
  return false;
};

const refuseDeepBody = (body: unknown) => {
  if (depthBeyond(body, MAX_BODY_DEPTH)) {
    throw new ValidationError(`The body is nested more than ${MAX_BODY_DEPTH} levels deep; at most ${MAX_BODY_DEPTH} are accepted.`);
  }
};

/** A body under the size limit can still grow when parsed and serialized again (`1e9` becomes `1000000000`). */
const refuseOversizedEvents = (events: CanonicalEvent[]) => {
  for (const event of events) {
    // PutEvents counts an entry's time as 14 bytes.
    const bytes = Buffer.byteLength(JSON.stringify(event.detail)) + Buffer.byteLength(event.detailType) + Buffer.byteLength(event.source) + 14;
    if (bytes > MAX_EVENT_ENTRY_BYTES) {
      throw new ValidationError(`The delivery's ${event.detailType} event would take ${bytes} bytes on the bus; EventBridge carries at most ${MAX_EVENT_ENTRY_BYTES}.`);
    }
  }
};

/**
 * Verifies, validates and normalises one webhook delivery, then publishes its canonical events at
 * least once per delivery id. Client mistakes are answered before anything reaches the bus.
 *
 * The ledger answers a redelivery of a recorded delivery without publishing. PutEvents is not
 * idempotent, though: if publishing fails part-way (some entries rejected after the publisher's own
 * retries) or the function dies after publishing but before the ledger records the delivery, the
 * sender's retry publishes the delivery again. Event ids are derived from the delivery, so every
 * republished event carries the id it had the first time, and consumers deduplicate by event id or
 * by the entity's version.
 *
 * @example
 * const ingest = makeIngest({ secrets, publisher, ledger, clock: systemClock });
 * const { response, outcome } = await ingest({ source: 'erp', headers, rawBody, path: '/v1/webhooks/erp' });
 * // response: 202 {"eventId","duplicate"}, or an application/problem+json refusal (README, "HTTP API")
 */
export const makeIngest = ({ secrets, publisher, ledger, clock, connectors = makeConnectorRegistry() }: IngestDependencies) =>
  async (request: WebhookRequest): Promise<IngestResult> => {
    let deliveryId: string | undefined;
    try {
      const connector = connectorIn(connectors, request.source);
      const handshake = connector.handshake?.(request.query ?? {});
      if (handshake) return { response: handshake, outcome: 'handshake' };
      requireJsonBody(request.headers, request.rawBody);
      const size = typeof request.rawBody === 'string' ? Buffer.byteLength(request.rawBody, 'utf8') : request.rawBody.byteLength;
      if (size > MAX_WEBHOOK_BODY_BYTES) {
        throw new PayloadTooLargeError(
          `The body is ${size} bytes; this endpoint accepts at most ${MAX_WEBHOOK_BODY_BYTES} bytes per delivery.`,
        );
      }
      const receivedAt = clock.now();
      const verified = connector.verify({ headers: request.headers, rawBody: request.rawBody, receivedAt }, await secrets.forSource(request.source));
      deliveryId = verified.deliveryId;
      refuseDeepBody(verified.body);
      const events = connector.map(verified, receivedAt);
      refuseInvalidEvents(events);
      refuseOversizedEvents(events);

      const fingerprint = createHash('sha256').update(request.rawBody).digest('hex');
      const { result, duplicate } = await ledger.acceptOnce(`${request.source}#${verified.deliveryId}`, fingerprint, async () => {
        await publisher.publish(events);
        // Beside the answer a redelivery gets, what `ops trace` needs to go from a delivery to its orders.
        return {
          eventId: events[0]!.detail.eventId,
          eventIds: events.map((event) => event.detail.eventId),
          source: request.source,
          deliveryId: verified.deliveryId,
          receivedAt: receivedAt.toISOString(),
          orderIds: ordersOf(events),
        };
      });
      const unmapped = events.every((event) => event.detailType === 'webhook.unmapped');
      return {
        response: jsonResponse(202, { eventId: result.eventId, duplicate, ...(unmapped ? { mapped: false } : {}) }),
        outcome: duplicate ? 'duplicate' : unmapped ? 'unmapped' : 'accepted',
        deliveryId,
      };
    } catch (error) {
      return {
        response: errorResponse(error, request.path),
        outcome: error instanceof DomainError ? (error.kind as IngestOutcome) : 'error',
        deliveryId,
        error,
      };
    }
  };
