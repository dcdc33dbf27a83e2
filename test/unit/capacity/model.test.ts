import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { workflowShape } from '../../../scripts/capacity/inputs';
import { costPerMillion, simulate, usagePerWebhook, type MessageWork, type ModelInputs, type PriceBook, type SimulationInput } from '../../../scripts/capacity/model';

const book = JSON.parse(readFileSync(join(__dirname, '../../../scripts/capacity/prices.json'), 'utf8')) as PriceBook;
const work = (overrides: Partial<MessageWork>): MessageWork => ({
  dynamoWrites: 0,
  dynamoReads: 0,
  erpCalls: 0,
  serviceDeskCalls: 0,
  publishes: [],
  erpCommands: 0,
  otherAwsCalls: 0,
  cpuMsPerMessage: 0,
  basis: 'test',
  ...overrides,
});

/** One webhook type, one rule, one queue of batches of 2, one consumer: small enough to check by hand. */
const tinyStack = (): ModelInputs => ({
  functions: { webhookIngest: { memoryMb: 512 }, projector: { memoryMb: 1024 } },
  queues: [{ name: 'projections', consumer: 'projector', subscribesTo: ['order.created'], batchSize: 2, fifo: false, maxConcurrency: 10 }],
  work: {
    webhookIngest: work({ dynamoWrites: 2, otherAwsCalls: 1, cpuMsPerMessage: 3 }),
    projector: work({ dynamoWrites: 1, cpuMsPerMessage: 1 }),
  },
  workflow: { states: 0, workflowStepTasks: 0, erpCommandTasks: 0 },
  workflowStartingTypes: [],
  mix: { 'order.created': 1 },
  stage: { erpRequestsPerSecond: 20, erpUtilisation: 0.93, webhookThrottleRatePerSecond: 500, webhookThrottleBurst: 1000, ingestReservedConcurrency: 50 },
  assumptions: { awsCallMs: 10, externalCallMs: 0, logBytesPerInvocation: 0, traceSampleRate: 0, payloadKb: 1 },
  book,
});

