import { DeferredError, PermanentError, RateLimitedError, TransientError, ValidationError } from '../../../functions/core/errors';
import { DEFERRALS_AT_GATE_PACE, dispositionFor, MAX_RETRY_DELAY_SECONDS } from '../../../functions/core/retry-policy';

describe('dispositionFor', () => {
  it.each([
    ['validation', new ValidationError('bad')],
    ['permanent', new PermanentError('no')],
  ])('dead-letters a %s error, which no retry can fix, with its class', (errorClass, error) => {
    // Act
    const disposition = dispositionFor(error, 1);

    // Assess
    expect(disposition).toEqual({ action: 'dead-letter', errorClass });
  });

  it("waits as long as the downstream's Retry-After asks", () => {
    // Prepare
    const error = new RateLimitedError('slow down', 7);

    // Act
    const disposition = dispositionFor(error, 1);

    // Assess
    expect(disposition).toEqual({ action: 'retry', delaySeconds: 7 });
  });

  it.each([
    ['at the gate\'s pace for the first deferrals', 1, 16],
    ['at the gate\'s pace up to the last of them', DEFERRALS_AT_GATE_PACE, 16],
    ['twice as long after them', DEFERRALS_AT_GATE_PACE + 1, 32],
    ['doubling with each further one', DEFERRALS_AT_GATE_PACE + 3, 128],
    ['at most 15 minutes', DEFERRALS_AT_GATE_PACE + 10, MAX_RETRY_DELAY_SECONDS],
    ['at most 15 minutes, however many', 499, MAX_RETRY_DELAY_SECONDS],
  ])('defers work held back by the gate %s', (_name, receiveCount, delaySeconds) => {
    // Prepare
    const error = new DeferredError('breaker open', 16);

    // Act
    const disposition = dispositionFor(error, receiveCount);

    // Assess
    expect(disposition).toEqual({ action: 'retry', delaySeconds });
  });

  it('keeps an ERP command through an outage of days before its 500th receive', () => {
    // Prepare
    const error = new DeferredError('breaker open', 16);

    // Act: the time 499 deferrals add up to (the 500th receive would go to the DLQ).
    let waitedSeconds = 0;
    for (let receiveCount = 1; receiveCount < 500; receiveCount++) waitedSeconds += (dispositionFor(error, receiveCount) as { delaySeconds: number }).delaySeconds;

    // Assess
    expect(waitedSeconds / 86_400).toBeGreaterThan(4);
  });

  it('never stretches a Retry-After the downstream set', () => {
    // Prepare
    const error = new RateLimitedError('slow down', 7);

    // Act
    const disposition = dispositionFor(error, 300);

    // Assess
    expect(disposition).toEqual({ action: 'retry', delaySeconds: 7 });
  });

  it.each([
    ['doubles the top of the delay from the first attempt', 1, 1, 2],
    ['doubles it with each attempt', 4, 1, 16],
    ['caps it', 30, 1, MAX_RETRY_DELAY_SECONDS],
    ['draws the delay at random below the top (full jitter), at least a second', 4, 0, 1],
  ])('backs off exponentially: %s', (_name, attempt, random, delaySeconds) => {
    // Prepare
    const error = new TransientError('503');

    // Act
    const disposition = dispositionFor(error, attempt, () => random);

    // Assess
    expect(disposition).toEqual({ action: 'retry', delaySeconds });
  });

  it('retries unexpected errors rather than dropping them', () => {
    // Prepare
    const error = new Error('boom');

    // Act
    const disposition = dispositionFor(error, 1, () => 0.5);

    // Assess
    expect(disposition.action).toBe('retry');
  });
});
