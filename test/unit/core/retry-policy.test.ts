import { PermanentError, RateLimitedError, TransientError, ValidationError } from '../../../functions/core/errors';
import { dispositionFor, MAX_RETRY_DELAY_SECONDS } from '../../../functions/core/retry-policy';

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
