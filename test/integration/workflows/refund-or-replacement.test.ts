import { loadResolutionPolicies } from '../../../lib/resolution-policies';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { makeStepFunctionsCallbacks } from '../../../functions/adapters/step-functions-callbacks';
import type { WorkflowRequest } from '../../../functions/core/workflows/refund-or-replacement';
import { makeWorkflowSteps, WorkflowStepMessage } from '../../../functions/core/workflows/workflow-steps';
import type { OrderForResolution } from '../../../functions/core/workflows/resolution-policy';
import { provisionWorkflows } from '../../../local/workflows';
import { eventually, useEmulator } from '../../support/emulator';
import { provisionWorkflowFixture } from '../../support/workflows';

/**
 * The real refund-or-replacement definition executed by the emulator's Step Functions, its steps run by
 * the worker's real core answering through the real Step Functions callbacks; the ERP dispatcher, the
 * ERP, the case and the bus are simulated, and record what they saw in the order it arrived.
 */

// The policies a stage deploys, loaded and validated as synthesis does.
const policies = loadResolutionPolicies();

const order: OrderForResolution = {
  orderId: 'SO-1001',
  status: 'delivered',
  region: 'DE',
  currency: 'EUR',
  deliveredAt: new Date(Date.now() - 3 * 86_400_000).toISOString(),
  lines: [
    { lineId: '10000', sku: 'MUG-BLUE', quantity: 1, shippedQuantity: 1, resolvedQuantity: 0, unitPrice: '12.50' },
    { lineId: '20000', sku: 'PLATE-WHITE', quantity: 1, shippedQuantity: 1, resolvedQuantity: 0, unitPrice: '30.00' },
  ],
};

interface ErpCommandMessage {
  commandId: string;
  type: string;
  taskToken: string;
  payload: Record<string, unknown>;
}

/** How the simulated world answers; each defaults to the happy path. */
interface World {
  inStock?: boolean;
  /** ERP answer per command type, consumed in order; afterwards the ERP creates the document. */
  erpFailures?: Record<string, Array<{ error: string; cause: string }>>;
  /** What a person decides for a parked workflow. */
  decision?: 'retry' | 'abandon';
  /** The warehouse never scans the return; the policy's arrival window is shortened to this many seconds. */
  returnNeverArrivesWithin?: number;
}

