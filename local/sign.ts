import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/** Builds the headers of a Standard Webhooks delivery signed with `secret`. */
export const signStandardWebhook = (secret: string, body: string, options: { id?: string; timestamp?: Date } = {}) => {
  const id = options.id ?? `msg_${randomUUID().replace(/-/g, '')}`;
  const timestamp = options.timestamp ?? new Date();
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, timestamp, body),
  };
};
