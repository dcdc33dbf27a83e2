import { formatTime } from '../format';
import type { Overview } from '../types';

/** Reconciliation runs with their counts, each linked to its page. */
export const RunsTable = ({ runs, withFinished }: { runs: Overview['reconciliation']['runs']; withFinished?: boolean }) =>
  runs.length === 0 ? (
    <p class="muted">No run yet.</p>
  ) : (
    <table>
      <thead>
        <tr>
          <th scope="col">Run</th>
          <th scope="col">Started</th>
          {withFinished ? <th scope="col">Finished</th> : null}
          <th scope="col">Status</th>
          <th scope="col" class="num">Checked</th>
          <th scope="col" class="num">Drift found</th>
          <th scope="col" class="num">Repaired</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((run) => (
          <tr>
            <td>
              <a href={`#/reconciliation/${encodeURIComponent(run.runId)}`}>{run.runId}</a>
            </td>
            <td>{formatTime(run.startedAt)}</td>
            {withFinished ? <td>{formatTime(run.finishedAt)}</td> : null}
            <td>{run.status}</td>
            <td class="num">{run.checked}</td>
            <td class="num">{run.driftFound}</td>
            <td class="num">{run.repaired}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
