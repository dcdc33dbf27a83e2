import { useState } from 'preact/hooks';
import { get, post } from '../api';
import { ConfirmDialog, ErrorNote, Loading, Section, useResource } from '../components';
import { formatTime, traceHref } from '../format';
import { RedriveStatus, startRedrive, useJob } from '../redrive';
import type { AuditLine, ReconcileOutcome, Trace, TraceStep, WorkflowSummary } from '../types';

type Pending =
  | { kind: 'redrive'; step: TraceStep; queue: string }
  | { kind: 'workflow'; workflow: WorkflowSummary; action: 'retry' | 'abandon' }
  | { kind: 'reconcile'; since: string };

/** One order's, delivery's or event's journey, the step where it is stuck, and the actions that apply. */
const TRACE_KIND_LABEL = { order: 'Order', delivery: 'Delivery', event: 'Event', workflow: 'Workflow', case: 'Case' } as const;

export const TracePage = ({ id }: { id?: string }) => {
  const [draft, setDraft] = useState(id ?? '');
  return (
    <>
      <h1>Trace</h1>
      <form
        class="filters"
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
          if (draft.trim()) window.location.hash = traceHref(draft.trim());
        }}
      >
        <label>
          Order, delivery (correlation), event, workflow or case id
          <input name="trace-id" value={draft} onInput={(event) => setDraft((event.target as HTMLInputElement).value)} size={36} required />
        </label>
        <button type="submit" class="primary">
          Trace
        </button>
      </form>
      {id ? <TraceView key={id} id={id} /> : <p class="muted">Enter an id, or follow a link from the Overview or Delayed page.</p>}
    </>
  );
};

