import type { CanonicalEvent } from '../canonical/events';
import type { OriginSystem } from '../canonical/events';
import type { HttpResponse } from '../problem';

/** One webhook delivery as it reached us, before anything is trusted. */
export interface WebhookDelivery {
  headers: Record<string, string | undefined>;
  /** The body's bytes as they were signed (or text, when the gateway passed it as text): verify these, then decode. */
  rawBody: Uint8Array | string;
  receivedAt: Date;
}

/** A delivery whose signature checked out: its sender-assigned id (the dedup key) and the parsed body. */
export interface VerifiedDelivery {
  deliveryId: string;
  body: unknown;
  /** Request headers, lower-cased (some senders put the event type in a header). */
  headers?: Record<string, string | undefined>;
  /** The body's text (decoded strictly after verification), for fields JSON numbers cannot hold exactly. */
  rawBody?: string;
}

/**
 * Everything the product knows about one sender: how to verify it and how its payloads map
 * onto the canonical model. Adding a sender is one module implementing this, registered in `registry.ts`.
 *
 * @example
 * const verified = erpConnector.verify({ headers, rawBody, receivedAt }, secrets); // throws 401/400 errors
 * const events = erpConnector.map(verified, receivedAt); // canonical events for the bus
 */
export interface Connector {
  readonly system: OriginSystem;
  /**
   * Checks the signature over the body's bytes, then decodes them strictly and parses them. Throws
   * `SignatureInvalidError` (401) for what is not proven to be the sender's, `ValidationError` (400) for a
   * signed body that is not UTF-8, JSON or what the sender promised; never returns an unverified delivery.
   */
  verify(delivery: WebhookDelivery, secrets: readonly string[]): VerifiedDelivery;
  /**
   * For senders that check the URL before they post to it (Business Central's `validationToken`): the
   * answer to such a check, or undefined for an ordinary delivery. Throws `ValidationError` (400).
   */
  handshake?(query: Readonly<Record<string, string | undefined>>): HttpResponse | undefined;
  /** Throws `ValidationError` (400) when a mapped type has a malformed body; unmapped types map to `webhook.unmapped`. */
  map(verified: VerifiedDelivery, receivedAt: Date): CanonicalEvent[];
}
