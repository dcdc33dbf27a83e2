import { z } from 'zod';
import { OrderStatusSnapshot } from '../canonical/order';
import type { CanonicalEvent } from '../canonical/events';
import { ValidationError, describeIssues } from '../errors';
import type { Connector, VerifiedDelivery } from './connector';
import { canonicalEvent, unmappedEvent } from './events';
import { verifyStandardWebhook } from './standard-webhooks';

/** The Standard Webhooks payload convention the ERP follows. */
const ErpPayload = z.object({
  type: z.string().min(1),
  timestamp: z.iso.datetime({ offset: true }),
  data: z.unknown(),
});

/** ERP payload schemas by `type`; each maps to canonical events. */
const mappings: Record<string, (data: unknown, verified: VerifiedDelivery, receivedAt: Date) => CanonicalEvent[]> = {
  'order.status.changed': (data, verified, receivedAt) => [
    canonicalEvent('erp', 'order.status.changed', verified.deliveryId, 'order.status.changed', receivedAt, 0, parse(OrderStatusSnapshot, data, 'data')),
  ],
};

export const erpConnector: Connector = {
  system: 'erp',
  verify: verifyStandardWebhook,
  map(verified, receivedAt) {
    const payload = parse(ErpPayload, verified.body, '');
    const mapping = mappings[payload.type];
    if (!mapping) return [unmappedEvent('erp', verified, payload.type, receivedAt)];
    return mapping(payload.data, verified, receivedAt);
  },
};

export const ERP_MAPPED_TYPES = Object.keys(mappings);

function parse<T extends z.ZodTypeAny>(schema: T, value: unknown, prefix: string): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = describeIssues(result.error.issues).map((issue) => ({
    ...issue,
    path: prefix ? (issue.path === '(root)' ? prefix : `${prefix}.${issue.path}`) : issue.path,
  }));
  throw new ValidationError(
    `The payload does not match the expected schema: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}.`,
    issues,
  );
}
