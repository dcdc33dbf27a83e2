import { createHash } from 'node:crypto';
import * as z from '../zod';
import { decodeUtf8, parseJson, validated } from '../canonical/parse';
import { SignatureInvalidError, ValidationError } from '../errors';
import type { Connector, VerifiedDelivery } from './connector';
import { canonicalEvent, lenientInstant } from './events';
import { hmacBase64, signatureMatches } from './hmac';

/**
 * Business Central does not sign what it posts. It sends change notifications to a subscription
 * (`POST api/v2.0/subscriptions` with `notificationUrl`, `resource`, `clientState`), first checking the
 * URL with a handshake that must echo `validationToken`, then posting
 * `{"value":[{subscriptionId, clientState, expirationDateTime, resource, changeType, lastModifiedDateTime}]}`
 * (api-reference/v2.0/dynamics-subscriptions). What proves a notification is Business Central's is the
 * `clientState` only the product and Business Central know: per subscription, derived from the source's
 * secret (`clientStateFor`), compared in constant time. Any answer but 408, 429 or 5xx makes Business
 * Central delete the subscription, so only a notification that fails that check is refused.
 */

/** `companies(<id>)/<entitySet>`: what a subscription is for, from a subscription's or a notification's resource. */
export const subscribedResourceOf = (resource: string): string | undefined => {
  const match = /companies\(([^)/]+)\)\/([A-Za-z]+)(?:\([^)]*\))?(?:\?.*)?$/.exec(resource);
  return match ? `companies(${match[1]!.toLowerCase()})/${match[2]}` : undefined;
};

/** The `clientState` of the subscription for `resource`: the secret never leaves the product, and each subscription has its own. */
export const clientStateFor = (secret: string, resource: string) =>
  hmacBase64(secret, `businesscentral-subscription:${subscribedResourceOf(resource) ?? resource}`).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');

const Notification = z.object({
  subscriptionId: z.string().check(z.minLength(1), z.maxLength(256)),
  clientState: z.optional(z.string().check(z.maxLength(2048))),
  expirationDateTime: z.optional(z.string()),
  resource: z.string().check(z.minLength(1), z.maxLength(2048)),
  changeType: z.enum(['created', 'updated', 'deleted', 'collection']),
  lastModifiedDateTime: lenientInstant,
});
const Notifications = z.object({ value: z.array(Notification).check(z.minLength(1), z.maxLength(1000)) });

/** A validation token is echoed as text; anything but a plain token is refused rather than reflected. */
const VALIDATION_TOKEN = /^[A-Za-z0-9._~+/=:-]{1,512}$/;

export const businessCentralConnector: Connector = {
  system: 'erp',

  handshake(query) {
    const token = query.validationToken;
    if (token === undefined) return undefined;
    if (!VALIDATION_TOKEN.test(token)) throw new ValidationError('The validationToken is not a token', [{ path: 'validationToken', message: 'letters, digits and ._~+/=:- only, at most 512' }]);
    return { statusCode: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: token };
  },

  verify({ rawBody }, secrets): VerifiedDelivery {
    const body = validated(Notifications, parseJson(decodeUtf8(rawBody)), { problem: 'The body is not Business Central change notifications' });
    for (const notification of body.value) {
      const claimed = notification.clientState ?? '';
      if (!secrets.some((secret) => signatureMatches(claimed, clientStateFor(secret, notification.resource)))) {
        throw new SignatureInvalidError('The notification does not carry the clientState of a subscription the product made');
      }
    }
    // Notifications carry no delivery id: a retried POST has the same body.
    return { deliveryId: `bc_${createHash('sha256').update(rawBody).digest('hex').slice(0, 40)}`, body };
  },

  map(verified, receivedAt) {
    const { value } = verified.body as z.infer<typeof Notifications>;
    return value.map((notification, index) =>
      canonicalEvent('erp', 'erp.resource.changed', verified.deliveryId, `businesscentral.${notification.changeType}`, receivedAt, index, {
        subscriptionId: notification.subscriptionId,
        resource: notification.resource,
        changeType: notification.changeType,
        lastModifiedDateTime: notification.lastModifiedDateTime,
      }),
    );
  },
};
