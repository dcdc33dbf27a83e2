import { NotFoundError, WorkflowNotParkedError } from '../../../../functions/core/errors';
import type { WorkflowException, WorkflowSummary } from '../../../../functions/core/ports/workflow-tasks';
import { decideParked } from '../../../../functions/core/workflows/decide-parked';

const exception: WorkflowException = { step: 'Create return authorization', error: 'Erp.Permanent', cause: '400 Bad Request' };

const summary = (workflowId: string, state: WorkflowSummary['state']): WorkflowSummary => ({
  workflowId,
  workflow: 'refund-or-replacement',
  caseId: '4711',
  orderId: 'SO-1001',
  state,
  milestone: state === 'resolved' ? 'resolved' : 'exception',
  startedAt: '2026-11-28T10:00:00.000Z',
  updatedAt: '2026-11-28T10:05:00.000Z',
  erpDocuments: [],
});

/** Parked tokens and workflows in memory; answered tokens are recorded in order. */
const world = (parked: Record<string, string>, workflows: Record<string, WorkflowSummary['state']> = {}) => {
  const tokens = new Map(Object.entries(parked));
  const answered: Array<{ taskToken: string; output: unknown }> = [];
  const deps = {
    waits: {
      parked: async (workflowId: string) => {
        const taskToken = tokens.get(workflowId);
        return taskToken ? { taskToken, exception, parkedAt: '2026-11-28T10:05:00.000Z' } : undefined;
      },
      clearParked: async (workflowId: string) => void tokens.delete(workflowId),
    },
    callbacks: { succeed: async (taskToken: string, output: unknown) => void answered.push({ taskToken, output }) },
    store: { get: async (workflowId: string) => (workflows[workflowId] ? { summary: summary(workflowId, workflows[workflowId]!), history: [] } : undefined) },
  };
  return { deps, tokens, answered };
};

describe('a person decides on a parked workflow', () => {
  it('answers the parked token with the decision and forgets the token', async () => {
    // Prepare
    const { deps, tokens, answered } = world({ 'rr-1': 'token-1' });
    // Act
    const taken = await decideParked(deps, 'rr-1', 'retry');
    // Assess
    expect(answered).toEqual([{ taskToken: 'token-1', output: { action: 'retry' } }]);
    expect(tokens.has('rr-1')).toBe(false);
    expect(taken).toEqual({ workflowId: 'rr-1', action: 'retry', exception, parkedAt: '2026-11-28T10:05:00.000Z' });
  });

  it('passes abandon on as the action the definition reads', async () => {
    // Prepare
    const { deps, answered } = world({ 'rr-2': 'token-2' });
    // Act
    await decideParked(deps, 'rr-2', 'abandon');
    // Assess
    expect(answered).toEqual([{ taskToken: 'token-2', output: { action: 'abandon' } }]);
  });

  it('refuses a workflow that is not parked, saying where it stands, and answers nothing', async () => {
    // Prepare
    const { deps, answered } = world({}, { 'rr-3': 'resolved' });
    // Act
    const decision = decideParked(deps, 'rr-3', 'retry');
    // Assess
    await expect(decision).rejects.toThrow(WorkflowNotParkedError);
    await expect(decision).rejects.toThrow(/state resolved/);
    expect(answered).toEqual([]);
  });

  it('refuses a second decision once the first was taken', async () => {
    // Prepare
    const { deps, answered } = world({ 'rr-4': 'token-4' }, { 'rr-4': 'exception' });
    await decideParked(deps, 'rr-4', 'retry');
    // Act
    const again = decideParked(deps, 'rr-4', 'abandon');
    // Assess
    await expect(again).rejects.toBeInstanceOf(WorkflowNotParkedError);
    expect(answered).toHaveLength(1);
  });

  it('reports an unknown workflow as not found', async () => {
    // Prepare
    const { deps } = world({});
    // Act
    const decision = decideParked(deps, 'rr-unknown', 'abandon');
    // Assess
    await expect(decision).rejects.toBeInstanceOf(NotFoundError);
  });
});
