import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CreateStateMachineCommand, DescribeExecutionCommand, SendTaskFailureCommand, SendTaskSuccessCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { CreateQueueCommand, DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Milestone, WorkflowTransition } from '../../../functions/core/canonical/workflow';
import { recordMilestone, RefundOrReplacementState } from '../../../functions/core/workflows/refund-or-replacement';
import { decideEligibility, parsePolicies, policyFor, type OrderForResolution } from '../../../functions/core/workflows/resolution-policy';
import { readDefinition, substituteDefinition } from '../../../lib/workflows';
import { eventually, uniqueStage, useEmulator } from '../../support/emulator';

/**
 * The real refund-or-replacement definition executed by the emulator's Step Functions, with this test
 * playing the workers: it answers each task token the way the workflow-steps worker and the ERP
 * dispatcher would, and records the milestones and ERP commands in the order they arrive.
 */

const POLICY_DIR = path.join(__dirname, '../../../config/policies');
const policies = parsePolicies(['default.json', 'eu.json'].map((file) => ({ file, content: JSON.parse(readFileSync(path.join(POLICY_DIR, file), 'utf8')) as unknown })));

const order: OrderForResolution = {
  orderId: 'SO-1001',
  status: 'delivered',
  region: 'eu',
  currency: 'EUR',
  deliveredAt: new Date(Date.now() - 3 * 86_400_000).toISOString(),
  lines: [
    { lineId: '10000', sku: 'MUG-BLUE', quantity: 1, shippedQuantity: 1, resolvedQuantity: 0, unitPrice: '12.50' },
    { lineId: '20000', sku: 'PLATE-WHITE', quantity: 1, shippedQuantity: 1, resolvedQuantity: 0, unitPrice: '30.00' },
  ],
};

interface StepMessage {
  step: string;
  milestone?: string;
  taskToken: string;
  request: { lines: Array<{ lineId: string; quantity: number; reason: 'damaged' | 'changed-mind' }>; preferred: 'replacement' | 'refund' };
  /** The execution's whole state, on milestone and park messages. */
  workflow?: unknown;
}
interface ErpCommandMessage {
  commandId: string;
  type: string;
  taskToken: string;
  payload: Record<string, unknown>;
}

type Answer = { success: unknown } | { failure: { error: string; cause: string } };

/** How the simulated world answers; each defaults to the happy path. */
interface World {
  inStock?: boolean;
  /** ERP answer per command type, consumed in order; afterwards the ERP creates the document. */
  erpFailures?: Record<string, Array<{ error: string; cause: string }>>;
  /** What a person decides for a parked workflow. */
  decision?: 'retry' | 'abandon';
}

