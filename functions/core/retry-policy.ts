import { DomainError } from './errors';

/** Longest wait SQS allows for a message's visibility (12 hours); we cap far lower. */
export const MAX_RETRY_DELAY_SECONDS = 900;
const BASE_DELAY_SECONDS = 2;

/** Deferrals (breaker open, budget booked) taken at the gate's own pace before they are stretched. */
export const DEFERRALS_AT_GATE_PACE = 20;

/**
 * Work held back on purpose (`deferred`) costs an SQS receive each time, and the queue's
 * `maxReceiveCount` bounds receives: a long ERP outage must not turn waiting commands into DLQ
 * messages. After `DEFERRALS_AT_GATE_PACE` deferrals (a few minutes at the breaker's cooldown) each
 * further one waits twice as long as the last, up to 15 minutes, so 500 receives cover days.
 */
const stretchedDeferral = (error: DomainError, receiveCount: number): number => {
  if (error.kind !== 'deferred' || receiveCount <= DEFERRALS_AT_GATE_PACE) return 0;
  return (error.retryAfterSeconds ?? 1) * 2 ** Math.min(20, receiveCount - DEFERRALS_AT_GATE_PACE);
};

export type FailureDisposition =
  | { action: 'retry'; delaySeconds: number }
  | { action: 'dead-letter'; errorClass: string };

/**
 * What to do with a message whose processing failed. Retryable errors come back after the sender's
 * Retry-After or an exponential backoff with full jitter; errors that no retry can fix go to the DLQ
 * at once, so they do not occupy the queue for `maxReceiveCount` rounds.
 */
export const dispositionFor = (error: unknown, receiveCount: number, random: () => number = Math.random): FailureDisposition => {
  if (error instanceof DomainError && !error.retryable) return { action: 'dead-letter', errorClass: error.kind };
  if (error instanceof DomainError && error.retryAfterSeconds !== undefined) {
    return { action: 'retry', delaySeconds: Math.min(MAX_RETRY_DELAY_SECONDS, Math.max(1, error.retryAfterSeconds, stretchedDeferral(error, receiveCount))) };
  }
  const ceiling = Math.min(MAX_RETRY_DELAY_SECONDS, BASE_DELAY_SECONDS * 2 ** Math.max(0, receiveCount - 1));
  return { action: 'retry', delaySeconds: Math.max(1, Math.round(random() * ceiling)) };
};

export const errorClassOf = (error: unknown): string => (error instanceof DomainError ? error.kind : 'unexpected');
