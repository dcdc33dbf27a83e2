/**
 * A circuit breaker whose state is shared by every dispatcher instance (persisted by an adapter).
 * Closed: calls pass. Open: no call reaches the ERP until the cool-down ends. Then one instance
 * leases a probe (half-open); its success closes the breaker, its failure opens it again.
 */
export interface BreakerState {
  status: 'closed' | 'open' | 'half-open';
  consecutiveFailures: number;
  openUntilMs: number;
  /**
   * When this outage began: set when a closed breaker opens, kept while probes fail, gone when it
   * closes. Optional because breakers stored before it existed lack it.
   */
  openedAtMs?: number;
  /** While a probe is out, other instances wait until this lease expires. */
  probeLeaseUntilMs: number;
}

export interface BreakerConfig {
  /** Consecutive 5xx/timeouts that open the breaker. */
  failureThreshold: number;
  cooldownMs: number;
  /** How long a probe may take before another instance may probe. */
  probeLeaseMs: number;
}

export const DEFAULT_BREAKER_CONFIG: BreakerConfig = { failureThreshold: 5, cooldownMs: 15_000, probeLeaseMs: 15_000 };

export const closedBreaker = (): BreakerState => ({ status: 'closed', consecutiveFailures: 0, openUntilMs: 0, probeLeaseUntilMs: 0 });

export type Admission = { action: 'call' } | { action: 'probe'; next: BreakerState } | { action: 'wait'; waitMs: number };

export const admit = (state: BreakerState, nowMs: number, config: BreakerConfig): Admission => {
  if (state.status === 'closed') return { action: 'call' };
  if (state.status === 'open' && nowMs < state.openUntilMs) return { action: 'wait', waitMs: state.openUntilMs - nowMs };
  if (state.status === 'half-open' && nowMs < state.probeLeaseUntilMs) return { action: 'wait', waitMs: state.probeLeaseUntilMs - nowMs };
  return { action: 'probe', next: { ...state, status: 'half-open', probeLeaseUntilMs: nowMs + config.probeLeaseMs } };
};

/** The ERP answered (2xx or a 4xx that proves it is up): close, or stay closed with the count reset. */
export const recordSuccess = (state: BreakerState): BreakerState | undefined =>
  state.status === 'closed' && state.consecutiveFailures === 0 ? undefined : closedBreaker();

/** A 5xx or timeout. A failed probe, or too many in a row, opens the breaker for the cool-down. */
export const recordFailure = (state: BreakerState, nowMs: number, config: BreakerConfig): BreakerState => {
  const consecutiveFailures = state.consecutiveFailures + 1;
  if (state.status !== 'closed' || consecutiveFailures >= config.failureThreshold) {
    const openedAtMs = state.status === 'closed' ? nowMs : (state.openedAtMs ?? nowMs);
    return { status: 'open', consecutiveFailures, openUntilMs: nowMs + config.cooldownMs, openedAtMs, probeLeaseUntilMs: 0 };
  }
  return { ...state, consecutiveFailures };
};
