import type { CanonicalEvent } from '../core/canonical/events';
import type { ReadModelStore } from '../core/ports/read-model-store';
import type { ApplyOutcome } from '../core/ports/sync-state-store';
import { timelineFacts } from '../core/read-models';

export type ProjectionOutcome = 'timeline' | 'parked' | 'no-customer' | ApplyOutcome | 'ignored';

/**
 * Projects canonical events into the agent read models. Every write is keyed by the event id (timeline)
 * or guarded by time (inventory), so redeliveries and archive replays change nothing.
 *
 * Events that name only an order (an ERP refund, a desk ticket whose requester has no email) reach the
 * customer through the order's owner, which the order's own event records. Queues do not keep order, so
 * such an event may come first: it is parked beside the order and moved to the customer's timeline as
 * soon as the owner is known, by whichever of the two events is handled last (both re-read consistently
 * after writing, so neither can miss the other).
 */
export const makeReadModelProjector = ({ store }: { store: ReadModelStore }) => {
  /** Moves the entries parked beside an order to its customer's timeline; a parked entry's alias, if not linked yet, now resolves to that customer. */
  const adoptParked = async (orderId: string, customerKey: string) => {
    for (const { entry, alias } of await store.parkedTimelineEntries(orderId)) {
      await store.putTimelineEntry(customerKey, entry);
      if (alias) await store.putAliasIfAbsent(alias, customerKey);
      await store.removeParkedTimelineEntry(orderId, entry);
    }
  };

  return async (event: Pick<CanonicalEvent, 'detailType' | 'detail'>): Promise<ProjectionOutcome> => {
    if (event.detailType === 'inventory.level.changed') {
      const data = event.detail.data as { sku: string; location: string; available: number; onHand?: number; occurredAt: string; source: { system: string } };
      return store.putInventoryLevel({
        sku: data.sku,
        location: data.location,
        available: data.available,
        ...(data.onHand !== undefined ? { onHand: data.onHand } : {}),
        asOf: new Date(data.occurredAt).toISOString(),
        source: data.source.system,
      });
    }
    const facts = timelineFacts(event);
    if (!facts) return 'ignored';
    const { entry } = facts;
    // Who is this about: the email joins systems; else a known alias, else the order's customer.
    const key =
      facts.key ??
      (facts.alias ? await store.resolveAlias(facts.alias) : undefined) ??
      (entry.orderId ? await store.orderCustomer(entry.orderId) : undefined);

    if (key === undefined && entry.orderId) {
      await store.parkTimelineEntry(entry.orderId, entry, facts.alias);
      // Visible under the sender's own id meanwhile (e.g. the desk requester), as before the order is known.
      if (facts.alias) await store.putTimelineEntry(facts.alias, entry);
      const owner = await store.orderCustomer(entry.orderId);
      if (owner === undefined) return 'parked';
      await adoptParked(entry.orderId, owner);
      return 'timeline';
    }
    const customerKey = key ?? facts.alias;
    if (!customerKey) return 'no-customer';
    if (facts.key && facts.alias) await store.putAlias(facts.alias, facts.key);
    await store.putTimelineEntry(customerKey, entry);
    if (entry.orderId && customerKey.startsWith('email:')) {
      await store.putOrderCustomer(entry.orderId, customerKey);
      await adoptParked(entry.orderId, customerKey);
    }
    return 'timeline';
  };
};
