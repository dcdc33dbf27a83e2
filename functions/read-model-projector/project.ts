import type { CanonicalEvent } from '../core/canonical/events';
import type { ApplyOutcome, ReadModelStore } from '../core/ports';
import { timelineFacts } from '../core/read-models';

export type ProjectionOutcome = 'timeline' | 'no-customer' | ApplyOutcome | 'ignored';

/**
 * Projects canonical events into the agent read models. Every write is keyed by the event id (timeline)
 * or guarded by time (inventory), so redeliveries and archive replays change nothing.
 */
export const makeReadModelProjector = ({ store }: { store: ReadModelStore }) =>
  async (event: Pick<CanonicalEvent, 'detailType' | 'detail'>): Promise<ProjectionOutcome> => {
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
      (entry.orderId ? await store.orderCustomer(entry.orderId) : undefined) ??
      facts.alias;
    if (!key) return 'no-customer';
    if (facts.key && facts.alias) await store.putAlias(facts.alias, facts.key);
    if (entry.orderId && key.startsWith('email:')) await store.putOrderCustomer(entry.orderId, key);
    await store.putTimelineEntry(key, entry);
    return 'timeline';
  };
