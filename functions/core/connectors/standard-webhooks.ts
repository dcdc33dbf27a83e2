import { SignatureInvalidError } from '../errors';
import { decodeUtf8, parseJson } from '../canonical/parse';
import type { VerifiedDelivery, WebhookDelivery } from './connector';
import { hmacBase64, lowerCaseKeys, signatureMatches } from './hmac';

const REQUIRED_HEADERS = ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const;

/** The spec's (and its reference libraries') tolerance between the signed timestamp and our clock. */
const TOLERANCE_SECONDS = 5 * 60;

/** The HMAC key: the base64-decoded secret after its `whsec_` prefix. */
const keyOf = (secret: string) => Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');

/**
 * Verifies a Standard Webhooks delivery against every active secret (newest first), so a secret rotation
 * never drops a delivery signed with the previous one. The signature is checked over the body's bytes
 * (`{id}.{timestamp}.{raw body}`), not over a decoding of them; only a verified body is decoded (strictly)
 * and parsed, so a signed body that is not UTF-8 or JSON is the sender's mistake (400), not a forgery (401).
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
  const id = headers['webhook-id']!;
  const timestamp = headers['webhook-timestamp']!;
  if (!/^\d{1,12}$/.test(timestamp)) throw new SignatureInvalidError('webhook-timestamp must be a Unix time in seconds.');
  const skew = Math.floor(delivery.receivedAt.getTime() / 1000) - Number(timestamp);
  if (Math.abs(skew) > TOLERANCE_SECONDS) {
    throw new SignatureInvalidError(
      `webhook-timestamp is more than 5 minutes away from our clock (message timestamp too ${skew > 0 ? 'old' : 'new'}); sign with the current Unix time in seconds.`,
    );
  }
  // Space-separated `v1,<base64>` entries; any one matching is enough (the sender may sign with several secrets).
  const claimed = headers['webhook-signature']!.split(' ').flatMap((entry) => (entry.startsWith('v1,') ? [entry.slice(3)] : []));
  const matches = secrets.some((secret) => {
    const expected = hmacBase64(keyOf(secret), `${id}.${timestamp}.`, delivery.rawBody);
    return claimed.some((signature) => signatureMatches(signature, expected));
  });
  if (!matches) {
    throw new SignatureInvalidError('webhook-signature does not match any active secret for this source; sign "{webhook-id}.{webhook-timestamp}.{raw body}" with HMAC-SHA256.');
  }
  return { deliveryId: id, body: parseJson(decodeUtf8(delivery.rawBody)) };
};
