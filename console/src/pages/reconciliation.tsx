import { useEffect, useState } from 'preact/hooks';
import { get, post } from '../api';
import { ConfirmDialog, ErrorNote, Loading, Section, useResource } from '../components';
import { formatAge, formatTime, traceHref } from '../format';
import type { Overview, ReconcileOutcome, ReconcileRun } from '../types';
import { RunsTable } from './runs-table';

/** Reconciliation runs with their counts and drifts; start a run. */
export const ReconciliationPage = ({ runId }: { runId?: string }) => {
  const overview = useResource(() => get<Overview>('/api/overview'));
  const [since, setSince] = useState('2h');
  const [repair, setRepair] = useState(true);
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<Error>();
  const start = async () => {
    setConfirming(false);
    setError(undefined);
    try {
      const outcome = await post<ReconcileOutcome>('/api/reconciliations', { since, repair });
      window.location.hash = `#/reconciliation/${encodeURIComponent(outcome.runId)}`;
    } catch (caught) {
      setError(caught as Error);
    }
  };
  return (
    <>
      <h1>Reconciliation</h1>
      <Section title="Start a run">
        <form
          class="filters"
          onSubmit={(event) => {
            event.preventDefault();
            setConfirming(true);
          }}
        >
          <label>
            Orders the ERP changed since
            <input name="since" value={since} onInput={(event) => setSince((event.target as HTMLInputElement).value)} placeholder="90m, 2h, 1d or ISO-8601" required size={24} />
          </label>
          <label class="inline">
            <input type="checkbox" checked={repair} onChange={(event) => setRepair((event.target as HTMLInputElement).checked)} /> Repair drift
          </label>
          <button type="submit" class="primary">
            Start reconciliation…
          </button>
        </form>
        <ErrorNote error={error} />
      </Section>
      {runId ? <RunView key={runId} runId={runId} /> : null}
      <Section title="Last runs">
        <ErrorNote error={overview.error} />
        <Loading loading={overview.loading} />
        {overview.value ? <RunsTable runs={overview.value.reconciliation.runs} withFinished /> : null}
      </Section>
      <ConfirmDialog open={confirming} title="Start a reconciliation?" confirmLabel="Start" onConfirm={() => void start()} onCancel={() => setConfirming(false)}>
        <p>
          Compare every order the ERP changed since {since} with the sync state and the service desk{repair ? ', and repair drift' : ', repairing nothing'}.
        </p>
      </ConfirmDialog>
    </>
  );
};

/** One run, polled every 2 s until it is done. */
const RunView = ({ runId }: { runId: string }) => {
  const run = useResource(() => get<ReconcileRun>(`/api/reconciliations/${encodeURIComponent(runId)}`), [runId]);
  useEffect(() => {
    if (run.value?.status === 'done') return;
    const timer = setTimeout(() => void run.reload(), 2000);
    return () => clearTimeout(timer);
  }, [run.value, run.error]);
  const value = run.value;
  return (
    <Section title={`Run ${runId}`} id="run-title">
      <ErrorNote error={run.error} />
      {value ? (
        <div role="status" aria-live="polite">
          <p>
            {formatTime(value.since)} to {formatTime(value.until)}, requested by {value.requestedBy}: <strong>{value.status === 'requested' ? 'requested, waiting for the reconciler' : value.status}</strong>
          </p>
          <p>
            Checked {value.checked} order(s): {value.inSync} in sync, {value.inFlight} in flight, {value.drifted} drifted ({value.repaired} repaired), {value.unreadable} unreadable.
          </p>
          {value.drifts.length ? (
            <table>
              <thead>
                <tr>
                  <th scope="col">Order</th>
                  <th scope="col">Age</th>
                  <th scope="col">Drift</th>
                  <th scope="col">Repair</th>
                  <th scope="col">ERP</th>
                  <th scope="col">Cases</th>
                </tr>
              </thead>
              <tbody>
                {value.drifts.map((drift) => (
                  <tr>
                    <td>
                      <a href={traceHref(drift.orderId)}>{drift.orderId}</a>
                    </td>
                    <td>{formatAge(drift.ageSeconds)}</td>
                    <td>{drift.kinds.join(' + ')}</td>
                    <td>{drift.repair}</td>
                    <td>{drift.erp}</td>
                    <td>{drift.cases}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
        </div>
      ) : (
        <Loading loading={run.loading} />
      )}
    </Section>
  );
};
