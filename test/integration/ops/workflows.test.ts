import { loadResolutionPolicies } from '../../../lib/resolution-policies';
import { resourceNames, TABLES } from '../../../lib/topology';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DEFAULT_FIELD_IDS, makeZendeskCaseMilestones } from '../../../functions/adapters/service-desk-zendesk';
import { makeStepFunctionsCallbacks } from '../../../functions/adapters/step-functions-callbacks';
import { makeDynamoDbWorkflowStore, WORKFLOWS_BY_STATE_INDEX } from '../../../functions/adapters/workflow-store';
import type { OrderForResolution } from '../../../functions/core/workflows/resolution-policy';
import { makeWorkflowSteps, WorkflowStepMessage } from '../../../functions/core/workflows/workflow-steps';
import { startServiceDeskSimulator, type ServiceDeskSimulator } from '../../../local/simulators/service-desk';
import { run } from '../../../ops/cli';
import { workflowsTableOf } from '../../../ops/workflows';
import { createTable, eventually, useEmulator } from '../../support/emulator';
import { provisionWorkflowFixture } from '../../support/workflows';

/**
 * `ops workflows` against the emulator: the real refund-or-replacement definition runs until a failed ERP
 * step parks it; the workflow-steps core records into the real DynamoDB workflow store and posts the
 * milestones on a simulated Zendesk case; the CLI then lists, shows and decides.
 */

// The policies a stage deploys, loaded and validated as synthesis does.
const policies = loadResolutionPolicies();

const order: OrderForResolution = {
  orderId: 'SO-1001',
  status: 'delivered',
  region: 'DE',
  currency: 'EUR',
  deliveredAt: new Date(Date.now() - 3 * 86_400_000).toISOString(),
  lines: [{ lineId: '10000', sku: 'MUG-BLUE', quantity: 1, shippedQuantity: 1, resolvedQuantity: 0, unitPrice: '12.50' }],
};

