/**
 * The ERP rate budget shared by every dispatcher instance, as a schedule of send slots (the generic
 * cell rate algorithm): the shared state is the time the next slot is free, and taking a slot moves
 * it one interval on. That is one atomic write per request with no read and no contention, sends are
 * spread evenly instead of in bursts, and no instance can ever get ahead of the budget.
 *
 * AIMD: the rate halves on every 429 and climbs back additively towards the configured limit, so an
 * ERP whose real limit is lower (or shared with other integrations) is found without configuration.
 * Pure: the rate rules. Taking a slot (the slot is the later of now and the next free slot, which
 * moves one interval on) is a pair of DynamoDB conditional writes in `reserveSlot`
 * (`functions/adapters/erp-coordination-store.ts`), the one place that rule lives.
 */
export interface RateBudgetConfig {
  /** The ERP's limit in requests per second (the configured budget). */
  requestsPerSecond: number;
  /** Share of the limit the schedule aims at, leaving room for jitter between our sends and the ERP's clock. */
  utilisation: number;
  /** Floor of the adaptive rate. */
  minRequestsPerSecond: number;
  /** Additive increase, in requests per second gained per second without a 429. */
  increasePerSecond: number;
}

export const defaultRateBudgetConfig = (requestsPerSecond: number): RateBudgetConfig => ({
  requestsPerSecond,
  utilisation: 0.93,
  minRequestsPerSecond: Math.min(1, requestsPerSecond),
  increasePerSecond: Math.max(0.1, requestsPerSecond / 20),
});

/** The adaptive part of the shared state. */
export interface RateState {
  /** Rate in force since `rateChangedAtMs`, before additive increase. */
  rate: number;
  rateChangedAtMs: number;
}

export const ceilingRate = (config: RateBudgetConfig) => config.requestsPerSecond * config.utilisation;

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

