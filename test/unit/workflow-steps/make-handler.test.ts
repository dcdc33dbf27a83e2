import type { SQSEvent, SQSRecord } from 'aws-lambda';
import type { CanonicalEvent } from '../../../functions/core/canonical/events';
import type { WorkflowState, WorkflowTransition } from '../../../functions/core/canonical/workflow';
import type { DeadLetterMessage } from '../../../functions/core/ports/message-control';
import type { WorkflowSummary } from '../../../functions/core/ports/workflow-tasks';
import { parsePolicies } from '../../../functions/core/workflows/resolution-policy';
import { makeObservability } from '../../../functions/shared/lambda';
import { makeHandler, type WorkflowStepsHandlerDependencies } from '../../../functions/workflow-steps/make-handler';
import { makeLambdaContext } from '../../../local/lambda-context';
import defaultPolicy from '../../../config/policies/default.json';

const NOW = new Date('2026-11-30T12:00:00Z');
const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/retail-sync-test-workflow-steps';
const request = {
  orderId: 'SO-1001',
  lines: [{ lineId: '10000', quantity: 1, reason: 'damaged' }],
  preferred: 'refund',
  requestedBy: 'agent:7',
  caseId: '4711',
  correlationId: 'corr-1',
  requestedAt: '2026-11-30T11:00:00Z',
};
const workflow = { workflowId: 'rr-4711-SO-1001-0123456789abcdef0123', request };

const sqsRecord = (messageId: string, body: string): SQSRecord => ({
  messageId,
  receiptHandle: `rh-${messageId}`,
  body,
  attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(NOW.getTime()), SenderId: 's', ApproximateFirstReceiveTimestamp: String(NOW.getTime()) },
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:retail-sync-test-workflow-steps',
  awsRegion: 'us-east-1',
});
const batch = (...bodies: unknown[]): SQSEvent => ({ Records: bodies.map((body, index) => sqsRecord(`m-${index + 1}`, typeof body === 'string' ? body : JSON.stringify(body))) });

/** An EventBridge event as a rule delivers it to the queue. */
const busEvent = (detailType: string, source: string, detail: unknown) => ({
  version: '0',
  id: 'eb-1',
  'detail-type': detailType,
  source,
  account: '123456789012',
  time: NOW.toISOString(),
  region: 'us-east-1',
  resources: [],
  detail,
});
const returnReceived = (returnId: string) =>
  busEvent('return.received', 'retail-sync.3pl', {
    eventId: 'evt-return',
    correlationId: 'corr-3pl',
    schemaVersion: 1,
    origin: { system: '3pl', deliveryId: 'msg_return', type: 'return.received' },
    receivedAt: '2026-11-30T11:59:00Z',
    data: { source: { system: '3pl', id: returnId }, returnId, orderId: 'SO-1001', status: 'received', occurredAt: '2026-11-30T11:58:00Z', lines: [{ sku: 'MUG-BLUE', quantity: 1 }] },
  });
const scheduledEvent = () => busEvent('Scheduled Event', 'aws.events', {});

const overdue = (workflowId: string, state: WorkflowState): WorkflowSummary => ({
  workflowId,
  workflow: 'refund-or-replacement',
  caseId: '4711',
  orderId: 'SO-1001',
  state,
  milestone: 'eligibility-confirmed',
  startedAt: '2026-11-20T12:00:00Z',
  updatedAt: '2026-11-20T12:01:00Z',
  erpDocuments: [],
  slaDueAt: '2026-11-25T12:00:00Z',
});

