import fc from 'fast-check';
import { currentRate, defaultRateBudgetConfig, initialRateBudget, onRateLimited, takeToken, type RateBudgetState } from '../../../functions/core/erp/rate-budget';

const config = defaultRateBudgetConfig(20);

describe('rate budget', () => {
  it('grants the first token, then makes callers wait for the next', () => {
    const start = initialRateBudget(config, 0);
    const first = takeToken(start, 0, config);
    expect(first.granted).toBe(true);
    const second = takeToken((first as { next: RateBudgetState }).next, 0, config);
    expect(second).toEqual({ granted: false, waitMs: Math.ceil(1000 / 19) });
  });

  it('never grants more than the limit in any sliding second, whatever the timing of the requests', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 60 }), { minLength: 1, maxLength: 300 }), (gaps) => {
        let state = initialRateBudget(config, 0);
        let now = 0;
        const granted: number[] = [];
        for (const gap of gaps) {
          now += gap;
          const result = takeToken(state, now, config);
          if (result.granted) {
            state = result.next;
            granted.push(now);
          }
        }
        for (let i = 0; i < granted.length; i++) {
          const inWindow = granted.filter((at) => at >= granted[i]! && at < granted[i]! + 1000).length;
          expect(inWindow).toBeLessThanOrEqual(20);
        }
      }),
    );
  });

  it('halves the rate on a 429 and climbs back additively to the ceiling', () => {
    const state = initialRateBudget(config, 0);
    const limited = onRateLimited(state, 1000, config);
    expect(currentRate(limited, 1000, config)).toBeCloseTo(9.5);
    expect(currentRate(limited, 2000, config)).toBeCloseTo(10.5);
    expect(currentRate(limited, 60_000, config)).toBeCloseTo(19);
  });

  it('never drops below the floor however many 429s arrive', () => {
    let state = initialRateBudget(config, 0);
    for (let i = 0; i < 50; i++) state = onRateLimited(state, 0, config);
    expect(currentRate(state, 0, config)).toBe(config.minRequestsPerSecond);
  });
});