describe('refund-or-replacement on the emulator', () => {
  let sqs: SQSClient;
  let sfn: SFNClient;
  let stepsQueueUrl: string;
  let erpQueueUrl: string;
  let stateMachineArn: string;

  let prefix: string;

  beforeAll(async () => {
    // Prepare
    const endpoint = useEmulator();
    sqs = new SQSClient({});
    sfn = new SFNClient({});
    ({ prefix, stepsQueueUrl, erpQueueUrl, stateMachineArn } = await provisionWorkflowFixture(endpoint, sqs, sfn, 'wf'));
  });

  afterAll(() => {
    sqs.destroy();
    sfn.destroy();
  });

  /** Runs one workflow to its end, answering every task; returns what the case and the ERP saw. */
  const runWorkflow = async (request: Pick<WorkflowRequest, 'lines' | 'preferred'>, world: World = {}) => {
    const milestones: string[] = [];
    const caseComments: string[] = [];
    const published: string[] = [];
    const erpCommands: string[] = [];
    const erpFailures = structuredClone(world.erpFailures ?? {});
    const realCallbacks = makeStepFunctionsCallbacks(sfn);
    // A policy's arrival window is days; the test shortens the decided one to keep the wait short.
    const callbacks = {
      ...realCallbacks,
      succeed: (token: string, output: unknown) =>
        realCallbacks.succeed(
          token,
          world.returnNeverArrivesWithin !== undefined && typeof output === 'object' && output !== null && 'eligible' in output ? { ...output, returnArrivalSeconds: world.returnNeverArrivesWithin } : output,
        ),
    };
    // The worker's real core; only its ports to the ERP, the case and the bus are simulated.
    const workflowSteps = makeWorkflowSteps({
      callbacks,
      erp: { orderForResolution: async () => order, availableStock: async () => (world.inStock === false ? 0 : 10) },
      milestones: {
        post: async (_caseId, key, note) => {
          milestones.push(key.split(':')[1]!);
          caseComments.push(note);
        },
      },
      publisher: { publish: async (events) => void published.push(...events.map((event) => event.detailType)) },
      waits: {
        // The 3PL's return.received arrives.
        awaitReturn: async (_reference, taskToken) => {
          if (world.returnNeverArrivesWithin === undefined) await callbacks.succeed(taskToken, { receivedAt: new Date().toISOString() });
        },
        receipt: async () => undefined,
        clearReturnWait: async () => undefined,
        // A person decides.
        park: (_workflowId, taskToken) => callbacks.succeed(taskToken, { action: world.decision ?? 'abandon' }),
      },
      store: { recordTransition: async () => 'recorded' },
      policies,
      clock: { now: () => new Date() },
    });
    // The ERP dispatcher's answer: the document's reference, or the failure the world prescribes.
    const erpDispatch = async (command: ErpCommandMessage) => {
      erpCommands.push(command.type);
      const failure = erpFailures[command.type]?.shift();
      return failure ? callbacks.fail(command.taskToken, failure.error, failure.cause) : callbacks.succeed(command.taskToken, { erpReference: `${command.type}:${command.commandId}` });
    };

    // Act
    const workflowId = `rr-${Math.random().toString(36).slice(2)}`;
    const input = { workflowId, request: { caseId: '4711', orderId: order.orderId, correlationId: 'corr-1', requestedBy: 'agent:7', requestedAt: new Date().toISOString(), ...request } };
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, name: workflowId, input: JSON.stringify(input) }));
    const pump = async (queueUrl: string, handle: (body: unknown) => Promise<void>) => {
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
      for (const message of Messages) {
        await handle(JSON.parse(message.Body!));
        await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle! }));
      }
    };
    const { status, error } = await eventually(
      async () => {
        // Every message the definition sends must be one the worker's schema accepts.
        await pump(stepsQueueUrl, (body) => workflowSteps(WorkflowStepMessage.parse(body)));
        await pump(erpQueueUrl, (body) => erpDispatch(body as ErpCommandMessage));
        return sfn.send(new DescribeExecutionCommand({ executionArn }));
      },
      (execution) => execution.status !== 'RUNNING',
      20_000,
      50,
    );
    return { status, error, milestones, erpCommands, caseComments, published };
  };

  it('provisions the workflows again (a restarted local stack) without a second state machine', async () => {
    // Act
    const again = await provisionWorkflows(sfn, { prefix, substitutions: { WorkflowStepsQueueUrl: stepsQueueUrl, ErpCommandQueueUrl: erpQueueUrl } });
    // Assess
    expect(again.get('refundOrReplacement')).toBe(stateMachineArn);
  });

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
    expect(run.published).toEqual(['workflow.started', 'workflow.step.completed', 'workflow.step.completed', 'workflow.step.completed', 'workflow.completed']);
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

  it('turns a return that never arrives within the policy\'s window into an exception for a person', async () => {
    // Act
    const run = await runWorkflow({ lines: [{ lineId: '20000', quantity: 1, reason: 'changed-mind' }], preferred: 'refund' }, { returnNeverArrivesWithin: 2, decision: 'abandon' });
    // Assess
    expect(run.milestones).toEqual(['received', 'eligibility-confirmed', 'return-authorized', 'awaiting-return', 'exception', 'abandoned']);
    expect(run.caseComments[4]).toBe('Needs a person: "Wait for the return" failed (States.Timeout). Nothing is retried until someone decides.');
    // Abandoned, the return authorization nobody used is cancelled.
    expect(run.erpCommands).toEqual(['return-authorization.create', 'return-authorization.cancel']);
    expect(run.status).toBe('FAILED');
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
    expect(run.milestones).toEqual(['received', 'eligibility-confirmed', 'exception', 'return-authorized', 'refund-issued', 'resolved']);
    expect(run.caseComments[2]).toBe('Needs a person: "Create return authorization" failed (Erp.Permanent). Nothing is retried until someone decides.');
    expect(run.erpCommands).toEqual(['return-authorization.create', 'return-authorization.create', 'refund.issue']);
  });

  it('ends an abandoned workflow as failed, with the case told', async () => {
    // Act
    const run = await runWorkflow(
      { lines: [{ lineId: '10000', quantity: 1, reason: 'damaged' }], preferred: 'refund' },
      { erpFailures: { 'refund.issue': [{ error: 'Erp.Permanent', cause: 'payment method closed' }] }, decision: 'abandon' },
    );
    // Assess: the return authorization (no refund followed it) is cancelled in the ERP before the case is told.
    expect(run).toMatchObject({ status: 'FAILED', error: 'Workflow.Abandoned' });
    expect(run.milestones.slice(-2)).toEqual(['exception', 'abandoned']);
    expect(run.published.slice(-2)).toEqual(['workflow.exception', 'workflow.completed']);
    expect(run.erpCommands).toEqual(['return-authorization.create', 'refund.issue', 'return-authorization.cancel']);
    expect(run.caseComments.at(-1)).toMatch(/^Abandoned after "Issue refund" failed; nothing further happens automatically\. Return authorization return-authorization\.create:rr-.*\.return-authorization was cancelled in the ERP\.$/);
  });

  it('tells the case when the ERP refuses to cancel the return authorization of an abandoned workflow', async () => {
    // Act
    const run = await runWorkflow(
      { lines: [{ lineId: '10000', quantity: 1, reason: 'damaged' }], preferred: 'refund' },
      {
        erpFailures: { 'refund.issue': [{ error: 'Erp.Permanent', cause: 'payment method closed' }], 'return-authorization.cancel': [{ error: 'Erp.Permanent', cause: 'return order posted' }] },
        decision: 'abandon',
      },
    );
    // Assess
    expect(run).toMatchObject({ status: 'FAILED', error: 'Workflow.Abandoned' });
    expect(run.caseComments.at(-1)).toMatch(/The ERP refused to cancel return authorization .* \(Erp\.Permanent\): cancel it by hand\.$/);
  });

  it('abandons without compensation when nothing was created in the ERP yet', async () => {
    // Act
    const run = await runWorkflow(
      { lines: [{ lineId: '10000', quantity: 1, reason: 'damaged' }], preferred: 'refund' },
      { erpFailures: { 'return-authorization.create': [{ error: 'Erp.Permanent', cause: '400 Bad Request' }] }, decision: 'abandon' },
    );
    // Assess
    expect(run.erpCommands).toEqual(['return-authorization.create']);
    expect(run.caseComments.at(-1)).toBe('Abandoned after "Create return authorization" failed; nothing further happens automatically.');
  });
});
