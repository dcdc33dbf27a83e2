import type { StoredInventoryLevel, TimelineEntry } from '../read-models';
import type { ApplyOutcome } from './sync-state-store';

export interface ReadModelStore {
  putTimelineEntry(customerKey: string, entry: TimelineEntry): Promise<void>;
  timeline(customerKey: string, limit: number, cursor?: string): Promise<{ entries: Array<TimelineEntry>; nextCursor?: string }>;
  putAlias(alias: string, customerKey: string): Promise<void>;
  /** Links the alias unless it is linked already (an inferred link never replaces one learnt from an email). */
  putAliasIfAbsent(alias: string, customerKey: string): Promise<void>;
  resolveAlias(alias: string): Promise<string | undefined>;
  putOrderCustomer(orderId: string, customerKey: string): Promise<void>;
  /** Strongly consistent: a link written before is always seen. */
  orderCustomer(orderId: string): Promise<string | undefined>;
  /** Keeps an entry whose customer is not known yet beside its order, until the order's customer is. */
  parkTimelineEntry(orderId: string, entry: TimelineEntry, alias?: string): Promise<void>;
  /** Strongly consistent. */
  parkedTimelineEntries(orderId: string): Promise<Array<{ entry: TimelineEntry; alias?: string }>>;
  removeParkedTimelineEntry(orderId: string, entry: TimelineEntry): Promise<void>;
  /** Stores a level unless a newer one for the same SKU and location is stored. */
  putInventoryLevel(level: StoredInventoryLevel): Promise<ApplyOutcome>;
  inventory(sku: string, location?: string): Promise<Array<StoredInventoryLevel>>;
}
