import type { CanonicalEvent } from '../canonical/events';

export interface EventPublisher {
  publish(events: readonly CanonicalEvent[]): Promise<void>;
}
