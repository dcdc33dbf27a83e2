import { createHash } from 'node:crypto';
import type { CanonicalEvent } from '../core/canonical/events';
import type { Connector } from '../core/connectors/connector';
import { connectorIn, makeConnectorRegistry } from '../core/connectors/registry';
import { DomainError, PayloadTooLargeError } from '../core/errors';
import { requireJsonBody } from '../core/media-type';
import { errorResponse, jsonResponse, type HttpResponse } from '../core/problem';
import type { Clock } from '../core/ports/clock';
import type { DeliveryLedger } from '../core/ports/delivery-ledger';
import type { EventPublisher } from '../core/ports/event-publisher';
import type { SigningSecrets } from '../core/ports/signing-secrets';

export interface WebhookRequest {
  source: string;
  headers: Record<string, string | undefined>;
  rawBody: string;
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

/** EventBridge takes 256 KB per entry; the canonical envelope needs a little room beside the body. */
export const MAX_WEBHOOK_BODY_BYTES = 240 * 1024;

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
      const size = Buffer.byteLength(request.rawBody, 'utf8');
      if (size > MAX_WEBHOOK_BODY_BYTES) {
        throw new PayloadTooLargeError(
          `The body is ${size} bytes; this endpoint accepts at most ${MAX_WEBHOOK_BODY_BYTES} bytes per delivery.`,
        );
      }
      const receivedAt = clock.now();
      const verified = connector.verify({ headers: request.headers, rawBody: request.rawBody, receivedAt }, await secrets.forSource(request.source));
      deliveryId = verified.deliveryId;
      const events = connector.map(verified, receivedAt);

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