describe('ops workflows against the emulator', () => {
  let endpoint: string;
  let sqs: SQSClient;
  let sfn: SFNClient;
  let dynamodb: DynamoDBClient;
  let desk: ServiceDeskSimulator;
  let stage: string;
  let stepsQueueUrl: string;
  let erpQueueUrl: string;
  let stateMachineArn: string;
  let store: ReturnType<typeof makeDynamoDbWorkflowStore>;

  const cli = async (...args: string[]) => {
    const [out, err]: string[][] = [[], []];
    const code = await run([...args, '--stage', stage, '--endpoint', endpoint], { stdout: (text) => out.push(text), stderr: (text) => err.push(text), progress: false });
    return { code, stdout: out.join(''), stderr: err.join('') };
  };

  beforeAll(async () => {
    endpoint = useEmulator();
    sqs = new SQSClient({});
    sfn = new SFNClient({});
    dynamodb = new DynamoDBClient({});
    desk = await startServiceDeskSimulator();
    let prefix: string;
    ({ prefix, stepsQueueUrl, erpQueueUrl, stateMachineArn } = await provisionWorkflowFixture(endpoint, sqs, sfn, 'opswf'));
    stage = prefix.replace(/^retail-sync-/, '');
    await createTable(dynamodb, workflowsTableOf(stage), { partitionKey: 'pk', sortKey: 'sk', indexes: [{ name: WORKFLOWS_BY_STATE_INDEX, partitionKey: 'stateKey', sortKey: 'updatedAt' }] });
    // Where retry and abandon write their audit lines.
    await createTable(dynamodb, resourceNames(stage).table('audit'), { partitionKey: TABLES.audit.partitionKey, sortKey: TABLES.audit.sortKey });
    store = makeDynamoDbWorkflowStore(dynamodb, workflowsTableOf(stage));
  });

  afterAll(async () => {
    sqs.destroy();
    sfn.destroy();
    dynamodb.destroy();
    await desk.close();
  });

  /**
   * Starts a workflow whose first ERP write fails for good and pumps it until it is parked; `pumpToEnd`
   * then keeps answering its tasks (the ERP succeeds from then on) until the execution ends.
   */
  const startParkedWorkflow = async () => {
    const created = await fetch(`${desk.url}/api/v2/tickets.json`, { method: 'POST', body: JSON.stringify({ ticket: { subject: 'Broken mug', custom_fields: [{ id: DEFAULT_FIELD_IDS.orderId, value: order.orderId }] } }) });
    const caseId = String(((await created.json()) as { ticket: { id: number } }).ticket.id);
    const callbacks = makeStepFunctionsCallbacks(sfn);
    const workflowSteps = makeWorkflowSteps({
      callbacks,
      erp: { orderForResolution: async () => order, availableStock: async () => 10 },
      milestones: makeZendeskCaseMilestones({ baseUrl: desk.url, fieldIds: DEFAULT_FIELD_IDS }),
      publisher: { publish: async () => undefined },
      waits: store,
      store,
      policies,
      clock: { now: () => new Date() },
    });
    let failNextErpWrite = true;
    const pump = async (queueUrl: string, handle: (body: unknown) => Promise<void>) => {
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
      for (const message of Messages) {
        await handle(JSON.parse(message.Body!));
        await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle! }));
      }
    };
    const pumpOnce = async () => {
      await pump(stepsQueueUrl, (body) => workflowSteps(WorkflowStepMessage.parse(body)));
      await pump(erpQueueUrl, async (body) => {
        const command = body as { commandId: string; type: string; taskToken: string };
        if (failNextErpWrite) {
          failNextErpWrite = false;
          return callbacks.fail(command.taskToken, 'Erp.Permanent', '400 Bad Request: customer blocked');
        }
        return callbacks.succeed(command.taskToken, { erpReference: `${command.type}:${command.commandId}` });
      });
    };

    const workflowId = `rr-${Math.random().toString(36).slice(2)}`;
    const input = { workflowId, request: { caseId, orderId: order.orderId, correlationId: 'corr-1', requestedBy: 'agent:7', requestedAt: new Date().toISOString(), lines: [{ lineId: '10000', quantity: 1, reason: 'damaged' }], preferred: 'refund' } };
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, name: workflowId, input: JSON.stringify(input) }));
    await eventually(async () => (await pumpOnce(), store.parked(workflowId)), (parked) => parked !== undefined, 20_000, 50);
    const pumpToEnd = () =>
      eventually(async () => (await pumpOnce(), sfn.send(new DescribeExecutionCommand({ executionArn }))), (execution) => execution.status !== 'RUNNING', 20_000, 50);
    return { workflowId, caseId, executionArn, pumpToEnd };
  };

  describe('with a parked workflow', () => {
    let parked: Awaited<ReturnType<typeof startParkedWorkflow>>;
    beforeAll(async () => {
      parked = await startParkedWorkflow();
    });

    it('lists it among the exceptions', async () => {
      // Act
      const listed = await cli('ops', 'workflows', 'list', '--state', 'exception');
      // Assess
      expect(listed).toMatchObject({ code: 0, stderr: '' });
      const [header, ...rows] = listed.stdout.trim().split('\n');
      expect(header!.split(/\s+/)).toEqual(['WORKFLOW', 'CASE', 'ORDER', 'STATE', 'MILESTONE', 'AGE']);
      expect(rows.map((row) => row.split(/\s+/).slice(0, 5))).toContainEqual([parked.workflowId, parked.caseId, 'SO-1001', 'exception', 'exception']);
    });

    it('does not list it under another state', async () => {
      // Act
      const listed = await cli('ops', 'workflows', 'list', '--state', 'resolved');
      // Assess
      expect(listed.code).toBe(0);
      expect(listed.stdout).not.toContain(parked.workflowId);
    });

    it('shows its history oldest first and the exception it is parked with', async () => {
      // Act
      const shown = await cli('ops', 'workflows', 'show', parked.workflowId);
      // Assess
      expect(shown.code).toBe(0);
      expect(shown.stdout).toContain(`Workflow ${parked.workflowId} (refund-or-replacement) for case ${parked.caseId}, order SO-1001`);
      // The emulator hands the definition no Cause for a failed task token, so only the step and the error show here.
      expect(shown.stdout).toMatch(/\nParked since \S+: "Create return authorization" failed \(Erp\.Permanent\)/);
      expect(shown.stdout).toContain(`Decide with: retail-sync ops workflows retry ${parked.workflowId}`);
      const history = shown.stdout.split('History (oldest first):\n')[1]!.trim().split('\n').slice(1);
      expect(history.map((row) => row.split(/\s+/).slice(1, 4))).toEqual([
        ['agent', 'received', 'running'],
        ['erp', 'eligibility-confirmed', 'running'],
        ['system', 'exception', 'exception'],
      ]);
    });
  });

  it('retries a parked workflow: the failed step runs again and the workflow completes', async () => {
    // Prepare
    const parked = await startParkedWorkflow();

    // Act
    const decided = await cli('ops', 'workflows', 'retry', parked.workflowId);

    // Assess
    expect(decided).toEqual({ code: 0, stdout: `Workflow ${parked.workflowId}: retrying "Create return authorization" (Erp.Permanent)\n`, stderr: '' });
    expect(await store.parked(parked.workflowId)).toBeUndefined();
    expect((await parked.pumpToEnd()).status).toBe('SUCCEEDED');
    const shown = (await (await fetch(`${desk.url}/_sim/tickets/${parked.caseId}/comments`)).json()) as { status: string; comments: Array<{ body: string }> };
    expect(shown.status).toBe('solved');
    expect(shown.comments.map((comment) => comment.body)).toEqual([
      expect.stringMatching(/^Request for a refund received/),
      expect.stringMatching(/^Eligible/),
      expect.stringMatching(/^Needs a person/),
      expect.stringMatching(/^Return authorization/),
      expect.stringMatching(/^Refund/),
      expect.stringMatching(/^Resolved/),
    ]);
  });

  it('abandons a parked workflow: the execution ends failed as abandoned', async () => {
    // Prepare
    const parked = await startParkedWorkflow();

    // Act
    const decided = await cli('ops', 'workflows', 'abandon', parked.workflowId);

    // Assess
    expect(decided).toEqual({ code: 0, stdout: `Workflow ${parked.workflowId}: abandoned after "Create return authorization" (Erp.Permanent)\n`, stderr: '' });
    expect(await parked.pumpToEnd()).toMatchObject({ status: 'FAILED', error: 'Workflow.Abandoned' });
    expect((await store.get(parked.workflowId))?.summary.state).toBe('abandoned');
  });

  it('refuses to decide on a workflow that is not parked, with exit code 1', async () => {
    // Prepare
    const parked = await startParkedWorkflow();
    await cli('ops', 'workflows', 'retry', parked.workflowId);
    await parked.pumpToEnd();

    // Act
    const again = await cli('ops', 'workflows', 'abandon', parked.workflowId);

    // Assess
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(`error: Workflow ${parked.workflowId} is not parked (state resolved, last milestone resolved): there is nothing to abandon; only a workflow parked as an exception takes retry or abandon\n`);
  });

  it('refuses a parked workflow whose execution no longer exists, and keeps it parked', async () => {
    // Prepare (the emulator cannot stop an execution that waits on a token, so the execution is missing instead)
    const workflowId = `rr-orphan-${Math.random().toString(36).slice(2)}`;
    await store.park(workflowId, 'token-of-an-ended-execution', { step: 'Issue refund', error: 'Erp.Permanent' });

    // Act
    const decided = await cli('ops', 'workflows', 'retry', workflowId);

    // Assess
    expect(decided).toEqual({ code: 1, stdout: '', stderr: `error: Workflow ${workflowId} is parked, but its execution does not exist: nothing would hear a retry\n` });
    expect(await store.parked(workflowId)).toBeDefined();
  });

  it('refuses an unknown workflow as a usage error, exit code 2', async () => {
    // Act
    const decided = await cli('ops', 'workflows', 'retry', 'rr-no-such-workflow');
    // Assess
    expect(decided).toMatchObject({ code: 2, stdout: '' });
    expect(decided.stderr).toMatch(/^error: No workflow "rr-no-such-workflow" in stage/);
  });

  it('refuses an unknown state as a usage error, exit code 2', async () => {
    // Act
    const listed = await cli('ops', 'workflows', 'list', '--state', 'parked');
    // Assess
    expect(listed.code).toBe(2);
    expect(listed.stderr).toContain('--state must be one of running, waiting-for-return, exception, resolved, rejected, abandoned');
  });
});
