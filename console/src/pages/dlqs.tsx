import { useState } from 'preact/hooks';
import { get, post, query } from '../api';
import { ConfirmDialog, ErrorNote, Loading, Section, useResource } from '../components';
import { formatAge, formatTime, traceHref } from '../format';
import { RedriveStatus, startRedrive, useJob } from '../redrive';
import type { DlqMessage, DlqSummary, PurgeResult } from '../types';

/** Every DLQ of the stage; one DLQ's messages, with redrive, export and purge. */
export const DlqsPage = ({ queue }: { queue?: string }) => {
  const dlqs = useResource(() => get<DlqSummary[]>('/api/dlqs'));
  return (
    <>
      <div class="page-head">
        <h1>Dead-letter queues</h1>
        <button type="button" onClick={() => void dlqs.reload()}>
          Refresh
        </button>
      </div>
      <ErrorNote error={dlqs.error} />
      <Loading loading={dlqs.loading && !dlqs.value} />
      {dlqs.value ? (
        <table data-testid="dlq-list">
          <thead>
            <tr>
              <th scope="col">DLQ</th>
              <th scope="col" class="num">Depth</th>
              <th scope="col" class="num">In flight</th>
              <th scope="col" class="num">Oldest</th>
              <th scope="col">Source queue</th>
            </tr>
          </thead>
          <tbody>
            {dlqs.value.map((dlq) => (
              <tr class={dlq.depth ? 'attention' : ''} aria-current={dlq.name === queue ? 'true' : undefined}>
                <td>{dlq.exists ? <a href={`#/dlqs/${encodeURIComponent(dlq.name)}`}>{dlq.name}</a> : `${dlq.name} (missing)`}</td>
                <td class="num" data-testid={`depth-${dlq.name}`}>{dlq.exists ? (dlq.depth ?? 0) : '-'}</td>
                <td class="num">{dlq.exists ? (dlq.inFlight ?? 0) : '-'}</td>
                <td class="num">{dlq.depth ? `${dlq.oldestIsLowerBound ? '≥ ' : ''}${formatAge(dlq.oldestAgeSeconds)}` : '-'}</td>
                <td>{dlq.sourceQueue}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {queue ? <DlqView key={queue} queue={queue} onChange={() => void dlqs.reload()} /> : <p class="muted">Choose a DLQ to see its messages.</p>}
    </>
  );
};

const DlqView = ({ queue, onChange }: { queue: string; onChange: () => void }) => {
  const [filterText, setFilterText] = useState('');
  const [max, setMax] = useState('50');
  const [applied, setApplied] = useState({ filters: [] as string[], max: '50' });
  const peek = useResource(() => get<{ queue: string; sourceQueue: string; messages: DlqMessage[] }>(`/api/dlqs/${encodeURIComponent(queue)}/messages${query({ filter: applied.filters, max: applied.max })}`), [queue, JSON.stringify(applied)]);
  const [pending, setPending] = useState<'redrive' | 'dry-run' | 'purge'>();
  const [error, setError] = useState<Error>();
  const [purged, setPurged] = useState<PurgeResult>();
  const [jobId, setJobId] = useState<string>();
  const job = useJob(jobId, () => {
    void peek.reload();
    onChange();
  });
  const count = peek.value?.messages.length ?? 0;
  const filtersLabel = applied.filters.length ? ` matching ${applied.filters.join(', ')}` : '';

  const act = async (typed: string) => {
    const action = pending;
    setPending(undefined);
    setError(undefined);
    setPurged(undefined);
    try {
      if (action === 'redrive' || action === 'dry-run') {
        const started = await startRedrive(queue, { filters: applied.filters, ...(action === 'dry-run' ? { dryRun: true } : {}) });
        setJobId(started.jobId);
      } else if (action === 'purge') {
        setPurged(await post<PurgeResult>(`/api/dlqs/${encodeURIComponent(queue)}/purge`, { confirm: typed, filters: applied.filters }));
        void peek.reload();
        onChange();
      }
    } catch (caught) {
      setError(caught as Error);
    }
  };

  return (
    <Section title={`Messages in ${queue}`} id="dlq-messages">
      <form
        class="filters"
        aria-label="Select messages"
        onSubmit={(event) => {
          event.preventDefault();
          setApplied({ filters: filterText.split(/\n|,\s*(?=\w+=)/).map((line) => line.trim()).filter(Boolean), max });
        }}
      >
        <label>
          Filters (key=value, one per line; * matches any text)
          <textarea rows={2} cols={36} value={filterText} placeholder="errorClass=permanent" onInput={(event) => setFilterText((event.target as HTMLTextAreaElement).value)} />
        </label>
        <label>
          At most
          <input type="number" min={1} value={max} size={5} onInput={(event) => setMax((event.target as HTMLInputElement).value)} />
        </label>
        <button type="submit">Apply</button>
      </form>
      <div class="actions" aria-label="Actions on this DLQ">
        <button type="button" class="primary" disabled={count === 0 || job?.state === 'running'} onClick={() => setPending('redrive')}>
          Redrive{filtersLabel ? ' matching' : ' all'}
        </button>
        <button type="button" disabled={count === 0 || job?.state === 'running'} onClick={() => setPending('dry-run')}>
          Dry run
        </button>
        <a class="button" href={`/api/dlqs/${encodeURIComponent(queue)}/export${query({ filter: applied.filters, max: applied.max })}`} download>
          Export (JSON Lines)
        </a>
        <button type="button" class="danger" disabled={count === 0} onClick={() => setPending('purge')}>
          Purge…
        </button>
      </div>
      <ErrorNote error={error ?? peek.error} />
      <RedriveStatus job={job} />
      {purged ? <p role="status">Deleted {purged.deleted} message(s) from {queue}.</p> : null}
      <Loading loading={peek.loading} />
      {peek.value ? (
        peek.value.messages.length === 0 ? (
          <p data-testid="no-messages">No {applied.filters.length ? 'matching ' : ''}messages in {peek.value.queue}.</p>
        ) : (
          <table data-testid="dlq-messages">
            <thead>
              <tr>
                <th scope="col">Message</th>
                <th scope="col">Error</th>
                <th scope="col" class="num">Attempts</th>
                <th scope="col">Failed</th>
                <th scope="col">Payload</th>
              </tr>
            </thead>
            <tbody>
              {peek.value.messages.map((message) => (
                <tr>
                  <td>
                    <code>{message.messageId}</code>
                    {message.correlationId ? (
                      <div>
                        <a href={traceHref(message.correlationId)}>trace {message.correlationId}</a>
                      </div>
                    ) : null}
                  </td>
                  <td>
                    <span class="tag tag-failed">{message.errorClass}</span> {message.errorMessage}
                  </td>
                  <td class="num">{message.attempts ?? '-'}</td>
                  <td>{formatTime(message.lastFailureAt ?? message.sentAt)}</td>
                  <td>
                    <code class="payload">{message.summary}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )
      ) : null}
      <ConfirmDialog
        open={pending !== undefined}
        title={pending === 'purge' ? `Purge ${queue}?` : pending === 'dry-run' ? 'Dry run of a redrive' : `Redrive ${queue}?`}
        confirmLabel={pending === 'purge' ? 'Delete messages' : pending === 'dry-run' ? 'Show what would move' : 'Redrive'}
        danger={pending === 'purge'}
        typed={pending === 'purge' ? queue : undefined}
        onConfirm={(typed) => void act(typed)}
        onCancel={() => setPending(undefined)}
      >
        {pending === 'purge' ? (
          <p>
            Delete the {count} message(s){filtersLabel} shown from {queue}. They are not exported first: export them before if you may need them. This cannot be undone.
          </p>
        ) : (
          <p>
            Move the messages{filtersLabel} from {queue} back to {peek.value?.sourceQueue ?? 'their source queue'}. Only messages already in the DLQ move, each once: one that fails again comes back and is
            not moved again.
          </p>
        )}
      </ConfirmDialog>
    </Section>
  );
};
