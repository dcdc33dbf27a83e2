import { admit, closedBreaker, DEFAULT_BREAKER_CONFIG, recordFailure, recordSuccess, type BreakerState } from '../../../../functions/core/erp/circuit-breaker';

const config = { ...DEFAULT_BREAKER_CONFIG, failureThreshold: 3, cooldownMs: 10_000, probeLeaseMs: 5_000 };
const failTimes = (state: BreakerState, times: number, now = 0) => {
  let next = state;
  for (let i = 0; i < times; i++) next = recordFailure(next, now, config);
  return next;
};

describe('circuit breaker', () => {
  it('lets calls through while closed and below the threshold', () => {
    const state = failTimes(closedBreaker(), 2);
    expect(state.status).toBe('closed');
    expect(admit(state, 0, config)).toEqual({ action: 'call' });
  });

  it('opens after the threshold of consecutive failures and holds calls for the cool-down', () => {
    const open = failTimes(closedBreaker(), 3, 1000);
    expect(open).toMatchObject({ status: 'open', openUntilMs: 11_000 });
    expect(admit(open, 5000, config)).toEqual({ action: 'wait', waitMs: 6000 });
  });

  it('resets the count on success, so only sustained failure opens it', () => {
    const state = recordSuccess(failTimes(closedBreaker(), 2))!;
    expect(failTimes(state, 2).status).toBe('closed');
  });

  it('lets exactly one probe through after the cool-down', () => {
    const open = failTimes(closedBreaker(), 3, 0);
    const probe = admit(open, 10_000, config);
    expect(probe).toMatchObject({ action: 'probe', next: { status: 'half-open', probeLeaseUntilMs: 15_000 } });
    const halfOpen = (probe as { next: BreakerState }).next;
    expect(admit(halfOpen, 12_000, config)).toEqual({ action: 'wait', waitMs: 3000 });
  });

  it('closes when the probe succeeds', () => {
    const halfOpen = (admit(failTimes(closedBreaker(), 3), 10_000, config) as { next: BreakerState }).next;
    expect(recordSuccess(halfOpen)).toEqual(closedBreaker());
  });

  it('opens again for a full cool-down when the probe fails', () => {
    const halfOpen = (admit(failTimes(closedBreaker(), 3), 10_000, config) as { next: BreakerState }).next;
    expect(recordFailure(halfOpen, 10_500, config)).toMatchObject({ status: 'open', openUntilMs: 20_500 });
  });

  it('lets another instance probe when a probe never reported back', () => {
    const halfOpen = (admit(failTimes(closedBreaker(), 3), 10_000, config) as { next: BreakerState }).next;
    expect(admit(halfOpen, 15_000, config).action).toBe('probe');
  });

  it('writes nothing on success while healthy', () => {
    expect(recordSuccess(closedBreaker())).toBeUndefined();
  });
});