const TraceView = ({ id }: { id: string }) => {
  const trace = useResource(() => get<Trace & { audit?: AuditLine[] }>(`/api/trace/${encodeURIComponent(id)}`), [id]);
  const workflows = useResource(() => get<WorkflowSummary[]>('/api/workflows?state=exception&state=running&state=waiting-for-return'), [id]);
  const [pending, setPending] = useState<Pending>();
  const [message, setMessage] = useState<string>();
  const [error, setError] = useState<Error>();
  const [jobId, setJobId] = useState<string>();
  const job = useJob(jobId, () => void trace.reload());
  const value = trace.value;
  const ownWorkflows = (workflows.value ?? []).filter((workflow) => value?.orderIds.includes(workflow.orderId) || workflow.workflowId === id);

  const act = async () => {
    const action = pending;
    setPending(undefined);
    setError(undefined);
    setMessage(undefined);
    try {
      if (action?.kind === 'redrive') {
        const started = await startRedrive(action.queue, { filters: [`messageId=${action.step.messageId}`] });
        setJobId(started.jobId);
      } else if (action?.kind === 'workflow') {
        const taken = await post<{ step: string; error: string }>(`/api/workflows/${encodeURIComponent(action.workflow.workflowId)}/${action.action}`);
        setMessage(`Workflow ${action.workflow.workflowId}: ${action.action === 'retry' ? 'retrying' : 'abandoned after'} "${taken.step}" (${taken.error}).`);
        void workflows.reload();
        void trace.reload();
      } else if (action?.kind === 'reconcile') {
        const outcome = await post<ReconcileOutcome>('/api/reconciliations', { since: action.since, repair: true });
        setMessage(`Reconciliation ${outcome.runId} requested.`);
        window.location.hash = `#/reconciliation/${encodeURIComponent(outcome.runId)}`;
      }
    } catch (caught) {
      setError(caught as Error);
    }
  };

  if (!value) return <>{trace.loading ? <Loading loading /> : <ErrorNote error={trace.error} />}</>;
  const stuck = value.stuckAt !== undefined ? value.steps[value.stuckAt] : undefined;
  const firstAt = value.steps.map((step) => step.at).filter((at): at is string => Boolean(at)).sort()[0];
  const reconcileSince = new Date(Date.parse(firstAt ?? new Date().toISOString()) - 5 * 60_000).toISOString();
  return (
    <>
      <Section title={`${TRACE_KIND_LABEL[value.kind]} ${value.id}${value.kind === 'workflow' || value.kind === 'case' ? ` (order${value.orderIds.length === 1 ? '' : 's'} ${value.orderIds.join(', ')})` : ''}`} id="trace-title">
        <p>
          {value.orderIds.length ? `Order${value.orderIds.length > 1 ? 's' : ''} ${value.orderIds.join(', ')}. ` : ''}
          <strong>Verdict:</strong> <span data-testid="verdict">{value.verdict}</span>
        </p>
        {value.notes.map((note) => (
          <p class="muted">Note: {note}</p>
        ))}
        <div class="actions" aria-label="Actions">
          {stuck?.messageId && stuck.system.endsWith('-dlq') ? (
            <button type="button" class="primary" onClick={() => setPending({ kind: 'redrive', step: stuck, queue: stuck.system })}>
              Redrive this message
            </button>
          ) : null}
          {ownWorkflows
            .filter((workflow) => workflow.state === 'exception')
            .flatMap((workflow) => [
              <button type="button" class="primary" onClick={() => setPending({ kind: 'workflow', workflow, action: 'retry' })}>
                Retry workflow {workflow.workflowId}
              </button>,
              <button type="button" class="danger" onClick={() => setPending({ kind: 'workflow', workflow, action: 'abandon' })}>
                Abandon workflow {workflow.workflowId}
              </button>,
            ])}
          {value.orderIds.length ? (
            <button type="button" onClick={() => setPending({ kind: 'reconcile', since: reconcileSince })}>
              Reconcile {value.orderIds.length > 1 ? 'these orders' : 'this order'}
            </button>
          ) : null}
        </div>
        <ErrorNote error={error} />
        {message ? <p role="status">{message}</p> : null}
        <RedriveStatus job={job} />
      </Section>
      <Section title="Journey">
        <ol class="timeline" data-testid="timeline">
          {value.steps.map((step, index) => (
            <li class={`step step-${step.status}${index === value.stuckAt ? ' stuck' : ''}`} aria-current={index === value.stuckAt ? 'step' : undefined} data-testid={index === value.stuckAt ? 'stuck-step' : undefined}>
              <div class="step-head">
                <span class="step-name">{step.step}</span> <span class="muted">{step.system}</span> <span class={`tag tag-${step.status}`}>{step.outcome}</span>
                {index === value.stuckAt ? <strong class="stuck-label"> Stuck here</strong> : null}
              </div>
              <div class="muted">{step.at ? formatTime(step.at) : 'not yet'}</div>
              <div class="detail">{step.orderId && value.orderIds.length > 1 ? `${step.orderId}: ` : ''}{step.detail}</div>
            </li>
          ))}
        </ol>
      </Section>
      {value.audit ? (
        <Section title="Audit">
          {value.audit.length === 0 ? (
            <p class="muted">No operator action on this entity yet.</p>
          ) : (
            <ul>
              {value.audit.map((line) => (
                <li>
                  {formatTime(line.at)}: {line.who} {line.action} {line.target} ({line.outcome})
                </li>
              ))}
            </ul>
          )}
        </Section>
      ) : null}
      <ConfirmDialog
        open={pending !== undefined}
        title={pending?.kind === 'redrive' ? 'Redrive this message?' : pending?.kind === 'workflow' ? `${pending.action === 'retry' ? 'Retry' : 'Abandon'} this workflow?` : 'Start a reconciliation?'}
        confirmLabel={pending?.kind === 'redrive' ? 'Redrive' : pending?.kind === 'workflow' ? (pending.action === 'retry' ? 'Retry' : 'Abandon') : 'Reconcile'}
        danger={pending?.kind === 'workflow' && pending.action === 'abandon'}
        onConfirm={() => void act()}
        onCancel={() => setPending(undefined)}
      >
        {pending?.kind === 'redrive' ? (
          <p>
            Move message {pending.step.messageId} from {pending.queue} back to its source queue. A message that fails again comes back to the DLQ and is not moved again.
          </p>
        ) : pending?.kind === 'workflow' ? (
          <p>
            {pending.action === 'retry' ? 'Run the failed step of' : 'End, as abandoned (the case is told),'} workflow {pending.workflow.workflowId} for case {pending.workflow.caseId}, order {pending.workflow.orderId}.
          </p>
        ) : pending?.kind === 'reconcile' ? (
          <p>Compare every order the ERP changed since {formatTime(pending.since)} with the sync state and the service desk, and repair drift.</p>
        ) : null}
      </ConfirmDialog>
    </>
  );
};
