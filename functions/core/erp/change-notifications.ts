import type { ErpResourceChange } from '../canonical/model';
import { ValidationError } from '../errors';
import type { OrderStatusSnapshot } from '../canonical/order';
import { EVENT_SOURCE_PREFIX, type CanonicalEvent } from '../canonical/events';
import { subscribedResourceOf } from '../connectors/business-central';
import { deriveEventId } from '../connectors/events';
import type { Clock } from '../ports/clock';
import type { DeliveryLedger } from '../ports/delivery-ledger';
import type { ErpPort } from '../ports/erp';
import type { ErpSubscription, ErpSubscriptionsPort } from '../ports/erp-subscriptions';
import type { EventPublisher } from '../ports/event-publisher';

/**
 * The ERP's state read after a change notification, as `order.status.changed`. Its id depends only on
 * the order and version, as a reconciliation repair's does, so the consumers' version guards apply
 * whichever arrives first, once.
 */
export const notifiedOrderEvent = (order: OrderStatusSnapshot, correlationId: string, at: Date): CanonicalEvent<'order.status.changed'> => {
  const deliveryId = `businesscentral:${order.orderId}:v${order.version}`;
  return {
    detailType: 'order.status.changed',
    source: EVENT_SOURCE_PREFIX + 'erp',
    detail: {
      eventId: deriveEventId('erp', deliveryId, 0),
      correlationId,
      schemaVersion: 1,
      origin: { system: 'erp', deliveryId, type: 'businesscentral.salesOrder' },
      receivedAt: at.toISOString(),
      data: order,
    },
  };
};

export type ChangeOutcome = 'published' | 'duplicate' | 'gone' | 'not-an-order' | 'collection-read';

export interface ErpChangeReaderDependencies {
  /** Pass it through the ERP gate: every read counts against the ERP's rate budget. */
  erp: Pick<ErpPort, 'getOrderByResource' | 'listOrdersChanged'>;
  ledger: DeliveryLedger;
  publisher: EventPublisher;
  clock: Clock;
  /** Pages of changed orders one `collection` notification reads; the rest is left to reconciliation. */
  maxCollectionPages?: number;
}

/** A collection notification's resource filters on `lastModifiedDateTime gt <time>`, when it says so. */
const collectionSince = (change: ErpResourceChange) => {
  const match = /lastModifiedDateTime\s+(?:gt|ge)\s+([0-9T:.\-+Z]+)/i.exec(decodeURIComponent(change.resource));
  const since = match ? Date.parse(match[1]!) : NaN;
  // Business Central notifies about 30 s after the first change; without a filter, look back five minutes.
  return new Date(Number.isNaN(since) ? Date.parse(change.lastModifiedDateTime) - 5 * 60_000 : since);
};

/**
 * Reads what an ERP change notification names and publishes it, once per resource and change time: a
 * retried notification (Business Central retries for 36 hours) or one the queue redelivers reads nothing
 * again. A resource that is not a sales order of this ERP's company is left alone (a notification only
 * the secret's holder could make, so never a DLQ message). A `deleted` order (cancelled, or shipped and invoiced in full) can no longer be read by its id:
 * it is left to reconciliation, which reads orders by number. A `collection` (over 1,000 changes at once)
 * reads the changed orders a page at a time.
 *
 * @example
 * const read = makeErpChangeReader({ erp: gatedErp, ledger, publisher, clock: systemClock });
 * await read(change, correlationId); // 'published' | 'duplicate' | 'gone' | …
 */
export const makeErpChangeReader = ({ erp, ledger, publisher, clock, maxCollectionPages = 50 }: ErpChangeReaderDependencies) =>
  async (change: ErpResourceChange, correlationId: string): Promise<{ outcome: ChangeOutcome; published: number }> => {
    const entitySet = /\/([A-Za-z]+)(?:\([^)]*\))?(?:\?.*)?$/.exec(change.resource)?.[1];
    if (entitySet !== 'salesOrders') return { outcome: 'not-an-order', published: 0 };
    if (change.changeType === 'deleted') return { outcome: 'gone', published: 0 };
    const key = `businesscentral-change#${subscribedResourceOf(change.resource) ?? ''}#${change.resource}@${change.lastModifiedDateTime}`;
    const { result, duplicate } = await ledger.acceptOnce(key, change.changeType, async () => {
      if (change.changeType === 'collection') {
        let published = 0;
        let cursor: string | undefined;
        const window = { since: collectionSince(change), until: clock.now() };
        for (let page = 0; page < maxCollectionPages; page++) {
          const orders = await erp.listOrdersChanged(window, cursor);
          await publisher.publish(orders.orders.map((order) => notifiedOrderEvent(order, correlationId, clock.now())));
          published += orders.orders.length;
          cursor = orders.nextCursor;
          if (cursor === undefined) break;
        }
        return { outcome: 'collection-read' as ChangeOutcome, published };
      }
      const order = await erp.getOrderByResource(change.resource).catch((error: unknown) => {
        // A sales order of another company (the adapter reads only its own): nothing of ours changed.
        if (error instanceof ValidationError) return null;
        throw error;
      });
      if (order === null) return { outcome: 'not-an-order' as ChangeOutcome, published: 0 };
      if (!order) return { outcome: 'gone' as ChangeOutcome, published: 0 };
      await publisher.publish([notifiedOrderEvent(order, correlationId, clock.now())]);
      return { outcome: 'published' as ChangeOutcome, published: 1 };
    });
    return duplicate ? { outcome: 'duplicate', published: 0 } : result;
  };

export interface SubscriptionKeeperDependencies {
  subscriptions: ErpSubscriptionsPort;
  /** Where the ERP posts: `<api>/v1/webhooks/businesscentral`. */
  notificationUrl: string;
  /** What to subscribe to: `api/v2.0/companies(<id>)/salesOrders`. */
  resources: string[];
  /** The clientState a subscription for a resource must carry (from the source's newest secret). */
  clientStateFor: (resource: string) => string;
  clock: Clock;
  /** Renew a subscription that expires sooner than this (Business Central's last three days). */
  renewWithinMs?: number;
}

export interface SubscriptionKeeping {
  created: string[];
  renewed: string[];
  kept: string[];
}

/**
 * Keeps one live subscription per wanted resource: creates a missing one (never made, or deleted by the
 * ERP after refused notifications), renews one about to expire or carrying an old clientState (after a
 * secret rotation), and leaves every other subscription (another integration's) alone.
 */
export const makeSubscriptionKeeper = ({ subscriptions, notificationUrl, resources, clientStateFor, clock, renewWithinMs = 24 * 3600_000 }: SubscriptionKeeperDependencies) =>
  async (): Promise<SubscriptionKeeping> => {
    const outcome: SubscriptionKeeping = { created: [], renewed: [], kept: [] };
    const ours = (await subscriptions.list()).filter((subscription) => subscription.notificationUrl === notificationUrl);
    for (const resource of resources) {
      const key = subscribedResourceOf(resource);
      const clientState = clientStateFor(resource);
      const live: ErpSubscription | undefined = ours.find((subscription) => subscribedResourceOf(subscription.resource) === key && Date.parse(subscription.expirationDateTime) > clock.now().getTime());
      if (!live) {
        await subscriptions.create({ notificationUrl, resource, clientState });
        outcome.created.push(resource);
      } else if (Date.parse(live.expirationDateTime) - clock.now().getTime() < renewWithinMs || (live.clientState !== undefined && live.clientState !== clientState)) {
        await subscriptions.renew(live, clientState);
        outcome.renewed.push(resource);
      } else outcome.kept.push(resource);
    }
    return outcome;
  };
