import { erpLimit } from '../../../ops/overview';

const now = new Date('2026-11-29T10:00:00Z');
const secondsAgo = (seconds: number) => now.getTime() - seconds * 1000;

describe("the overview's ERP limit", () => {
  it('is the configured limit the stage recorded on its budget item', () => {
    // Act
    const limit = erpLimit({ pk: 'RATE#erp', configuredRate: 8, nextFreeAt: secondsAgo(1) }, now, 20);

    // Assess
    expect(limit).toEqual({ limitPerSecond: 8, limitSource: 'stage' });
  });

  it('is assumed, the one passed in or 20, before any booking recorded it', () => {
    // Act
    const passed = erpLimit(undefined, now, 12);
    const fallback = erpLimit(undefined, now);

    // Assess
    expect(passed).toEqual({ limitPerSecond: 12, limitSource: 'assumed' });
    expect(fallback).toEqual({ limitPerSecond: 20, limitSource: 'assumed' });
  });

  it('is the rate in force while a 429 cut it, climbing as the gate climbs (R/20 per second)', () => {
    // Act: the gate halved 8/s to 4/s one second ago.
    const limit = erpLimit({ configuredRate: 8, rate: 4, rateChangedAt: secondsAgo(1) }, now);

    // Assess
    expect(limit).toEqual({ limitPerSecond: 4.4, limitSource: 'adaptive' });
  });

  it('is the configured limit again once the cut rate has climbed back, however long the item keeps it', () => {
    // Act
    const limit = erpLimit({ configuredRate: 8, rate: 4, rateChangedAt: secondsAgo(3600) }, now);

    // Assess
    expect(limit).toEqual({ limitPerSecond: 8, limitSource: 'stage' });
  });

  it("judges a cut rate climbed back against the stage's own margin", () => {
    // Act: climbing 0.4/s from 4/s, the rate is 7.5/s: above the gate's ceiling with a 100 ms margin
    // (8 × 1000 / 1100 = 7.27/s), so the gate is back at its limit; below the 40 ms margin's 7.69/s.
    const limit = erpLimit({ configuredRate: 8, marginMs: 100, rate: 4, rateChangedAt: secondsAgo(8.75) }, now);

    // Assess
    expect(limit).toEqual({ limitPerSecond: 8, limitSource: 'stage' });
  });
});
