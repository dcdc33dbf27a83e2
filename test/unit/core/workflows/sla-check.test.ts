import { CanonicalEvents, type CanonicalEvent } from '../../../../functions/core/canonical/events';
import type { WorkflowSummary } from '../../../../functions/core/ports/workflow-tasks';
import { makeSlaCheck } from '../../../../functions/core/workflows/sla-check';

const NOW = new Date('2026-11-28T12:00:00Z');

const summary = (workflowId: string, state: WorkflowSummary['state'], extra: Partial<WorkflowSummary> = {}): WorkflowSummary => ({
  workflowId,
  workflow: 'refund-or-replacement',
  caseId: '4711',
  orderId: 'SO-1',
  state,
  milestone: state === 'waiting-for-return' ? 'awaiting-return' : 'return-authorized',
  startedAt: '2026-11-20T12:00:00Z',
  updatedAt: '2026-11-21T12:00:00Z',
  erpDocuments: [],
  ...extra,
});

/** A store of summaries by state, paged two at a time, that records which workflows were marked. */
const world = (workflows: WorkflowSummary[], options: { publishFails?: boolean } = {}) => {
  const marked = new Set<string>(workflows.filter((workflow) => workflow.slaBreachedAt).map((workflow) => workflow.workflowId));
  const published: CanonicalEvent[] = [];
  const check = makeSlaCheck({
    store: {
      async listByState(state, limit, cursor) {
        const all = workflows.filter((workflow) => workflow.state === state);
        const start = Number(cursor ?? 0);
        const size = Math.min(limit, 2);
        // As stored: a workflow marked earlier carries slaBreachedAt.
        const stored = all.slice(start, start + size).map((workflow) => (marked.has(workflow.workflowId) ? { slaBreachedAt: '2026-11-28T11:00:00Z', ...workflow } : workflow));
        return { workflows: stored, ...(start + size < all.length ? { nextCursor: String(start + size) } : {}) };
      },
      async markSlaBreached(workflowId) {
        if (marked.has(workflowId)) return 'already';
        marked.add(workflowId);
        return 'marked';
      },
    },
    publisher: {
      async publish(events) {
        if (options.publishFails) throw new Error('bus unavailable');
        published.push(...events);
      },
    },
    clock: { now: () => NOW },
  });
  return { check, published, marked };
};

describe('SLA check', () => {
  const overdue = summary('rr-late', 'running', { slaDueAt: '2026-11-27T12:00:00Z' });

  it('counts the open workflows per state across pages', async () => {
    // Prepare
    const { check } = world([
      ...['a', 'b', 'c'].map((id) => summary(`rr-${id}`, 'running')),
      summary('rr-d', 'waiting-for-return'),
      summary('rr-e', 'exception'),
      summary('rr-f', 'resolved'),
    ]);
    // Act
    const result = await check();
    // Assess
    expect(result.open).toEqual({ running: 3, 'waiting-for-return': 1, exception: 1 });
  });

  it('publishes workflow.sla.breached once for a workflow past its due time, as the catalogue describes it', async () => {
    // Prepare
    const { check, published } = world([overdue, summary('rr-on-time', 'running', { slaDueAt: '2026-11-29T12:00:00Z' }), summary('rr-no-sla', 'running')]);
    // Act
    const first = await check();
    const second = await check();
    // Assess
    expect(first.newlyBreached).toEqual(['rr-late']);
    expect(second.newlyBreached).toEqual([]);
    expect(published).toHaveLength(1);
    expect(published[0]!.detailType).toBe('workflow.sla.breached');
    expect(CanonicalEvents['workflow.sla.breached'].parse(published[0]!.detail).data).toMatchObject({
      workflowId: 'rr-late',
      state: 'running',
      actor: 'system',
      slaDueAt: '2026-11-27T12:00:00Z',
      cause: 'SLA breached: due 2026-11-27T12:00:00Z, still running at "return-authorized" 24 h later.',
    });
  });

  it('never reports a workflow marked before', async () => {
    // Prepare
    const { check, published } = world([{ ...overdue, slaBreachedAt: '2026-11-27T13:00:00Z' }]);
    // Act
    const result = await check();
    // Assess
    expect(result.newlyBreached).toEqual([]);
    expect(published).toEqual([]);
  });

  it('publishes before it marks: a failed publish leaves the workflow for the next check', async () => {
    // Prepare
    const { check, marked } = world([overdue], { publishFails: true });
    // Act
    const attempt = check();
    // Assess
    await expect(attempt).rejects.toThrow('bus unavailable');
    expect(marked.has('rr-late')).toBe(false);
  });

  it('gives the breach of a workflow the same event id on every run that reports it', async () => {
    // Prepare
    const first = world([overdue]);
    const second = world([overdue]);
    // Act
    await first.check();
    await second.check();
    // Assess
    expect(first.published[0]!.detail.eventId).toBe(second.published[0]!.detail.eventId);
  });
});