/** Every dependency of the handler as an in-memory fake that records what it was asked to do. */
const world = (options: { open?: WorkflowSummary[]; recordTransition?: () => Promise<never>; breakerOpenForMs?: number } = {}) => {
  const calls = {
    succeeded: [] as Array<{ token: string; output: unknown }>,
    failed: [] as Array<{ token: string; error: string }>,
    recorded: [] as WorkflowTransition[],
    notes: [] as string[],
    published: [] as CanonicalEvent[],
    marked: [] as string[],
    deadLettered: [] as DeadLetterMessage[],
    retried: [] as Array<[string, number]>,
    erpReads: [] as string[],
  };
  const returnWaits = new Map<string, { taskToken: string; workflowId: string }>([['RMA-7', { taskToken: 'token-return', workflowId: workflow.workflowId }]]);
  const observability = makeObservability({ serviceName: 'workflow-steps', namespace: 'RetailSyncTest' });
  const metrics: Array<{ name: string; unit: string; value: number; dimensions?: Record<string, string> }> = [];
  jest.spyOn(observability.metrics, 'addMetric').mockImplementation((name, unit, value) => {
    metrics.push({ name, unit, value });
    return observability.metrics;
  });
  jest.spyOn(observability.metrics, 'singleMetric').mockImplementation(() => {
    const dimensions: Record<string, string> = {};
    return {
      addDimension: (name: string, value: string) => void (dimensions[name] = value),
      addMetric: (name: string, unit: string, value: number) => void metrics.push({ name, unit, value, dimensions: { ...dimensions } }),
    } as never;
  });
  const dependencies: WorkflowStepsHandlerDependencies = {
    observability,
    queue: {
      url: QUEUE_URL,
      control: {
        retryAfter: async (receiptHandle, seconds) => void calls.retried.push([receiptHandle, seconds]),
        deadLetter: async (message) => void calls.deadLettered.push(message),
      },
    },
    coordination: {
      reserveSlot: async () => ({ granted: true, waitMs: 0 }),
      rateLimited: async () => undefined,
      admit: async () => (options.breakerOpenForMs ? { action: 'wait', waitMs: options.breakerOpenForMs } : { action: 'call' }),
      succeeded: async () => undefined,
      failed: async () => undefined,
    },
    // A double of the adapter: each read is one request, sent through the handler's ERP gate.
    erp: (gate) => ({
      orderForResolution: (orderId) =>
        gate(async () => {
          calls.erpReads.push(orderId);
          return undefined;
        }),
      availableStock: () => gate(async () => 0),
    }),
    callbacks: {
      succeed: async (token, output) => void calls.succeeded.push({ token, output }),
      fail: async (token, error) => void calls.failed.push({ token, error }),
    },
    milestones: { post: async (_caseId, _key, note) => void calls.notes.push(note) },
    cases: { openCaseForOrder: async () => ({ caseId: '4711', created: false }) },
    starter: { startRefundOrReplacement: async () => 'started' },
    publisher: { publish: async (events) => void calls.published.push(...events) },
    store: {
      recordTransition: options.recordTransition ?? (async (transition) => (calls.recorded.push(transition), 'recorded' as const)),
      listByState: async (state) => ({ workflows: (options.open ?? []).filter((summary) => summary.state === state) }),
      markSlaBreached: async (workflowId) => (calls.marked.push(workflowId), 'marked' as const),
      awaitReturn: async (reference, taskToken, workflowId) => void returnWaits.set(reference, { taskToken, workflowId }),
      returnWait: async (reference) => returnWaits.get(reference),
      clearReturnWait: async (reference) => void returnWaits.delete(reference),
      recordReceipt: async () => undefined,
      receipt: async () => undefined,
      park: async () => undefined,
      parked: async () => undefined,
      clearParked: async () => undefined,
    },
    policies: parsePolicies([{ file: 'default.json', content: defaultPolicy }]),
    clock: { now: () => NOW },
  };
  const handler = makeHandler(dependencies);
  const invoke = (event: SQSEvent) => handler(event, makeLambdaContext('retail-sync-test-workflow-steps', 30, 256));
  return { invoke, calls, returnWaits, metrics };
};