describe('capacity model: cost per million webhooks', () => {
  it('counts a hand-checked stack: invocations, GB-seconds, SQS requests, writes and their prices', () => {
    // Prepare
    const inputs = tinyStack();

    // Act
    const usage = usagePerWebhook(inputs, 1);
    const cost = Object.fromEntries(costPerMillion(usage, book, false).map((line) => [line.component, line]));

    // Assess
    // Ingest: ceil(3 ms + (2 writes + 1 PutEvents) × 10 ms) = 33 ms at 0.5 GB; projector: one message is half a
    // batch of 2, ceil(2 × (1 + 1 × 10)) = 22 ms at 1 GB, so 11 ms per webhook.
    expect(usage.invocationsByFunction).toEqual({ webhookIngest: 1, projector: 0.5 });
    expect(usage.gbSecondsByFunction.webhookIngest).toBeCloseTo(0.0165, 10);
    expect(usage.gbSecondsByFunction.projector).toBeCloseTo(0.011, 10);
    // SQS: one send per message, one receive and one delete per batch of 2.
    expect(usage.sqsStandardRequests).toBeCloseTo(2, 10);
    expect(usage.dynamoWrites).toBe(3);
    expect(cost['API Gateway']).toMatchObject({ rest: 3.5, http: 1 });
    expect(cost['Lambda requests']!.rest).toBeCloseTo(0.3, 10);
    expect(cost['Lambda duration (arm64)']!.rest).toBeCloseTo(0.0275 * 1e6 * 0.0000133334, 8);
    expect(cost['SQS standard']!.rest).toBeCloseTo(0.8, 10);
    expect(cost['DynamoDB writes']!.rest).toBeCloseTo(1.875, 10);
    expect(cost.EventBridge!.rest).toBeCloseTo(1, 10);
  });

  it('follows an event a consumer publishes back through the rules to its own queue', () => {
    // Prepare
    const inputs = tinyStack();
    inputs.queues.push({ name: 'desk', consumer: 'desk', subscribesTo: ['order.status.changed'], batchSize: 1, fifo: false, maxConcurrency: 2 });
    inputs.functions.desk = { memoryMb: 128 };
    inputs.work.desk = work({});
    inputs.work.projector = work({ publishes: ['order.status.changed'] });

    // Act
    const usage = usagePerWebhook(inputs, 1);

    // Assess
    expect(usage.eventsPublished).toBe(2);
    expect(usage.messagesByQueue).toEqual({ projections: 1, desk: 1 });
    expect(usage.putEventsCalls).toBe(2);
  });

  it('reads the workflow definition: every state, and the tasks sending to each queue', () => {
    // Prepare
    const definition = JSON.stringify({
      StartAt: 'A',
      States: {
        A: { Type: 'Task', Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken', Parameters: { QueueUrl: '${WorkflowStepsQueueUrl}' }, Next: 'B' },
        B: { Type: 'Parallel', Branches: [{ StartAt: 'C', States: { C: { Type: 'Task', Parameters: { QueueUrl: '${ErpCommandQueueUrl}' }, End: true } } }], Next: 'D' },
        D: { Type: 'Succeed' },
      },
    });

    // Act
    const shape = workflowShape(definition);

    // Assess
    expect(shape).toEqual({ states: 4, workflowStepTasks: 1, erpCommandTasks: 1 });
  });
});

/** A simulation of one queue, `offered` webhooks a second for 10 s, with generous limits unless overridden. */
const oneQueue = (queue: Partial<SimulationInput['queues'][number]>, overrides: Partial<SimulationInput>): SimulationInput => ({
  queues: [{ name: 'projections', arrivalsPerWebhook: 1, messagesPerSecondPerBatch: 2, maxConcurrency: 1, erpCallsPerMessage: 0, initialConcurrency: 1, scalingPerSecond: 0, ...queue }],
  offeredRate: () => 4,
  acceptRate: 100,
  acceptBurst: 100,
  ingestCapacity: 100,
  erpCallsPerSecond: 0,
  durationSeconds: 10,
  drainLimitSeconds: 100,
  stepSeconds: 1,
  ...overrides,
});

describe('capacity model: time-stepped simulation', () => {
  it('builds a backlog where arrivals outrun the consumer and drains it after the load ends', () => {
    // Prepare: 4 webhooks/s for 10 s, one message each, the consumer takes 2/s.
    const input = oneQueue({}, {});

    // Act
    const result = simulate(input);

    // Assess: the backlog grows by 2 a second to 20, then falls by 2 a second.
    expect(result.accepted).toBe(40);
    expect(result.queues.projections).toMatchObject({ arrived: 40, processed: 40, maxDepth: 20, maxDepthAt: 9, depthAtEnd: 0 });
    expect(result.drainSeconds).toBe(10);
    expect(result.firstLimit).toEqual({ at: 0, what: 'projections consumer concurrency (backlog grows)' });
  });

  it('answers what the stage throttle does not admit with 429 and shares the ERP budget', () => {
    // Prepare: 4 offered a second, 3 admitted (no burst); each message needs one ERP call and the ERP takes 1 a second.
    const result = simulate(oneQueue({ name: 'erp', messagesPerSecondPerBatch: 100, erpCallsPerMessage: 1 }, { acceptRate: 3, acceptBurst: 0, erpCallsPerSecond: 1 }));

    // Assess
    expect(result.throttled).toBe(10);
    expect(result.accepted).toBe(30);
    expect(result.erpCalls).toBeCloseTo(30, 6);
    // 30 accepted at 1 ERP call a second: the last is done 30 s after the start, 20 s after the load ends.
    expect(result.drainSeconds).toBe(20);
    expect(result.firstLimit).toEqual({ at: 0, what: 'API stage throttle (429s)' });
  });
});
