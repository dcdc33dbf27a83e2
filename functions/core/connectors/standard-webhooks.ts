import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { SignatureInvalidError } from '../errors';
import { parseJson } from '../canonical/parse';
import type { VerifiedDelivery, WebhookDelivery } from './connector';

const REQUIRED_HEADERS = ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const;

/**
 * Verifies a Standard Webhooks delivery against every active secret (newest first), so a
 * secret rotation never drops a delivery signed with the previous one.
 */
export const verifyStandardWebhook = (delivery: WebhookDelivery, secrets: readonly string[]): VerifiedDelivery => {
  const headers = lowerCaseKeys(delivery.headers);
  const missing = REQUIRED_HEADERS.filter((name) => !headers[name]);
  if (missing.length > 0) {
    throw new SignatureInvalidError(`Missing Standard Webhooks header(s): ${missing.join(', ')}.`);
  }
  if (secrets.length === 0) {
    throw new SignatureInvalidError('No signing secret is configured for this source; the delivery cannot be verified.');
  }
  let lastFailure = 'No matching signature found';
  for (const secret of secrets) {
    try {
      new Webhook(secret).verify(delivery.rawBody, headers as Record<string, string>, { jsonParse: false });
      return { deliveryId: headers['webhook-id']!, body: parseJson(delivery.rawBody) };
    } catch (error) {
      if (!(error instanceof WebhookVerificationError)) throw error;
      lastFailure = error.message;
      // A timestamp outside the tolerance fails the same way for every secret.
      if (lastFailure.startsWith('Message timestamp') || lastFailure === 'Invalid Signature Headers') break;
    }
  }
  throw new SignatureInvalidError(explain(lastFailure));
};

const explain = (failure: string): string => {
  switch (failure) {
    case 'Message timestamp too old':
    case 'Message timestamp too new':
      return `webhook-timestamp is more than 5 minutes away from our clock (${failure.toLowerCase()}); sign with the current Unix time in seconds.`;
    case 'Invalid Signature Headers':
      return 'webhook-timestamp must be a Unix time in seconds.';
    default:
      return 'webhook-signature does not match any active secret for this source; sign "{webhook-id}.{webhook-timestamp}.{raw body}" with HMAC-SHA256.';
  }
};

const lowerCaseKeys = (headers: Record<string, string | undefined>): Record<string, string | undefined> =>
  Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
