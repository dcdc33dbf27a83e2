import { afterRateLimited, currentRate, defaultRateBudgetConfig } from '../../../../functions/core/erp/rate-budget';

const config = defaultRateBudgetConfig(20);

describe('rate budget (adaptive rate; the slot schedule is tested on the adapter against the emulator)', () => {
  it('halves the rate on a 429 and climbs back additively to the ceiling', () => {
    const limited = afterRateLimited(undefined, 1000, config);
    expect(currentRate(limited, 1000, config)).toBeCloseTo(9.3);
    expect(currentRate(limited, 2000, config)).toBeCloseTo(10.3);
    expect(currentRate(limited, 60_000, config)).toBeCloseTo(18.6);
  });

  it('never drops below the floor however many 429s arrive', () => {
    let state = afterRateLimited(undefined, 0, config);
    for (let i = 0; i < 50; i++) state = afterRateLimited(state, 0, config);
    expect(currentRate(state, 0, config)).toBe(config.minRequestsPerSecond);
  });
});
