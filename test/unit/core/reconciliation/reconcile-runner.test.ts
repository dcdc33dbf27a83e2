import type { ReconcileRunStore } from '../../../../functions/core/ports/reconcile-run-store';
import type { ReconcileRequest } from '../../../../functions/core/reconciliation/reconcile-request';
import { sliceKey, type ReconcilePageReport, type SliceRecord } from '../../../../functions/core/reconciliation/reconcile-run';
import { makeReconcileRunner } from '../../../../functions/core/reconciliation/reconcile-runner';
import { NOW, request } from './reconciliation-fixtures';

describe('run slices', () => {
  /** A run store double that keeps what the DynamoDB store keeps: one record per slice, written once. */
  const runsDouble = () => {
    const slices = new Map<string, SliceRecord>();
    const runs: ReconcileRunStore = {
      progress: async () => ({ repaired: 7 }),
      slice: async (_runId, key) => (slices.has(key) ? { ...slices.get(key)! } : undefined),
      record: async (_request, report) => {
        if (slices.has(report.pageKey)) return 'already-recorded';
        slices.set(report.pageKey, { handedOn: false, ...(report.continueAt ? { continueAt: report.continueAt } : {}) });
        return 'recorded';
      },
      handedOn: async (_runId, key) => void (slices.get(key)!.handedOn = true),
      requested: async () => undefined,
      get: async () => undefined,
    };
    return { runs, slices };
  };
  /** A slice that stops after `stopAt` orders of a 30-order page (time or 429s make that vary between attempts). */
  const sliceOf = (slice: ReconcileRequest, stopAt?: number): ReconcilePageReport => ({
    runId: slice.runId,
    pageKey: sliceKey(slice),
    checked: stopAt ?? 1,
    inSync: stopAt ?? 1,
    inFlight: 0,
    drifts: [],
    repaired: 0,
    unreadable: [],
    ...(stopAt !== undefined ? { continueAt: { offset: (slice.offset ?? 0) + stopAt, afterSeconds: 5 } } : {}),
  });

  it('records each slice and hands the rest of the run to a continuation', async () => {
    // Prepare
    const { runs, slices } = runsDouble();
    const continued: Array<[ReconcileRequest, number]> = [];
    const seenProgress: number[] = [];
    const run = makeReconcileRunner({
      reconcile: async (slice, progress) => {
        seenProgress.push(progress!.repaired);
        return sliceOf(slice, slice.offset ? undefined : 3);
      },
      runs,
      continueRun: async (next, delaySeconds) => void continued.push([next, delaySeconds]),
      now: () => NOW,
    });
    // Act
    await run(request());
    const handedOn = [...continued];
    await run(continued[0]![0]);
    // Assess
    expect(handedOn).toEqual([[request({ offset: 3 }), 5]]);
    expect(continued).toHaveLength(1);
    expect([...slices.keys()]).toEqual(['first@0', 'first@3']);
    expect(seenProgress).toEqual([7, 7]);
  });

  it('skips a slice delivered again, so a run never forks', async () => {
    // Prepare
    const { runs } = runsDouble();
    const continued: ReconcileRequest[] = [];
    let slicesRun = 0;
    const run = makeReconcileRunner({
      reconcile: async (slice) => {
        slicesRun++;
        return sliceOf(slice, slice.offset ? undefined : 3);
      },
      runs,
      continueRun: async (next) => void continued.push(next),
      now: () => NOW,
    });
    // Act
    await run(request());
    const firstAgain = await run(request());
    await run(continued[0]!);
    const continuationAgain = await run(continued[0]!);
    // Assess
    expect(firstAgain).toMatchObject({ duplicate: true, checked: 0 });
    expect(continuationAgain).toMatchObject({ duplicate: true });
    expect(slicesRun).toBe(2);
    expect(continued).toHaveLength(1);
  });

  it('after a crash between recording and handing on, sends the continuation it recorded, not a new one', async () => {
    // Prepare
    const { runs, slices } = runsDouble();
    const continued: ReconcileRequest[] = [];
    let attempt = 0;
    let sqsDown = true;
    const run = makeReconcileRunner({
      // A retry would stop elsewhere (here at 24 instead of 8): going on from there would fork the run.
      reconcile: async (slice) => sliceOf(slice, ++attempt === 1 ? 8 : 24),
      runs,
      continueRun: async (next) => {
        if (sqsDown) throw new Error('SQS unreachable');
        continued.push(next);
      },
      now: () => NOW,
    });
    await expect(run(request())).rejects.toThrow('SQS unreachable');
    expect(slices.get('first@0')).toEqual({ handedOn: false, continueAt: { offset: 8, afterSeconds: 5 } });
    sqsDown = false;
    // Act
    await run(request());
    // Assess
    expect(attempt).toBe(1);
    expect(continued).toEqual([request({ offset: 8 })]);
    expect(slices.get('first@0')!.handedOn).toBe(true);
  });

  it('goes on from the recorded slice when another delivery of it recorded first', async () => {
    // Prepare
    const { runs } = runsDouble();
    const continued: ReconcileRequest[] = [];
    // Both deliveries run at once: the first to record wins, the other resends the winner's continuation.
    const run = makeReconcileRunner({ reconcile: async (slice) => sliceOf(slice, 4), runs, continueRun: async (next) => void continued.push(next), now: () => NOW });
    const other = makeReconcileRunner({ reconcile: async (slice) => sliceOf(slice, 9), runs, continueRun: async (next) => void continued.push(next), now: () => NOW });
    // Act
    await Promise.all([run(request()), other(request())]);
    // Assess
    expect(continued.map((next) => next.offset)).toEqual([4, 4].slice(0, continued.length));
  });
});
