import type { WorkflowHistoryEntry, WorkflowSummary } from '../../../../functions/core/ports/workflow-tasks';
import { makeWorkflowStatus } from '../../../../functions/core/workflows/workflow-status';

const summary: WorkflowSummary = {
  workflowId: 'rr-4711-SO-1-abc',
  workflow: 'refund-or-replacement',
  caseId: '4711',
  orderId: 'SO-1',
  state: 'resolved',
  milestone: 'resolved',
  startedAt: '2026-11-28T10:00:00Z',
  updatedAt: '2026-11-28T10:00:05Z',
  erpDocuments: [{ type: 'return-authorization', reference: 'ERP-1' }],
};
const history: WorkflowHistoryEntry[] = [{ at: '2026-11-28T10:00:00Z', milestone: 'received', state: 'running', actor: 'agent', cause: 'Request received.' }];
const status = makeWorkflowStatus({ store: { get: async (id) => (id === summary.workflowId ? { summary, history } : undefined) } });

describe('GET /v1/workflows/{workflowId}', () => {
  it('answers the summary with its history', async () => {
    // Act
    const response = await status(summary.workflowId, `/v1/workflows/${summary.workflowId}`);
    // Assess
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ ...summary, history });
  });

  it('answers 404 problem+json for a workflow it does not know', async () => {
    // Act
    const response = await status('rr-unknown', '/v1/workflows/rr-unknown');
    // Assess
    expect(response.statusCode).toBe(404);
    expect(response.headers?.['content-type']).toBe('application/problem+json');
    expect(JSON.parse(response.body)).toMatchObject({ status: 404, instance: '/v1/workflows/rr-unknown', detail: expect.stringContaining('No workflow rr-unknown') });
  });

  it.each([['a character outside the execution-name alphabet', 'rr-4711/x'], ['more than 80 characters', 'r'.repeat(81)], ['nothing', undefined]])(
    'answers 400 for an id with %s',
    async (_name, id) => {
      // Act
      const response = await status(id, '/v1/workflows/x');
      // Assess
      expect(response.statusCode).toBe(400);
    },
  );
});
