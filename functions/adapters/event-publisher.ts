import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { CanonicalEvent } from '../core/canonical/events';
import { TransientError } from '../core/errors';
import type { EventPublisher } from '../core/ports';

/** PutEvents takes at most 10 entries per call. */
const MAX_ENTRIES_PER_CALL = 10;

/** Publishes canonical events to the EventBridge bus; any rejected entry fails the whole publish so the sender retries. */
export const makeEventBridgePublisher = (client: EventBridgeClient, eventBusName: string): EventPublisher => ({
  async publish(events) {
    for (let start = 0; start < events.length; start += MAX_ENTRIES_PER_CALL) {
      const entries: PutEventsRequestEntry[] = events.slice(start, start + MAX_ENTRIES_PER_CALL).map((event: CanonicalEvent) => ({
        EventBusName: eventBusName,
        Source: event.source,
        DetailType: event.detailType,
        Detail: JSON.stringify(event.detail),
        Time: new Date(event.detail.receivedAt),
      }));
      const response = await client.send(new PutEventsCommand({ Entries: entries }));
      if ((response.FailedEntryCount ?? 0) > 0) {
        const failures = (response.Entries ?? []).filter((entry) => entry.ErrorCode).map((entry) => `${entry.ErrorCode}: ${entry.ErrorMessage}`);
        throw new TransientError(`EventBridge rejected ${response.FailedEntryCount} of ${entries.length} events`, { failures });
      }
    }
  },
});
