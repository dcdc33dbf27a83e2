import type { ReconcileRequest } from '../reconciliation/reconcile-request';
import type { ReconcilePageReport, ReconcileRun, RunProgress, SliceRecord } from '../reconciliation/reconcile-run';

/** Where reconciliation runs are recorded, slice by slice; an adapter implements it. */
export interface ReconcileRunStore {
  progress(runId: string): Promise<RunProgress>;
  slice(runId: string, sliceKey: string): Promise<SliceRecord | undefined>;
  /**
   * Records the slice (with where the run goes on) and adds its counts to the run, atomically and once:
   * `already-recorded` when that slice was recorded before.
   */
  record(request: ReconcileRequest, report: ReconcilePageReport, at: Date): Promise<'recorded' | 'already-recorded'>;
  /** Records that the run was asked for, so it can be followed before its first slice ends; changes nothing once it started. */
  requested(request: ReconcileRequest, at: Date): Promise<void>;
  /** Notes that the continuation of this slice was sent. */
  handedOn(runId: string, sliceKey: string): Promise<void>;
  get(runId: string): Promise<ReconcileRun | undefined>;
}