describe('refund-or-replacement on the emulator', () => {
  let sqs: SQSClient;
  let sfn: SFNClient;
  let stepsQueueUrl: string;
  let erpQueueUrl: string;
  let stateMachineArn: string;

  beforeAll(async () => {
    const endpoint = useEmulator();
    // Prepare: the emulator runs executions only when asked to.
    await fetch(`${endpoint}/moto-api/config`, { method: 'POST', body: JSON.stringify({ stepfunctions: { execute_state_machine: true } }) });
    sqs = new SQSClient({});
    sfn = new SFNClient({});
    const prefix = `retail-sync-${uniqueStage('wf')}`;
    stepsQueueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `${prefix}-workflow-steps` }))).QueueUrl!;
    erpQueueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `${prefix}-erp-commands.fifo`, Attributes: { FifoQueue: 'true' } }))).QueueUrl!;
    const definition = substituteDefinition(readDefinition('refundOrReplacement'), { WorkflowStepsQueueUrl: stepsQueueUrl, ErpCommandQueueUrl: erpQueueUrl });
    stateMachineArn = (
      await sfn.send(new CreateStateMachineCommand({ name: `${prefix}-refund-or-replacement`, definition, roleArn: 'arn:aws:iam::123456789012:role/workflow', type: 'STANDARD' }))
    ).stateMachineArn!;
  });

  afterAll(() => {
    sqs.destroy();
    sfn.destroy();
  });

  /** Runs one workflow to its end, answering every task; returns what the case and the ERP saw. */
  const runWorkflow = async (request: StepMessage['request'], world: World = {}) => {
    const milestones: string[] = [];
    const caseComments: string[] = [];
    const erpCommands: string[] = [];
    const erpFailures = structuredClone(world.erpFailures ?? {});
    const answer = async (taskToken: string, result: Answer) =>
      'success' in result
        ? sfn.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(result.success) }))
        : sfn.send(new SendTaskFailureCommand({ taskToken, error: result.failure.error, cause: result.failure.cause }));

    const workflowStep = (message: StepMessage): Answer => {
      switch (message.step) {
        case 'record-milestone': {
          // The worker's own mapping, fed the state the definition really carries.
          const record = recordMilestone(Milestone.parse(message.milestone), RefundOrReplacementState.parse(message.workflow), new Date().toISOString());
          WorkflowTransition.parse(record.transition);
          milestones.push(message.milestone!);
          caseComments.push(record.caseComment);
          return { success: {} };
        }
        case 'check-eligibility':
          return { success: decideEligibility(policyFor(policies, order), order, message.request, new Date()) };
        case 'check-inventory':
          return { success: { inStock: world.inStock ?? true } };
        case 'await-return':
          return { success: { receivedAt: new Date().toISOString() } };
        case 'park': {
          const { exception } = RefundOrReplacementState.parse(message.workflow);
          milestones.push(`exception at ${exception!.step}: ${exception!.error}`);
          return { success: { action: world.decision ?? 'abandon' } };
        }
        default:
          throw new Error(`unexpected step ${message.step}`);
      }
    };
    const erpDispatch = (command: ErpCommandMessage): Answer => {
      erpCommands.push(command.type);
      const failure = erpFailures[command.type]?.shift();
      return failure ? { failure } : { success: { erpReference: `${command.type}:${command.commandId}` } };
    };

    // Act
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, name: `wf-${Math.random().toString(36).slice(2)}`, input: JSON.stringify({ workflowId: `rr-${Date.now()}`, request: { caseId: '4711', orderId: order.orderId, correlationId: 'corr-1', requestedBy: 'agent:7', ...request } }) }));
    const pump = async <T>(queueUrl: string, handle: (message: T) => Answer) => {
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
      for (const message of Messages) {
        const body = JSON.parse(message.Body!) as T & { taskToken: string };
        await answer(body.taskToken, handle(body));
        await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle! }));
      }
    };
    const { status, error } = await eventually(
      async () => {
        await pump<StepMessage>(stepsQueueUrl, workflowStep);
        await pump<ErpCommandMessage>(erpQueueUrl, erpDispatch);
        return sfn.send(new DescribeExecutionCommand({ executionArn }));
      },
      (execution) => execution.status !== 'RUNNING',
      20_000,
      50,
    );
    return { status, error, milestones, erpCommands, caseComments };
  };

  it('replaces a damaged item that is in stock', async () => {
    // Act
    const run = await runWorkflow({ lines: [{ lineId: '10000', quantity: 1, reason: 'damaged' }], preferred: 'replacement' });
    // Assess
    expect(run).toMatchObject({
      status: 'SUCCEEDED',
      error: undefined,
      milestones: ['received', 'eligibility-confirmed', 'return-authorized', 'replacement-created', 'resolved'],
      erpCommands: ['return-authorization.create', 'replacement-order.create'],
    });
    expect(run.caseComments[2]).toMatch(/^Return authorization return-authorization\.create:rr-.*\.return-authorization created in the ERP\.$/);
    expect(run.caseComments[3]).toMatch(/^Replacement order replacement-order\.create:.* created in the ERP\.$/);
  });

  it('refunds when the replacement is out of stock', async () => {
    // Act
    const run = await runWorkflow({ lines: [{ lineId: '10000', quantity: 1, reason: 'damaged' }], preferred: 'replacement' }, { inStock: false });
    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(run.milestones).toEqual(['received', 'eligibility-confirmed', 'return-authorized', 'replacement-unavailable', 'refund-issued', 'resolved']);
    expect(run.erpCommands).toEqual(['return-authorization.create', 'refund.issue']);
  });

  it('falls back to a refund when stock goes between the check and the order', async () => {
    // Act
    const run = await runWorkflow(
      { lines: [{ lineId: '10000', quantity: 1, reason: 'damaged' }], preferred: 'replacement' },
      { erpFailures: { 'replacement-order.create': [{ error: 'Erp.OutOfStock', cause: 'MUG-BLUE: 0 available' }] } },
    );
    // Assess
    expect(run.milestones).toEqual(['received', 'eligibility-confirmed', 'return-authorized', 'replacement-unavailable', 'refund-issued', 'resolved']);
    expect(run.erpCommands).toEqual(['return-authorization.create', 'replacement-order.create', 'refund.issue']);
  });

  it('waits for the return before refunding a change of mind', async () => {
    // Act
    const run = await runWorkflow({ lines: [{ lineId: '20000', quantity: 1, reason: 'changed-mind' }], preferred: 'refund' });
    // Assess
    expect(run.milestones).toEqual(['received', 'eligibility-confirmed', 'return-authorized', 'awaiting-return', 'return-received', 'refund-issued', 'resolved']);
    expect(run.erpCommands).toEqual(['return-authorization.create', 'refund.issue']);
  });

  it('rejects an ineligible request on the case without calling the ERP', async () => {
    // Act
    const run = await runWorkflow({ lines: [{ lineId: '10000', quantity: 5, reason: 'damaged' }], preferred: 'refund' });
    // Assess
    expect(run).toMatchObject({ status: 'SUCCEEDED', error: undefined, milestones: ['received', 'rejected'], erpCommands: [] });
    expect(run.caseComments[1]).toBe('Not eligible: line 10000: 5 requested, 1 bought.');
  });

  it('parks a failed ERP step as an exception and retries it when a person decides so', async () => {
    // Act
    const run = await runWorkflow(
      { lines: [{ lineId: '10000', quantity: 1, reason: 'damaged' }], preferred: 'refund' },
      { erpFailures: { 'return-authorization.create': [{ error: 'Erp.Permanent', cause: '400 Bad Request' }] }, decision: 'retry' },
    );
    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(run.milestones).toEqual(['received', 'eligibility-confirmed', 'exception at Create return authorization: Erp.Permanent', 'return-authorized', 'refund-issued', 'resolved']);
    expect(run.erpCommands).toEqual(['return-authorization.create', 'return-authorization.create', 'refund.issue']);
  });

  it('ends an abandoned workflow as failed, with the case told', async () => {
    // Act
    const run = await runWorkflow(
      { lines: [{ lineId: '10000', quantity: 1, reason: 'damaged' }], preferred: 'refund' },
      { erpFailures: { 'refund.issue': [{ error: 'Erp.Permanent', cause: 'payment method closed' }] }, decision: 'abandon' },
    );
    // Assess
    expect(run).toMatchObject({ status: 'FAILED', error: 'Workflow.Abandoned' });
    expect(run.milestones.slice(-2)).toEqual(['exception at Issue refund: Erp.Permanent', 'abandoned']);
  });
});
