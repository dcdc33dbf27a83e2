import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { CanonicalEvent } from '../core/canonical/events';
import { TransientError } from '../core/errors';
import type { EventPublisher } from '../core/ports/event-publisher';

/** PutEvents takes at most 10 entries per call. */
const MAX_ENTRIES_PER_CALL = 10;
/** Calls per batch of entries: the first, then retries of only the entries EventBridge rejected. */
const MAX_CALLS_PER_BATCH = 3;
const RETRY_DELAY_MS = 100;

export interface EventBridgePublisherOptions {
  /** Pause before retrying rejected entries, multiplied by the retry number (default 100 ms). */
  retryDelayMs?: number;
}

/**
 * Publishes canonical events to the EventBridge bus. PutEvents can accept some entries of a call and
 * reject others: only the rejected ones are sent again (a few times), so an entry the bus took is not
 * sent twice by this call. If some are still rejected, the publish fails and the sender's retry
 * publishes the whole delivery again: each event keeps its `eventId`, and consumers deduplicate by it
 * (or by the entity's version). PutEvents is not idempotent, so publishing is at least once.
 */
export const makeEventBridgePublisher = (client: EventBridgeClient, eventBusName: string, options: EventBridgePublisherOptions = {}): EventPublisher => ({
  async publish(events) {
    for (let start = 0; start < events.length; start += MAX_ENTRIES_PER_CALL) {
      let pending: PutEventsRequestEntry[] = events.slice(start, start + MAX_ENTRIES_PER_CALL).map((event: CanonicalEvent) => ({
        EventBusName: eventBusName,
        Source: event.source,
        DetailType: event.detailType,
        Detail: JSON.stringify(event.detail),
        Time: new Date(event.detail.receivedAt),
      }));
      let failures: string[] = [];
      for (let call = 1; pending.length > 0; call++) {
        if (call > MAX_CALLS_PER_BATCH) {
          throw new TransientError(`EventBridge rejected ${pending.length} of ${events.length} events after ${MAX_CALLS_PER_BATCH} attempts`, { failures });
        }
        if (call > 1) await new Promise((resolve) => setTimeout(resolve, (options.retryDelayMs ?? RETRY_DELAY_MS) * (call - 1)));
        const response = await client.send(new PutEventsCommand({ Entries: pending }));
        if ((response.FailedEntryCount ?? 0) === 0) break;
        // Result entries are in the order of the request's: an accepted one carries an EventId, a rejected one an ErrorCode.
        const results = response.Entries ?? [];
        failures = results.filter((entry) => entry.ErrorCode).map((entry) => `${entry.ErrorCode}: ${entry.ErrorMessage}`);
        pending = pending.filter((_entry, index) => !results[index]?.EventId);
      }
    }
  },
});
