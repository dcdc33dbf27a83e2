import type { OrderStatusChangedDetail } from '../core/canonical/events';
import type { Clock } from '../core/ports/clock';
import type { ApplyOutcome, SyncStateStore } from '../core/ports/sync-state-store';

export interface ProjectorDependencies {
  store: SyncStateStore;
  clock: Clock;
}

/** Records the ERP's status of an order unless a newer version is already recorded. */
export const makeSyncStateProjector = ({ store, clock }: ProjectorDependencies) =>
  (event: OrderStatusChangedDetail): Promise<ApplyOutcome> => store.recordErpStatus(event.data, event.eventId, clock.now());
