import { bookingLeadMs, MAX_BOOKING_LEAD_MS, observeBooking, type BookingLead } from '../../../../functions/core/erp/booking-lead';

describe('booking lead (how far ahead of now an instance books its slots)', () => {
  it('is 0 before any booking was timed, so a first booking is for now', () => {
    expect(bookingLeadMs({})).toBe(0);
  });

  it('covers a steady round trip with room for its jitter', () => {
    // Prepare
    let lead: BookingLead = {};

    // Act
    for (const roundTrip of [40, 60, 40, 60, 40, 60, 40, 60, 40, 60, 40, 60]) lead = observeBooking(lead, roundTrip);

    // Assess: above every round trip seen, not far above it
    expect(bookingLeadMs(lead)).toBeGreaterThan(60);
    expect(bookingLeadMs(lead)).toBeLessThan(120);
  });

  it('follows a store that became slower', () => {
    // Prepare
    let lead: BookingLead = {};
    for (let i = 0; i < 20; i++) lead = observeBooking(lead, 10);
    const before = bookingLeadMs(lead);

    // Act
    for (let i = 0; i < 20; i++) lead = observeBooking(lead, 120);

    // Assess
    expect(before).toBeLessThan(20);
    expect(bookingLeadMs(lead)).toBeGreaterThanOrEqual(120);
  });

  it('never books further ahead than its cap, nor behind now', () => {
    // Prepare
    let stalled: BookingLead = {};
    let clockStepBack: BookingLead = {};

    // Act
    for (const roundTrip of [5_000, 9_000, 7_000]) stalled = observeBooking(stalled, roundTrip);
    clockStepBack = observeBooking(clockStepBack, -30);

    // Assess
    expect(bookingLeadMs(stalled)).toBe(MAX_BOOKING_LEAD_MS);
    expect(bookingLeadMs(clockStepBack)).toBe(0);
  });
});
