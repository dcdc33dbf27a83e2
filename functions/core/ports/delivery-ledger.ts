export interface DeliveryLedger {
  /**
   * Runs `accept` once per delivery key. A later call with the same key returns the first result
   * with `duplicate: true`; a call while the first is still running throws `DeliveryInProgressError`;
   * the same key with a different fingerprint throws `DeliveryConflictError`.
   */
  acceptOnce<R extends Record<string, unknown>>(
    key: string,
    fingerprint: string,
    accept: () => Promise<R>,
  ): Promise<{ result: R; duplicate: boolean }>;
}
