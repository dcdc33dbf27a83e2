/** Reconciliation settings (stage configuration, passed to the reconciler as one JSON variable). */
export interface ReconcileSettings {
  /** How far back a scheduled run looks; longer than the schedule's period so runs overlap. */
  lookbackSeconds: number;
  /** ERP changes younger than this are still in flight on the normal path, not drift. */
  graceSeconds: number;
  maxOrdersPerInvocation: number;
  maxRepairsPerRun: number;
}

export const DEFAULT_RECONCILE_SETTINGS: ReconcileSettings = {
  lookbackSeconds: 2 * 3600,
  graceSeconds: 300,
  maxOrdersPerInvocation: 200,
  maxRepairsPerRun: 500,
};
