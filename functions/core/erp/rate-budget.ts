/**
 * A token bucket shared by every dispatcher instance, with AIMD adaptation: the rate climbs back
 * additively towards the configured ceiling and halves on every 429. Pure: the state is persisted by
 * an adapter with optimistic concurrency.
 */
export interface RateBudgetState {
  tokens: number;
  refilledAtMs: number;
  /** Rate in force since `rateChangedAtMs`, before additive increase. */
  rate: number;
  rateChangedAtMs: number;
}

export interface RateBudgetConfig {
  /** The ERP's limit in requests per second (the configured budget). */
  requestsPerSecond: number;
  /** Share of the limit the bucket aims at, so clock jitter and the one-token burst never exceed it. */
  utilisation: number;
  /** Floor of the adaptive rate. */
  minRequestsPerSecond: number;
  /** Additive increase, in requests per second gained per second without a 429. */
  increasePerSecond: number;
  /** Tokens that may be spent at once after an idle spell. */
  burst: number;
}

export const defaultRateBudgetConfig = (requestsPerSecond: number): RateBudgetConfig => ({
  requestsPerSecond,
  utilisation: 0.95,
  minRequestsPerSecond: Math.max(0.2, requestsPerSecond / 50),
  increasePerSecond: Math.max(0.1, requestsPerSecond / 20),
  burst: 1,
});

const ceiling = (config: RateBudgetConfig) => config.requestsPerSecond * config.utilisation;

export const initialRateBudget = (config: RateBudgetConfig, nowMs: number): RateBudgetState => ({
  tokens: config.burst,
  refilledAtMs: nowMs,
  rate: ceiling(config),
  rateChangedAtMs: nowMs,
});

/** The rate in force now: the stored rate plus additive increase since it was set, capped at the ceiling. */
export const currentRate = (state: RateBudgetState, nowMs: number, config: RateBudgetConfig): number =>
  Math.min(ceiling(config), state.rate + (config.increasePerSecond * Math.max(0, nowMs - state.rateChangedAtMs)) / 1000);

export type TakeResult = { granted: true; next: RateBudgetState } | { granted: false; waitMs: number };

/** Takes one request's token, or says how long until one is available. */
export const takeToken = (state: RateBudgetState, nowMs: number, config: RateBudgetConfig): TakeResult => {
  const rate = currentRate(state, nowMs, config);
  const elapsedMs = Math.max(0, nowMs - state.refilledAtMs);
  const tokens = Math.min(config.burst, state.tokens + (rate * elapsedMs) / 1000);
  if (tokens >= 1) return { granted: true, next: { ...state, tokens: tokens - 1, refilledAtMs: nowMs } };
  return { granted: false, waitMs: Math.ceil(((1 - tokens) / rate) * 1000) };
};

/** Multiplicative decrease after the ERP answered 429. */
export const onRateLimited = (state: RateBudgetState, nowMs: number, config: RateBudgetConfig): RateBudgetState => ({
  tokens: 0,
  refilledAtMs: nowMs,
  rate: Math.max(config.minRequestsPerSecond, currentRate(state, nowMs, config) / 2),
  rateChangedAtMs: nowMs,
});
