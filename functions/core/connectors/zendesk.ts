import * as z from '../zod';
import type { CanonicalEvent } from '../canonical/events';
import { CaseStatus, type ServiceCase } from '../canonical/model';
import { SignatureInvalidError, ValidationError } from '../errors';
import { ResolutionRequestBody } from '../workflows/refund-or-replacement';
import { decodeUtf8, parseJson, validated } from '../canonical/parse';
import type { Connector, VerifiedDelivery } from './connector';
import { canonicalEvent, lenientInstant, unmappedEvent, type Mapping } from './events';
import { hmacBase64, lowerCaseKeys, signatureMatches } from './hmac';

export interface ZendeskConnectorOptions {
  /** Ticket custom field that holds the order number a case concerns. */
  orderFieldId: string;
  /** Tag prefix naming the order when no custom field is used, e.g. `order_` in `order_SO-1001`. */
  orderTagPrefix: string;
  /** Largest accepted distance between the signed timestamp and our clock. */
  toleranceSeconds: number;
}

export const DEFAULT_ZENDESK_OPTIONS: ZendeskConnectorOptions = { orderFieldId: '9000001', orderTagPrefix: 'order_', toleranceSeconds: 300 };

const Instant = lenientInstant;

const TicketDetail = z.object({
  id: z.pipe(z.union([z.string(), z.number()]), z.transform(String)),
  status: z.optional(z.string()),
  subject: z.nullish(z.string()),
  requester_id: z.nullish(z.pipe(z.union([z.string(), z.number()]), z.transform(String))),
  tags: z.nullish(z.array(z.string())),
  via: z.nullish(z.object({ channel: z.nullish(z.string()) })),
});

const ZendeskEvent = z.object({
  id: z.string().check(z.minLength(1)),
  type: z.string().check(z.minLength(1)),
  time: Instant,
  detail: TicketDetail,
  event: z._default(z.record(z.string(), z.unknown()), {}),
});
type ZendeskEvent = z.infer<typeof ZendeskEvent>;

/** The event type of the body a Zendesk trigger posts to ask for a refund or replacement (README, *Started from the service desk*). */
export const RESOLUTION_REQUESTED_TYPE = 'retail-sync:resolution.requested';

const TriggeredResolution = z.object({
  id: z.string().check(z.minLength(1)),
  time: Instant,
  ticketId: z.pipe(z.pipe(z.union([z.string(), z.number()]), z.transform(String)), z.string().check(z.regex(/^\d+$/, 'a Zendesk ticket id'))),
  orderId: z.string().check(z.trim(), z.minLength(1, 'the ticket has no order number in its order field')),
  preferred: z.enum(['replacement', 'refund'], 'replacement or refund'),
  /** `SKU:QUANTITY:REASON` entries separated by commas, semicolons or new lines, as an agent fills a text field. */
  lines: z.string().check(z.trim(), z.minLength(1, 'the ticket names no lines')),
  requestedBy: z.string().check(z.trim(), z.minLength(1)),
});

const LINE_ENTRY = /^([^:\s]+)\s*:\s*(\d+)\s*:\s*([a-z-]+)$/;

/** `MUG-BLUE:1:damaged, PLATE-WHITE:2:defective` as request lines; each entry that does not read so is named. */
const parseLines = (text: string) => {
  const entries = text.split(/[,;\n]+/).map((entry) => entry.trim()).filter(Boolean);
  const issues: Array<{ path: string; message: string }> = [];
  const lines = entries.map((entry, index) => {
    const match = LINE_ENTRY.exec(entry);
    if (!match) issues.push({ path: `lines.${index}`, message: `"${entry.slice(0, 80)}" is not SKU:QUANTITY:REASON` });
    return match ? { sku: match[1]!, quantity: Number(match[2]), reason: match[3]! } : undefined;
  });
  if (issues.length > 0) throw new ValidationError('The resolution request names its lines as SKU:QUANTITY:REASON, separated by commas', issues);
  return lines as Array<{ sku: string; quantity: number; reason: string }>;
};

