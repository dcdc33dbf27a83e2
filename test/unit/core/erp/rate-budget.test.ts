import { afterRateLimited, allowedLatenessMs, ceilingRate, currentRate, defaultRateBudgetConfig } from '../../../../functions/core/erp/rate-budget';

const config = defaultRateBudgetConfig(20);

describe('rate budget (adaptive rate; the slot schedule is tested on the adapter against the emulator)', () => {
  it.each([
    ['halves the rate on a 429', 1000, 20000 / 1040 / 2],
    ['climbs back additively a second later', 2000, 20000 / 1040 / 2 + 1],
    ['climbs back towards the ceiling over a minute', 60_000, 20000 / 1040],
  ])('%s', (_name, at, rate) => {
    // Prepare
    const limited = afterRateLimited(undefined, 1000, config);

    // Act
    const current = currentRate(limited, at, config);

    // Assess
    expect(current).toBeCloseTo(rate);
  });

  it('never drops below the floor however many 429s arrive', () => {
    // Prepare
    let state = afterRateLimited(undefined, 0, config);

    // Act
    for (let i = 0; i < 50; i++) state = afterRateLimited(state, 0, config);

    // Assess
    expect(currentRate(state, 0, config)).toBe(config.minRequestsPerSecond);
  });

  it('spaces the slots so that any R + 1 of them span one second plus the margin', () => {
    // Prepare
    const { requestsPerSecond, marginMs } = config;

    // Act
    const interval = 1000 / currentRate(undefined, 0, config);

    // Assess
    expect(requestsPerSecond * interval).toBeCloseTo(1000 + marginMs);
  });

  it('spaces slots by the margin it is given, and lets a send leave at most half of it late', () => {
    // Act
    const wide = defaultRateBudgetConfig(20, 100);

    // Assess
    expect(ceilingRate(wide)).toBeCloseTo((20 * 1000) / 1100, 9);
    expect(allowedLatenessMs(wide)).toBe(50);
    expect(allowedLatenessMs(defaultRateBudgetConfig(20))).toBe(20);
  });
});
