import { admit, closedBreaker, DEFAULT_BREAKER_CONFIG, recordFailure, recordSuccess, type BreakerState } from '../../../../functions/core/erp/circuit-breaker';

const config = { ...DEFAULT_BREAKER_CONFIG, failureThreshold: 3, cooldownMs: 10_000, probeLeaseMs: 5_000 };
const failTimes = (state: BreakerState, times: number, now = 0) => {
  let next = state;
  for (let i = 0; i < times; i++) next = recordFailure(next, now, config);
  return next;
};
const probeOf = (state: BreakerState, now: number) => (admit(state, now, config) as { next: BreakerState }).next;
/** A breaker that opened at 0 and let a probe through when its cool-down ended, at 10 s. */
const probing = () => probeOf(failTimes(closedBreaker(), 3), 10_000);

describe('circuit breaker', () => {
  it('lets calls through while closed and below the threshold', () => {
    // Prepare
    const state = failTimes(closedBreaker(), 2);

    // Act
    const admission = admit(state, 0, config);

    // Assess
    expect(state.status).toBe('closed');
    expect(admission).toEqual({ action: 'call' });
  });

  it('opens after the threshold of consecutive failures', () => {
    // Act
    const state = failTimes(closedBreaker(), 3, 1000);

    // Assess
    expect(state).toMatchObject({ status: 'open', openUntilMs: 11_000, openedAtMs: 1000 });
  });

  it('holds calls while open for the rest of the cool-down', () => {
    // Prepare
    const open = failTimes(closedBreaker(), 3, 1000);

    // Act
    const admission = admit(open, 5000, config);

    // Assess
    expect(admission).toEqual({ action: 'wait', waitMs: 6000 });
  });

  it('resets the count on success, so only sustained failure opens it', () => {
    // Prepare
    const state = recordSuccess(failTimes(closedBreaker(), 2))!;

    // Act
    const after = failTimes(state, 2);

    // Assess
    expect(after.status).toBe('closed');
  });

  it('lets a probe through after the cool-down, under a lease', () => {
    // Prepare
    const open = failTimes(closedBreaker(), 3, 0);

    // Act
    const admission = admit(open, 10_000, config);

    // Assess
    expect(admission).toMatchObject({ action: 'probe', next: { status: 'half-open', probeLeaseUntilMs: 15_000 } });
  });

  it('holds other calls while the probe is out', () => {
    // Prepare
    const halfOpen = probing();

    // Act
    const admission = admit(halfOpen, 12_000, config);

    // Assess
    expect(admission).toEqual({ action: 'wait', waitMs: 3000 });
  });

  it('closes when the probe succeeds', () => {
    // Prepare
    const halfOpen = probing();

    // Act
    const state = recordSuccess(halfOpen);

    // Assess
    expect(state).toEqual(closedBreaker());
  });

  it('opens again for a full cool-down when the probe fails', () => {
    // Prepare
    const halfOpen = probing();

    // Act
    const state = recordFailure(halfOpen, 10_500, config);

    // Assess
    expect(state).toMatchObject({ status: 'open', openUntilMs: 20_500 });
  });

  it('keeps when the outage began while probes fail, and forgets it once the ERP answers', () => {
    // Prepare
    const halfOpen = probing();

    // Act
    const reopened = recordFailure(halfOpen, 10_500, config);
    const closed = recordSuccess(probeOf(reopened, 20_500));
    const openedAgain = failTimes(closed!, 3, 30_000);

    // Assess
    expect(reopened.openedAtMs).toBe(0);
    expect(closed!.openedAtMs).toBeUndefined();
    expect(openedAgain.openedAtMs).toBe(30_000);
  });

  it('dates an outage from the failed probe when the stored breaker predates openedAtMs', () => {
    // Prepare
    const { openedAtMs: _dropped, ...stored } = probing();

    // Act
    const reopened = recordFailure(stored, 10_500, config);

    // Assess
    expect(reopened.openedAtMs).toBe(10_500);
  });

  it('lets another instance probe when a probe never reported back', () => {
    // Prepare
    const halfOpen = probing();

    // Act
    const admission = admit(halfOpen, 15_000, config);

    // Assess
    expect(admission.action).toBe('probe');
  });

  it('writes nothing on success while healthy', () => {
    // Act
    const state = recordSuccess(closedBreaker());

    // Assess
    expect(state).toBeUndefined();
  });
});
