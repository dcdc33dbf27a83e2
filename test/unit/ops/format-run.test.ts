import { formatRun } from '../../../ops/cli';
import type { ReconcileRun } from '../../../functions/core/reconciliation/reconcile-run';

describe('formatRun', () => {
  const run: ReconcileRun = {
    runId: 'cli-1',
    since: '2026-11-27T08:00:00Z',
    until: '2026-11-27T10:00:00Z',
    requestedBy: 'ops-cli',
    status: 'requested',
    requestedAt: '2026-11-27T10:00:00Z',
    updatedAt: '2026-11-27T10:00:00Z',
    checked: 0,
    inSync: 0,
    inFlight: 0,
    drifted: 0,
    repaired: 0,
    unreadable: 0,
    drifts: [],
    unreadableOrders: [],
  };

  it('shows a run that is requested but not started yet as such', () => {
    // Act
    const text = formatRun(run);
    // Assess
    expect(text.split('\n')[0]).toBe('Reconciliation cli-1 (2026-11-27T08:00:00Z .. 2026-11-27T10:00:00Z, requested by ops-cli): requested, waiting for the reconciler to start it');
  });
});
