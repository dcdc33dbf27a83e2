/**
 * The ERP rate budget shared by every dispatcher instance, as a schedule of send slots (the generic
 * cell rate algorithm): the shared state is the time the next slot is free, and taking a slot moves
 * it one interval on. That is one atomic write per request with no read and no contention, sends are
 * spread evenly instead of in bursts, and no instance can ever get ahead of the budget.
 *
 * AIMD: the rate halves on every 429 and climbs back additively towards the configured limit, so an
 * ERP whose real limit is lower (or shared with other integrations) is found without configuration.
 * Pure: the rate rules. Taking a slot (the slot is the later of now, plus the instance's booking lead
 * (`./booking-lead.ts`), and the next free slot, which moves one interval on) is a pair of DynamoDB conditional writes in `reserveSlot`
 * (`functions/adapters/erp-coordination-store.ts`), the one place that rule lives.
 */
export interface RateBudgetConfig {
  /** The ERP's limit in requests per second (the configured budget). */
  requestsPerSecond: number;
  /**
   * The safety margin, explicit: the schedule spaces slots so that any R + 1 consecutive slots span at
   * least one second plus this, where the ERP counts R requests in any sliding second. A request may
   * reach the ERP up to this much later (relative to its slot) than one R slots later did, and the ERP
   * still sees at most R in any second. It must cover the gate's `maxLatenessMs` (a send later than
   * that is re-booked) plus the jitter of the way to the ERP; the schedule then aims at
   * 1000 / (1000 + marginMs) of the limit (40 ms: 96.2%).
   */
  marginMs: number;
  /** Floor of the adaptive rate. */
  minRequestsPerSecond: number;
  /** Additive increase, in requests per second gained per second without a 429. */
  increasePerSecond: number;
}

/** `marginMs` when the stage does not set `erpSendMarginMs`: 20 ms of allowed lateness plus 20 ms for the way to the ERP (docs/performance.md). */
export const DEFAULT_MARGIN_MS = 40;

/**
 * How late after its slot a send may still leave (the gate's `maxLatenessMs`): half the margin. The
 * other half is for the way to the ERP's counter, so a send the gate lets go stays within the margin.
 */
export const allowedLatenessMs = (config: Pick<RateBudgetConfig, 'marginMs'>) => config.marginMs / 2;

export const defaultRateBudgetConfig = (requestsPerSecond: number, marginMs = DEFAULT_MARGIN_MS): RateBudgetConfig => ({
  requestsPerSecond,
  marginMs,
  minRequestsPerSecond: Math.min(1, requestsPerSecond),
  increasePerSecond: Math.max(0.1, requestsPerSecond / 20),
});

/** The adaptive part of the shared state. */
export interface RateState {
  /** Rate in force since `rateChangedAtMs`, before additive increase. */
  rate: number;
  rateChangedAtMs: number;
}

/** The schedule's rate when nothing slowed it: R requests per (1 s + margin). */
export const ceilingRate = (config: RateBudgetConfig) => (config.requestsPerSecond * 1000) / (1000 + config.marginMs);

/** The rate in force now: the stored rate plus additive increase since it was set, capped at the ceiling. */
export const currentRate = (state: RateState | undefined, nowMs: number, config: RateBudgetConfig): number =>
  state === undefined
    ? ceilingRate(config)
    : Math.min(ceilingRate(config), state.rate + (config.increasePerSecond * Math.max(0, nowMs - state.rateChangedAtMs)) / 1000);

/** Spacing between two sends at a rate. */
export const slotIntervalMs = (rate: number) => 1000 / rate;

/** Multiplicative decrease after the ERP answered 429. */
export const afterRateLimited = (state: RateState | undefined, nowMs: number, config: RateBudgetConfig): RateState => ({
  rate: Math.max(config.minRequestsPerSecond, currentRate(state, nowMs, config) / 2),
  rateChangedAtMs: nowMs,
});

