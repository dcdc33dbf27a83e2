import { PermanentError, RateLimitedError, TransientError, ValidationError } from '../../../functions/core/errors';
import { dispositionFor, MAX_RETRY_DELAY_SECONDS } from '../../../functions/core/retry-policy';

describe('dispositionFor', () => {
  it('dead-letters what no retry can fix, with its class', () => {
    expect(dispositionFor(new ValidationError('bad'), 1)).toEqual({ action: 'dead-letter', errorClass: 'validation' });
    expect(dispositionFor(new PermanentError('no'), 1)).toEqual({ action: 'dead-letter', errorClass: 'permanent' });
  });

  it("waits as long as the downstream's Retry-After asks", () => {
    expect(dispositionFor(new RateLimitedError('slow down', 7), 1)).toEqual({ action: 'retry', delaySeconds: 7 });
  });

  it('backs off exponentially with full jitter, capped', () => {
    const top = () => 1;
    expect(dispositionFor(new TransientError('503'), 1, top)).toEqual({ action: 'retry', delaySeconds: 2 });
    expect(dispositionFor(new TransientError('503'), 4, top)).toEqual({ action: 'retry', delaySeconds: 16 });
    expect(dispositionFor(new TransientError('503'), 30, top)).toEqual({ action: 'retry', delaySeconds: MAX_RETRY_DELAY_SECONDS });
    expect(dispositionFor(new TransientError('503'), 4, () => 0)).toEqual({ action: 'retry', delaySeconds: 1 });
  });

  it('retries unexpected errors rather than dropping them', () => {
    expect(dispositionFor(new Error('boom'), 1, () => 0.5).action).toBe('retry');
  });
});