describe('workflow-steps handler', () => {
  afterEach(() => jest.restoreAllMocks());

  it('runs a step message, answers its token and tells the KPI of its milestone', async () => {
    // Prepare
    const { invoke, calls, metrics } = world();
    const step = { step: 'record-milestone', milestone: 'resolved', enteredAt: '2026-11-30T11:59:00Z', taskToken: 'token-1', workflow };
    // Act
    const response = await invoke(batch(step));
    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(calls.recorded.map((transition) => transition.milestone)).toEqual(['resolved']);
    expect(calls.published.map((event) => event.detailType)).toEqual(['workflow.completed']);
    expect(calls.succeeded).toEqual([{ token: 'token-1', output: {} }]);
    expect(metrics).toEqual(expect.arrayContaining([{ name: 'CaseClosureLatency', unit: 'Seconds', value: 3600 }, { name: 'WorkflowStepRun', unit: 'Count', value: 1 }]));
  });

  it('reads the ERP for eligibility and answers the token with the decision', async () => {
    // Prepare
    const { invoke, calls } = world();
    // Act
    await invoke(batch({ step: 'check-eligibility', taskToken: 'token-2', workflowId: workflow.workflowId, request }));
    // Assess
    expect(calls.erpReads).toEqual(['SO-1001']);
    expect(calls.succeeded).toEqual([{ token: 'token-2', output: expect.objectContaining({ eligible: false, reasons: [expect.objectContaining({ code: 'order-not-found' })] }) }]);
  });

  it("puts an eligibility check back on its queue, without reading the ERP, while the ERP's breaker is open", async () => {
    // Prepare
    const { invoke, calls } = world({ breakerOpenForMs: 9000 });
    // Act
    const response = await invoke(batch({ step: 'check-eligibility', taskToken: 'token-2', workflowId: workflow.workflowId, request }));
    // Assess
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-1' }] });
    expect(calls.erpReads).toEqual([]);
    expect(calls.retried).toEqual([['rh-m-1', 10]]);
    expect([calls.succeeded, calls.failed]).toEqual([[], []]);
  });

  it('completes the step waiting for a return when return.received arrives from the bus', async () => {
    // Prepare
    const { invoke, calls, returnWaits } = world();
    // Act
    const response = await invoke(batch(returnReceived('RMA-7')));
    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(calls.succeeded).toEqual([{ token: 'token-return', output: { receivedAt: '2026-11-30T11:58:00Z' } }]);
    expect(returnWaits.has('RMA-7')).toBe(false);
  });

  it('runs the SLA check for a scheduled event and counts open and breached workflows', async () => {
    // Prepare
    const { invoke, calls, metrics } = world({ open: [overdue('rr-late', 'running'), overdue('rr-parked', 'exception')] });
    // Act
    const response = await invoke(batch(scheduledEvent()));
    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(calls.published.map((event) => [event.detailType, (event.detail.data as WorkflowTransition).workflowId])).toEqual([
      ['workflow.sla.breached', 'rr-late'],
      ['workflow.sla.breached', 'rr-parked'],
    ]);
    expect(calls.marked).toEqual(['rr-late', 'rr-parked']);
    expect(metrics).toEqual(
      expect.arrayContaining([
        { name: 'WorkflowSlaBreached', unit: 'Count', value: 2 },
        { name: 'WorkflowsOpen', unit: 'Count', value: 1, dimensions: { state: 'running' } },
        { name: 'WorkflowsOpen', unit: 'Count', value: 0, dimensions: { state: 'waiting-for-return' } },
        { name: 'WorkflowsOpen', unit: 'Count', value: 1, dimensions: { state: 'exception' } },
      ]),
    );
  });

  it('ignores an event of a type no workflow handles, without failing it', async () => {
    // Prepare
    const { invoke, calls, returnWaits } = world({ open: [overdue('rr-late', 'running')] });
    // Act
    const response = await invoke(batch(busEvent('shipment.dispatched', 'retail-sync.3pl', { data: { returnId: 'RMA-7' } })));
    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect([calls.succeeded, calls.published, calls.marked, calls.deadLettered]).toEqual([[], [], [], []]);
    expect(returnWaits.has('RMA-7')).toBe(true);
  });

  it.each([
    ['a body that is not JSON', '{"step":'],
    ['a step it does not know', { step: 'launch-rocket', taskToken: 'token-9' }],
    ['a return.received event without a return id', busEvent('return.received', 'retail-sync.3pl', { eventId: 'e', correlationId: 'c', schemaVersion: 1, data: {} })],
  ])('dead-letters %s at once, without retrying it', async (_, body) => {
    // Prepare
    const { invoke, calls } = world();
    // Act
    const response = await invoke(batch(body));
    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(calls.deadLettered).toEqual([expect.objectContaining({ messageId: 'm-1', errorClass: 'validation', sourceQueue: QUEUE_URL })]);
    expect(calls.retried).toEqual([]);
    expect(calls.succeeded).toEqual([]);
  });

  it('reports a step that failed for a passing reason as a batch item failure to retry, and handles the rest of the batch', async () => {
    // Prepare
    const { invoke, calls } = world({
      recordTransition: async () => {
        throw new Error('DynamoDB throttled');
      },
    });
    const failing = { step: 'record-milestone', milestone: 'resolved', enteredAt: '2026-11-30T11:59:00Z', taskToken: 'token-1', workflow };
    // Act
    const response = await invoke(batch(failing, returnReceived('RMA-7')));
    // Assess
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-1' }] });
    expect(calls.retried.map(([receiptHandle]) => receiptHandle)).toEqual(['rh-m-1']);
    expect(calls.deadLettered).toEqual([]);
    expect(calls.succeeded.map((answer) => answer.token)).toEqual(['token-return']);
  });
});
