/** Reconciliation settings (stage configuration, passed to the reconciler as one JSON variable). */
export interface ReconcileSettings {
  /** How far back a scheduled run looks; longer than the schedule's period so runs overlap. */
  lookbackSeconds: number;
  /** ERP changes younger than this are still in flight on the normal path, not drift. */
  graceSeconds: number;
  maxOrdersPerInvocation: number;
  /** Time one invocation spends before handing the rest on; well inside the function timeout. */
  maxSliceSeconds: number;
  maxRepairsPerRun: number;
  /** Service-desk reads per second of one reconciler, leaving the rest of the desk's API limit to the updater. */
  serviceDeskReadsPerSecond: number;
  /** Incremental-export requests per minute of one reconciler: Zendesk allows 10 (30 with High Volume) to the export endpoints. */
  serviceDeskExportRequestsPerMinute: number;
}

export const DEFAULT_RECONCILE_SETTINGS: ReconcileSettings = {
  lookbackSeconds: 2 * 3600,
  graceSeconds: 300,
  maxOrdersPerInvocation: 5000,
  maxSliceSeconds: 240,
  maxRepairsPerRun: 500,
  serviceDeskReadsPerSecond: 2,
  serviceDeskExportRequestsPerMinute: 10,
};
