import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { makeDynamoDbWorkflowStore, WORKFLOWS_BY_STATE_INDEX } from '../../../functions/adapters/workflow-store';
import type { WorkflowTransition } from '../../../functions/core/canonical/workflow';
import { ValidationError } from '../../../functions/core/errors';
import { createTable, uniqueStage, useEmulator } from '../../support/emulator';

const transition = (workflowId: string, milestone: WorkflowTransition['milestone'], state: WorkflowTransition['state'], occurredAt: string, extra: Partial<WorkflowTransition> = {}): WorkflowTransition => ({
  workflowId,
  workflow: 'refund-or-replacement',
  caseId: '4711',
  orderId: 'SO-1001',
  milestone,
  state,
  actor: 'system',
  cause: `${milestone} happened`,
  occurredAt,
  ...extra,
});

describe('DynamoDB workflow store', () => {
  let dynamodb: DynamoDBClient;
  let store: ReturnType<typeof makeDynamoDbWorkflowStore>;

  beforeAll(async () => {
    // Prepare
    useEmulator();
    dynamodb = new DynamoDBClient({});
    const tableName = `retail-sync-${uniqueStage('workflows')}-workflows`;
    await createTable(dynamodb, tableName, { partitionKey: 'pk', sortKey: 'sk', indexes: [{ name: WORKFLOWS_BY_STATE_INDEX, partitionKey: 'stateKey', sortKey: 'updatedAt' }] });
    store = makeDynamoDbWorkflowStore(dynamodb, tableName);
  });

  afterAll(() => dynamodb.destroy());

  it('records a redelivered transition once', async () => {
    // Act
    const first = await store.recordTransition(transition('rr-once', 'received', 'running', '2026-11-28T10:00:00Z'), '2026-11-28T09:59:59Z');
    const again = await store.recordTransition(transition('rr-once', 'received', 'running', '2026-11-28T10:00:07Z'), '2026-11-28T09:59:59Z');
    // Assess
    expect([first, again]).toEqual(['recorded', 'duplicate']);
    expect((await store.get('rr-once'))!.history).toHaveLength(1);
  });

  it('keeps the history in workflow order and sums up where the workflow stands', async () => {
    // Prepare
    const steps: Array<[WorkflowTransition, string]> = [
      [transition('rr-flow', 'received', 'running', '2026-11-28T10:00:00Z', { actor: 'agent' }), '2026-11-28T10:00:00Z'],
      [transition('rr-flow', 'return-authorized', 'running', '2026-11-28T10:01:00Z', { actor: 'erp', erpDocument: { type: 'return-authorization', reference: 'RMA-7' } }), '2026-11-28T10:00:58Z'],
      [transition('rr-flow', 'refund-issued', 'running', '2026-11-28T10:02:00Z', { actor: 'erp', resolution: 'refund', erpDocument: { type: 'refund', reference: 'RF-9' } }), '2026-11-28T10:01:59Z'],
      [transition('rr-flow', 'resolved', 'resolved', '2026-11-28T10:03:00Z'), '2026-11-28T10:02:59Z'],
    ];
    // Act
    for (const [step, enteredAt] of steps) await store.recordTransition(step, enteredAt);
    const workflow = await store.get('rr-flow');
    // Assess
    expect(workflow!.history.map((entry) => [entry.milestone, entry.actor])).toEqual([['received', 'agent'], ['return-authorized', 'erp'], ['refund-issued', 'erp'], ['resolved', 'system']]);
    expect(workflow!.summary).toMatchObject({
      workflowId: 'rr-flow',
      state: 'resolved',
      milestone: 'resolved',
      startedAt: '2026-11-28T10:00:00Z',
      updatedAt: '2026-11-28T10:03:00Z',
      resolution: 'refund',
      erpDocuments: [{ type: 'return-authorization', reference: 'RMA-7' }, { type: 'refund', reference: 'RF-9' }],
    });
  });

  it('lists the workflows in a state, the longest unchanged first, a page at a time', async () => {
    // Prepare
    const exception = { step: 'Issue refund', error: 'Erp.Permanent' };
    await store.recordTransition(transition('rr-late', 'exception', 'exception', '2026-11-28T09:00:00Z', { exception }), '2026-11-28T09:00:00Z');
    await store.recordTransition(transition('rr-early', 'exception', 'exception', '2026-11-28T08:00:00Z', { exception }), '2026-11-28T08:00:00Z');
    // Act
    const first = await store.listByState('exception', 1);
    const second = await store.listByState('exception', 1, first.nextCursor);
    // Assess
    expect(first.workflows.map((workflow) => workflow.workflowId)).toEqual(['rr-early']);
    expect(second.workflows.map((workflow) => workflow.workflowId)).toEqual(['rr-late']);
    expect(first.workflows[0]!.exception).toEqual(exception);
    await expect(store.listByState('running', 1, first.nextCursor)).rejects.toThrow(ValidationError);
  });

  it('keeps the token a workflow waits with until it is cleared', async () => {
    // Act
    await store.awaitReturn('RMA-7', 'token-return', 'rr-flow');
    await store.park('rr-flow', 'token-parked', { step: 'Issue refund', error: 'Erp.Permanent' });
    const waiting = [await store.returnWait('RMA-7'), (await store.parked('rr-flow'))?.taskToken];
    await store.clearReturnWait('RMA-7');
    await store.clearParked('rr-flow');
    // Assess
    expect(waiting).toEqual([{ taskToken: 'token-return', workflowId: 'rr-flow' }, 'token-parked']);
    expect([await store.returnWait('RMA-7'), await store.parked('rr-flow')]).toEqual([undefined, undefined]);
  });

  it('keeps the SLA due time in the summary, and marks a breach once', async () => {
    // Prepare
    await store.recordTransition(transition('rr-sla', 'received', 'running', '2026-11-28T10:00:00Z'), '2026-11-28T10:00:00Z');
    await store.recordTransition(transition('rr-sla', 'eligibility-confirmed', 'running', '2026-11-28T10:00:01Z', { slaDueAt: '2026-12-01T10:00:00Z' }), '2026-11-28T10:00:01Z');
    // Act
    const marks = [await store.markSlaBreached('rr-sla', '2026-12-01T10:15:00Z'), await store.markSlaBreached('rr-sla', '2026-12-01T10:30:00Z'), await store.markSlaBreached('rr-never', '2026-12-01T10:30:00Z')];
    const listed = (await store.listByState('running', 100)).workflows.find((workflow) => workflow.workflowId === 'rr-sla');
    // Assess
    expect(marks).toEqual(['marked', 'already', 'already']);
    expect((await store.get('rr-sla'))!.summary).toMatchObject({ slaDueAt: '2026-12-01T10:00:00Z', slaBreachedAt: '2026-12-01T10:15:00Z' });
    expect(listed).toMatchObject({ slaDueAt: '2026-12-01T10:00:00Z', slaBreachedAt: '2026-12-01T10:15:00Z' });
    expect(await store.get('rr-never')).toBeUndefined();
  });

  it("keeps a return's receipt for a workflow that waits for it later", async () => {
    // Act
    const before = await store.receipt('ERP-EARLY');
    await store.recordReceipt('ERP-EARLY', '2026-11-28T10:00:00Z');
    // Assess
    expect(before).toBeUndefined();
    expect(await store.receipt('ERP-EARLY')).toEqual({ receivedAt: '2026-11-28T10:00:00Z' });
  });

  it('knows nothing of a workflow never recorded', async () => {
    // Act
    const workflow = await store.get('rr-unknown');
    // Assess
    expect(workflow).toBeUndefined();
  });
});
