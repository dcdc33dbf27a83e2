import { clientStateFor } from '../functions/core/connectors/business-central';
import { createHmac, randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/** Builds the headers of a Standard Webhooks delivery (the `erp` and `3pl` sources) signed with `secret`. */
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

/** Builds the headers Shopify sends: base64 HMAC-SHA256 of the raw body with the app secret, the topic and a delivery id. */
export const signShopifyWebhook = (secret: string, body: string, options: { topic: string; id?: string; timestamp?: Date }) => ({
  'content-type': 'application/json',
  'x-shopify-hmac-sha256': createHmac('sha256', secret).update(body).digest('base64'),
  'x-shopify-webhook-id': options.id ?? randomUUID(),
  'x-shopify-topic': options.topic,
  'x-shopify-triggered-at': (options.timestamp ?? new Date()).toISOString(),
});

/** Builds the headers Zendesk sends: base64 HMAC-SHA256 of timestamp + raw body with the webhook's secret. */
export const signZendeskWebhook = (secret: string, body: string, options: { timestamp?: Date } = {}) => {
  const timestamp = (options.timestamp ?? new Date()).toISOString();
  return {
    'content-type': 'application/json',
    'x-zendesk-webhook-signature': createHmac('sha256', secret).update(timestamp + body).digest('base64'),
    'x-zendesk-webhook-signature-timestamp': timestamp,
  };
};

/**
 * One delivery of `source`, signed as that source signs it: the Standard Webhooks envelope
 * `{type, timestamp, data}` for `erp` and `3pl`, the body itself with its topic for `shopify`, and
 * `{id, type, time, detail}` for `zendesk`, and Business Central's change notification `{value:[…]}` for
 * `businesscentral` (`type` is the change type, `data` names the `resource`; it carries the clientState
 * derived from the secret, and no delivery id: the body's hash is one).
 */
export const signDelivery = (source: string, type: string, data: Record<string, unknown>, secret: string, options: { id?: string; now?: Date } = {}) => {
  const now = options.now ?? new Date();
  if (source === 'shopify') {
    const body = JSON.stringify(data);
    return { body, headers: signShopifyWebhook(secret, body, { topic: type, id: options.id, timestamp: now }) };
  }
  if (source === 'businesscentral') {
    const resource = String(data.resource ?? '');
    const notification = {
      subscriptionId: String(data.subscriptionId ?? 'local-subscription'),
      clientState: clientStateFor(secret, resource),
      expirationDateTime: new Date(now.getTime() + 3 * 24 * 3600_000).toISOString(),
      resource,
      changeType: type,
      lastModifiedDateTime: String(data.lastModifiedDateTime ?? now.toISOString()),
    };
    return { body: JSON.stringify({ value: [notification] }), headers: { 'content-type': 'application/json' } };
  }
  if (source === 'zendesk') {
    const body = JSON.stringify({ id: options.id ?? randomUUID(), type, time: now.toISOString(), detail: data });
    return { body, headers: signZendeskWebhook(secret, body, { timestamp: now }) };
  }
  const body = JSON.stringify({ type, timestamp: now.toISOString(), data: { occurredAt: now.toISOString(), ...data } });
  return { body, headers: signStandardWebhook(secret, body, { id: options.id, timestamp: now }) };
};