const toCaseStatus = (status: unknown) => {
  const parsed = CaseStatus.safeParse(String(status ?? '').toLowerCase());
  return parsed.success ? parsed.data : undefined;
};

/**
 * Zendesk (service desk) event webhooks. Signature: `X-Zendesk-Webhook-Signature` =
 * base64(HMAC-SHA256(secret, `X-Zendesk-Webhook-Signature-Timestamp` + raw body)), as Zendesk's current
 * docs give it. Deduplication on the event `id`; routing on `type`.
 */
export const makeZendeskConnector = (options: ZendeskConnectorOptions = DEFAULT_ZENDESK_OPTIONS): Connector => {
  const orderOf = (event: ZendeskEvent) =>
    event.detail.tags?.find((tag) => tag.startsWith(options.orderTagPrefix))?.slice(options.orderTagPrefix.length) || undefined;

  const serviceCase = (event: ZendeskEvent, overrides: Partial<ServiceCase>): ServiceCase => ({
    source: { system: 'service-desk', id: event.detail.id },
    occurredAt: event.time,
    correlationIds: [],
    caseId: event.detail.id,
    status: toCaseStatus(event.detail.status) ?? 'open',
    subject: event.detail.subject ?? undefined,
    orderId: orderOf(event),
    requester: { id: event.detail.requester_id ?? undefined },
    tags: event.detail.tags ?? [],
    ...overrides,
  });

  const caseEvent = (build: (event: ZendeskEvent) => { detailType: 'case.opened' | 'case.updated' | 'case.resolved'; data: ServiceCase }): Mapping => (verified, receivedAt) => {
    const event = validated(ZendeskEvent, verified.body);
    const { detailType, data } = build(event);
    return [canonicalEvent('service-desk', detailType, verified.deliveryId, event.type, receivedAt, 0, data)];
  };

  const mappings: Record<string, Mapping> = {
    [RESOLUTION_REQUESTED_TYPE]: (verified, receivedAt) => {
      const trigger = validated(TriggeredResolution, verified.body, { problem: 'Invalid resolution request from the service desk' });
      const lines = parseLines(trigger.lines);
      // The API's own rules (reasons, quantities, one name per line), so both ways in refuse the same requests.
      const request = validated(ResolutionRequestBody, { orderId: trigger.orderId, lines, preferred: trigger.preferred, requestedBy: trigger.requestedBy }, { problem: 'Invalid resolution request from the service desk' });
      return [
        canonicalEvent('service-desk', 'case.resolution.requested', verified.deliveryId, RESOLUTION_REQUESTED_TYPE, receivedAt, 0, {
          source: { system: 'service-desk', id: trigger.ticketId },
          occurredAt: trigger.time,
          correlationIds: [trigger.orderId],
          caseId: trigger.ticketId,
          orderId: request.orderId,
          lines: request.lines.map((line) => ({ sku: line.sku!, quantity: line.quantity, reason: line.reason })),
          preferred: request.preferred,
          requestedBy: request.requestedBy,
        }),
      ];
    },
    'zen:event-type:ticket.created': caseEvent((event) => ({ detailType: 'case.opened', data: serviceCase(event, {}) })),
    'zen:event-type:ticket.status_changed': caseEvent((event) => {
      const status = toCaseStatus(event.event.current) ?? 'open';
      return {
        detailType: status === 'solved' || status === 'closed' ? 'case.resolved' : 'case.updated',
        data: serviceCase(event, { status, previousStatus: toCaseStatus(event.event.previous) }),
      };
    }),
    'zen:event-type:ticket.custom_field_changed': caseEvent((event) => {
      const field = z.object({ id: z.pipe(z.union([z.string(), z.number()]), z.transform(String)) }).safeParse(event.event.custom_field);
      const fieldId = field.success ? field.data.id : 'unknown';
      const current = event.event.current;
      return {
        detailType: 'case.updated',
        data: serviceCase(event, {
          changedFields: { [fieldId]: current ?? null },
          ...(fieldId === options.orderFieldId && typeof current === 'string' && current ? { orderId: current } : {}),
        }),
      };
    }),
    'zen:event-type:ticket.comment_added': (verified, receivedAt) => {
      const event = validated(ZendeskEvent, verified.body);
      const comment = validated(
        z.object({
          id: z.pipe(z.union([z.string(), z.number()]), z.transform(String)),
          body: z._default(z.string(), ''),
          is_public: z._default(z.boolean(), true),
          author: z._default(z.object({ id: z.optional(z.pipe(z.union([z.string(), z.number()]), z.transform(String))), is_staff: z.optional(z.boolean()) }), {}),
        }),
        event.event.comment,
        { at: 'event.comment' },
      );
      return [
        canonicalEvent('service-desk', 'interaction.recorded', verified.deliveryId, event.type, receivedAt, 0, {
          source: { system: 'service-desk', id: comment.id },
          occurredAt: event.time,
          correlationIds: [event.detail.id],
          interactionId: comment.id,
          caseId: event.detail.id,
          channel: event.detail.via?.channel ?? 'unknown',
          public: comment.is_public,
          authorIsAgent: comment.author.is_staff,
          summary: comment.body.slice(0, 500),
          requester: { id: event.detail.requester_id ?? undefined },
          orderId: orderOf(event),
        }),
      ];
    },
  };

  return {
    system: 'service-desk',
    verify(delivery, secrets) {
      const headers = lowerCaseKeys(delivery.headers);
      const signature = headers['x-zendesk-webhook-signature'];
      const timestamp = headers['x-zendesk-webhook-signature-timestamp'];
      const missing = [!signature && 'X-Zendesk-Webhook-Signature', !timestamp && 'X-Zendesk-Webhook-Signature-Timestamp'].filter(Boolean);
      if (missing.length > 0) throw new SignatureInvalidError(`Missing Zendesk webhook header(s): ${missing.join(', ')}.`);
      const signedAt = Date.parse(timestamp!);
      if (Number.isNaN(signedAt)) throw new SignatureInvalidError('X-Zendesk-Webhook-Signature-Timestamp must be an ISO-8601 time.');
      if (Math.abs(delivery.receivedAt.getTime() - signedAt) > options.toleranceSeconds * 1000) {
        throw new SignatureInvalidError(`X-Zendesk-Webhook-Signature-Timestamp is more than ${options.toleranceSeconds / 60} minutes away from our clock.`);
      }
      if (secrets.length === 0) throw new SignatureInvalidError('No signing secret is configured for this source; the delivery cannot be verified.');
      if (!secrets.some((secret) => signatureMatches(signature!, hmacBase64(secret, timestamp!, delivery.rawBody)))) {
        throw new SignatureInvalidError('X-Zendesk-Webhook-Signature does not match any active secret; it must be base64(HMAC-SHA256(secret, timestamp + raw body)).');
      }
      const text = decodeUtf8(delivery.rawBody);
      const body = parseJson(text);
      const id = (body as { id?: unknown })?.id;
      // Signed, so Zendesk's (or the trigger author's) mistake, not a forgery: 400.
      if (typeof id !== 'string' || !id) throw new ValidationError('The Zendesk event has no "id" to deduplicate on.', [{ path: 'id', message: 'a non-empty string' }]);
      return { deliveryId: id, body, headers, rawBody: text } satisfies VerifiedDelivery;
    },
    map(verified, receivedAt): CanonicalEvent[] {
      const type = String((verified.body as { type?: unknown })?.type ?? '');
      const mapping = Object.hasOwn(mappings, type) ? mappings[type] : undefined;
      return mapping ? mapping(verified, receivedAt) : [unmappedEvent('service-desk', verified, type, receivedAt)];
    },
  };
};
