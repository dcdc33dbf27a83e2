import fc from 'fast-check';
import { afterRateLimited, ceilingRate, currentRate, defaultRateBudgetConfig, slotIntervalMs, takeSlot } from '../../../functions/core/erp/rate-budget';

const config = defaultRateBudgetConfig(20);

describe('rate budget (send-slot schedule)', () => {
  it('gives an idle schedule the slot now, and spaces the next ones one interval apart', () => {
    const interval = slotIntervalMs(ceilingRate(config));
    const first = takeSlot(undefined, 1000, interval);
    const second = takeSlot(first.nextFreeAtMs, 1000, interval);
    expect(first.slotAtMs).toBe(1000);
    expect(second.slotAtMs).toBeCloseTo(1000 + 1000 / 18.6);
  });

  it('never puts more than the limit in any sliding second, however callers arrive', () => {
    const interval = slotIntervalMs(ceilingRate(config));
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 120 }), { minLength: 1, maxLength: 400 }), (gaps) => {
        let nextFree: number | undefined;
        let now = 0;
        const slots: number[] = [];
        for (const gap of gaps) {
          now += gap;
          const taken = takeSlot(nextFree, now, interval);
          nextFree = taken.nextFreeAtMs;
          slots.push(taken.slotAtMs);
        }
        for (const start of slots) expect(slots.filter((at) => at >= start && at < start + 1000).length).toBeLessThanOrEqual(20);
      }),
    );
  });

  it('keeps every caller busy: back-to-back callers get the full rate', () => {
    const interval = slotIntervalMs(ceilingRate(config));
    let nextFree: number | undefined;
    const slots = Array.from({ length: 191 }, () => {
      const taken = takeSlot(nextFree, 0, interval);
      nextFree = taken.nextFreeAtMs;
      return taken.slotAtMs;
    });
    expect(slots.at(-1)).toBeCloseTo(10_000 * 190 / 186);
  });

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
