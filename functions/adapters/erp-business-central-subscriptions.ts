import * as z from '../core/zod';
import type { ErpSubscription, ErpSubscriptionsPort } from '../core/ports/erp-subscriptions';
import { Collection, makeBusinessCentralGet, type BusinessCentralOptions } from './erp-business-central';

/** API v2.0 `subscription` (api-reference/v2.0/dynamics-subscriptions). */
const Subscription = z.object({
  subscriptionId: z.string(),
  notificationUrl: z.string(),
  resource: z.string(),
  clientState: z.optional(z.string()),
  expirationDateTime: z.string(),
  '@odata.etag': z.optional(z.string()),
});

const toSubscription = ({ '@odata.etag': etag, ...subscription }: z.infer<typeof Subscription>): ErpSubscription => ({ ...subscription, ...(etag ? { etag } : {}) });

/**
 * Business Central's subscriptions live at the API root (`.../api/v2.0/subscriptions`), beside the
 * companies, not in a company: the root is the base URL without its `companies(<id>)` segment.
 */
export const apiRootOf = (baseUrl: string) => baseUrl.replace(/\/+$/, '').replace(/\/companies\([^)]*\)$/, '');

/**
 * Business Central change-notification subscriptions. Creating and renewing make Business Central call
 * the notification URL with a `validationToken` first; it refuses the subscription unless the token comes back.
 */
export const makeBusinessCentralSubscriptions = (options: BusinessCentralOptions): ErpSubscriptionsPort => {
  const root = apiRootOf(options.baseUrl);
  const { get, request } = makeBusinessCentralGet({ ...options, baseUrl: root });
  return {
    async list() {
      return (await get('subscriptions', Collection(Subscription))).value.map(toSubscription);
    },
    async create(subscription) {
      const { body } = await request({ method: 'POST', url: `${root}/subscriptions`, body: subscription });
      return toSubscription(Subscription.parse(body));
    },
    async renew(subscription, clientState) {
      // Business Central extends a subscription on any PATCH; If-Match makes a concurrent change fail rather than be overwritten.
      const { body } = await request({
        method: 'PATCH',
        url: `${root}/subscriptions('${encodeURIComponent(subscription.subscriptionId)}')`,
        headers: { 'if-match': subscription.etag ?? '*' },
        body: { notificationUrl: subscription.notificationUrl, resource: subscription.resource, clientState },
      });
      return toSubscription(Subscription.parse(body));
    },
  };
};
