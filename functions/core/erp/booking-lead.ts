/**
 * How far ahead of now an instance books its send slots: about as long as its own booking takes. A slot
 * booked for "now" is already past when the conditional write that books it comes back, and a send
 * later than the gate's `maxLatenessMs` gives its slot up: on a slow store (a busy emulator; DynamoDB's
 * tail latency) most idle bookings were wasted that way, each costing a slot and another round trip.
 *
 * The estimate is TCP's retransmission-timer estimator (RFC 6298): a smoothed round trip plus four times
 * its smoothed deviation, so a slot is rarely past when booked, capped so a stall cannot push sends far out.
 * Pure: the coordination adapter times its bookings and asks for the lead.
 */
export interface BookingLead {
  /** Smoothed booking round trip (ms); undefined before the first booking. */
  smoothedMs?: number;
  /** Smoothed deviation of the round trip (ms). */
  deviationMs?: number;
}

/** The most a booking is put ahead of now: bounded wait on a stall, whatever the samples say. */
export const MAX_BOOKING_LEAD_MS = 250;

/** RFC 6298's gains: 1/8 for the mean, 1/4 for the deviation. */
const MEAN_GAIN = 1 / 8;
const DEVIATION_GAIN = 1 / 4;

/** The estimate after one more booking that took `roundTripMs`. */
export const observeBooking = (lead: BookingLead, roundTripMs: number): BookingLead => {
  const sample = Math.max(0, roundTripMs);
  if (lead.smoothedMs === undefined || lead.deviationMs === undefined) return { smoothedMs: sample, deviationMs: sample / 2 };
  return {
    deviationMs: (1 - DEVIATION_GAIN) * lead.deviationMs + DEVIATION_GAIN * Math.abs(lead.smoothedMs - sample),
    smoothedMs: (1 - MEAN_GAIN) * lead.smoothedMs + MEAN_GAIN * sample,
  };
};

/** How far ahead of now to book: 0 before any booking was timed. */
export const bookingLeadMs = (lead: BookingLead): number =>
  lead.smoothedMs === undefined || lead.deviationMs === undefined ? 0 : Math.min(MAX_BOOKING_LEAD_MS, lead.smoothedMs + 4 * lead.deviationMs);
