import type { ReconcileRunStore } from '../ports/reconcile-run-store';
import type { makeReconciler } from './reconciler';
import type { ReconcileRequest } from './reconcile-request';
import { emptyReport, sliceKey, type ContinueAt, type ReconcilePageReport, type SliceRecord } from './reconcile-run';

/**
 * One invocation of a run: check a bounded slice, record it, and hand the rest to a continuation
 * message, so a run of any size never outlives a Lambda timeout and a failed slice is retried alone.
 * The slice's record keeps where the run goes on, so a slice delivered or retried after it was recorded
 * resends exactly that continuation (never one computed again, which could differ and fork the run),
 * and a crash between recording and handing on is mended by the retry.
 */
export const makeReconcileRunner = (deps: {
  reconcile: ReturnType<typeof makeReconciler>;
  runs: ReconcileRunStore;
  continueRun: (request: ReconcileRequest, delaySeconds: number) => Promise<void>;
  now: () => Date;
}) => {
  const handOn = async (request: ReconcileRequest, key: string, next: ContinueAt) => {
    const { cursor: _cursor, offset: _offset, deferrals: _deferrals, ...rest } = request;
    await deps.continueRun(
      { ...rest, ...(next.cursor !== undefined ? { cursor: next.cursor } : {}), offset: next.offset, ...(next.deferrals ? { deferrals: next.deferrals } : {}) },
      next.afterSeconds ?? 0,
    );
    await deps.runs.handedOn(request.runId, key);
  };
  const resume = async (request: ReconcileRequest, key: string, recorded: SliceRecord | undefined) => {
    if (recorded?.continueAt && !recorded.handedOn) await handOn(request, key, recorded.continueAt);
  };
  const duplicateOf = (request: ReconcileRequest, key: string): ReconcilePageReport & { duplicate: true } => ({ ...emptyReport(request.runId, key), duplicate: true });

  return async (request: ReconcileRequest): Promise<ReconcilePageReport & { duplicate?: true }> => {
    const key = sliceKey(request);
    const earlier = await deps.runs.slice(request.runId, key);
    if (earlier) {
      await resume(request, key, earlier);
      return duplicateOf(request, key);
    }
    const report = await deps.reconcile(request, await deps.runs.progress(request.runId));
    if ((await deps.runs.record(request, report, deps.now())) === 'already-recorded') {
      // Another delivery of this slice recorded first: go on from where it said.
      await resume(request, key, await deps.runs.slice(request.runId, key));
      return duplicateOf(request, key);
    }
    if (report.continueAt !== undefined) await handOn(request, key, report.continueAt);
    return report;
  };
};
