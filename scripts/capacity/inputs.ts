/**
 * The model's inputs, read from the code and the data files so they cannot drift: memory sizes, batch
 * sizes and rule→queue fan-out from lib/topology.ts, stage settings from cdk.json through
 * lib/config.ts, the workflow's states from its ASL file, durations and AWS call counts from
 * bench/results/durations.json, prices and quotas from scripts/capacity/prices.json. What the code
 * cannot tell (calls per message of the consumers not measured) is stated in WORK with the code lines.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readStageConfig } from '../../lib/config';
import { FUNCTIONS, QUEUES } from '../../lib/topology';
import { WORKFLOWS } from '../../lib/workflows';
import { ceilingRate, defaultRateBudgetConfig } from '../../functions/core/erp/rate-budget';
import type { Assumptions, MessageWork, ModelInputs, ModelQueue, PriceBook, Workflow } from './model';

const ROOT = join(__dirname, '..', '..');

export interface Durations {
  measuredAt: string;
  commit: string;
  machine: string;
  source: string;
  functions: Record<string, { meanMs: number; p99Ms: number; detail?: unknown }>;
}

type CallCounts = Record<string, number>;
const detailOf = (durations: Durations, fn: string) => durations.functions[fn]?.detail as { awsCallsPerInvocation?: CallCounts; erpOrderStatusWebhook?: { awsCallsPerInvocation: CallCounts } } | undefined;

/** Writes and reads in a measured invocation's AWS calls. */
export const dynamoCounts = (calls: CallCounts) => {
  let writes = 0;
  let reads = 0;
  for (const [name, count] of Object.entries(calls)) {
    if (!name.startsWith('dynamodb:')) continue;
    if (/:(Put|Update|Delete)(Item)?$/.test(name)) writes += count;
    else reads += count;
  }
  return { writes, reads };
};

/** The workflow's shape, read from its ASL definition. */
export const workflowShape = (definition: string): Workflow => {
  const asl = JSON.parse(definition) as { States: Record<string, unknown> };
  const states: Array<{ Type?: string; Parameters?: Record<string, unknown>; Branches?: unknown[]; Iterator?: unknown }> = [];
  const collect = (machine: { States: Record<string, unknown> }) => {
    for (const state of Object.values(machine.States) as typeof states) {
      states.push(state);
      for (const branch of (state.Branches ?? []) as Array<{ States: Record<string, unknown> }>) collect(branch);
    }
  };
  collect(asl);
  const sendsTo = (placeholder: string) => states.filter((state) => JSON.stringify(state.Parameters ?? {}).includes(placeholder)).length;
  return { states: states.length, workflowStepTasks: sendsTo('${WorkflowStepsQueueUrl}'), erpCommandTasks: sendsTo('${ErpCommandQueueUrl}') };
};

export const readInputs = (options: { erpRate?: number; mixFile?: string; durationsFile?: string; assumptions?: Partial<Assumptions> } = {}) => {
  const book = JSON.parse(readFileSync(join(ROOT, 'scripts/capacity/prices.json'), 'utf8')) as PriceBook & { region: string };
  const durations = JSON.parse(readFileSync(options.durationsFile ?? join(ROOT, 'bench/results/durations.json'), 'utf8')) as Durations;
  const mixFile = options.mixFile ?? join(ROOT, 'scripts/capacity/mix.json');
  const mixData = JSON.parse(readFileSync(mixFile, 'utf8')) as { mix: Record<string, number> };
  const total = Object.values(mixData.mix).reduce((sum, share) => sum + share, 0);
  if (Math.abs(total - 1) > 1e-6) throw new Error(`${mixFile}: the shares of "mix" must sum to 1; they sum to ${total}`);
  const cdk = JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
  const stage = readStageConfig({ stage: 'dev', stages: cdk.context.stages });
  const erpRequestsPerSecond = options.erpRate ?? stage.erpRequestsPerSecond;
  const concurrencyOf = (setting: (typeof QUEUES)[number]['maxConcurrency']) => (setting ? stage[setting] : book.quotas.sqsEventSourceMaxBatches.value);
  const queues: ModelQueue[] = QUEUES.map((queue) => ({
    name: queue.name,
    consumer: queue.consumer,
    subscribesTo: queue.subscribesTo,
    batchSize: queue.batchSize,
    fifo: queue.fifo === true,
    maxConcurrency: concurrencyOf(queue.maxConcurrency),
  }));
  const workflow = workflowShape(readFileSync(join(ROOT, WORKFLOWS.refundOrReplacement.file), 'utf8'));

  const measured = (fn: string, messagesPerInvocation: number): Pick<MessageWork, 'dynamoWrites' | 'dynamoReads' | 'otherAwsCalls' | 'cpuMsPerMessage'> => {
    const entry = durations.functions[fn];
    const detail = detailOf(durations, fn);
    const calls = detail?.awsCallsPerInvocation ?? detail?.erpOrderStatusWebhook?.awsCallsPerInvocation;
    if (!entry || !calls) throw new Error(`${fn}: no measurement in bench/results/durations.json (run npm run capacity:measure)`);
    const { writes, reads } = dynamoCounts(calls);
    const other = Object.entries(calls).reduce((sum, [name, count]) => (name.startsWith('dynamodb:') ? sum : sum + count), 0);
    return { dynamoWrites: writes / messagesPerInvocation, dynamoReads: reads / messagesPerInvocation, otherAwsCalls: other / messagesPerInvocation, cpuMsPerMessage: entry.meanMs / messagesPerInvocation };
  };
  const ingest = measured('webhookIngest', 1);
  const syncState = measured('syncStateProjector', QUEUES.find((queue) => queue.consumer === 'syncStateProjector')!.batchSize);
  const readModels = measured('readModelProjector', QUEUES.find((queue) => queue.consumer === 'readModelProjector')!.batchSize);
  // Not measured: the slowest measured consumer's CPU per message stands in.
  const unmeasuredCpu = Math.max(syncState.cpuMsPerMessage, readModels.cpuMsPerMessage);
  const none = { erpCalls: 0, serviceDeskCalls: 0, publishes: [], erpCommands: 0, otherAwsCalls: 0 };
  const work: Record<string, MessageWork> = {
    webhookIngest: { ...none, ...ingest, basis: 'measured: bench/results/durations.json (dynamodb PutItem + UpdateItem, eventbridge PutEvents)' },
    syncStateProjector: { ...none, ...syncState, basis: 'measured on order.status.changed batches (one guarded UpdateItem per message)' },
    readModelProjector: { ...none, ...readModels, basis: 'measured on order.created batches (timeline entry, alias, order owner, parked-entry query); other types write less' },
    serviceDeskUpdater: {
      ...none,
      dynamoWrites: 1,
      dynamoReads: 0,
      serviceDeskCalls: 3,
      cpuMsPerMessage: unmeasuredCpu,
      basis: 'stated: functions/service-desk-updater/update.ts findCasesForOrder + getCase + setOrderStatus (one linked case), recordServiceDeskStatus; CPU not measured',
    },
    erpNotifications: {
      ...none,
      // Ledger record + completion (functions/adapters/delivery-ledger.ts), one rate-budget slot (erp-coordination-store.ts reserveSlot).
      dynamoWrites: 3,
      dynamoReads: 0,
      erpCalls: 1,
      publishes: ['order.status.changed'],
      otherAwsCalls: 1,
      cpuMsPerMessage: unmeasuredCpu,
      basis: 'stated: one gated order read per notification, one request and one slot, delivery ledger 2 writes + budget slot 1 write, publishes order.status.changed; CPU not measured',
    },
    workflowSteps: {
      ...none,
      // Summary + audit per task, and one rate-budget slot per ERP request (below).
      dynamoWrites: 2 + 5 / Math.max(1, workflow.workflowStepTasks),
      dynamoReads: 1,
      serviceDeskCalls: 1,
      // Eligibility reads the order and its 3 kinds of resolving documents (4 requests,
      // functions/adapters/erp-business-central-resolution.ts), the inventory step one SKU's stock: 5 requests,
      // each its own gate slot, over the workflow's tasks.
      erpCalls: 5 / Math.max(1, workflow.workflowStepTasks),
      // SendTaskSuccess answering the task token.
      otherAwsCalls: 1,
      cpuMsPerMessage: unmeasuredCpu,
      basis: 'stated: per task a workflow summary + audit write and one read (functions/adapters/workflow-store.ts), about one desk call (milestone note), 5 ERP requests per workflow (4 for the order read, 1 for stock), each with its slot write; a case.resolution.requested message starts the workflow; CPU not measured',
    },
    erpDispatcher: {
      ...none,
      // ledger.start + ledger.done (functions/erp-dispatcher/dispatch.ts:91,99) + the budget slot.
      dynamoWrites: 3,
      dynamoReads: 0,
      erpCalls: 1,
      // SendTaskSuccess answering the workflow's task token.
      otherAwsCalls: 1,
      cpuMsPerMessage: unmeasuredCpu,
      basis: 'stated: functions/erp-dispatcher/dispatch.ts ledger.start + ledger.done, one rate-budget slot, one ERP request per command; CPU not measured',
    },
    reconciler: { ...none, dynamoWrites: 0, dynamoReads: 0, cpuMsPerMessage: unmeasuredCpu, basis: 'scheduled, not per webhook: outside the per-webhook model' },
  };

  const assumptions: Assumptions = {
    awsCallMs: 8,
    externalCallMs: 150,
    logBytesPerInvocation: 1500,
    traceSampleRate: 0.05,
    payloadKb: 8,
    ...options.assumptions,
  };
  const inputs: ModelInputs = {
    functions: Object.fromEntries(Object.entries(FUNCTIONS).map(([name, spec]) => [name, { memoryMb: spec.memoryMb }])),
    queues,
    work,
    workflow,
    // functions/workflow-steps/make-handler.ts:108 starts a workflow on this type.
    workflowStartingTypes: ['case.resolution.requested'],
    mix: mixData.mix,
    stage: {
      erpRequestsPerSecond,
      // The schedule's ceiling as a share of R (functions/core/erp/rate-budget.ts: R per 1 s + marginMs).
      erpUtilisation: ceilingRate(defaultRateBudgetConfig(erpRequestsPerSecond, stage.erpSendMarginMs)) / erpRequestsPerSecond,
      webhookThrottleRatePerSecond: stage.webhookThrottleRatePerSecond,
      webhookThrottleBurst: stage.webhookThrottleBurst,
      ingestReservedConcurrency: stage.ingestReservedConcurrency,
    },
    assumptions,
    book,
  };
  return { inputs, durations, book, stageName: stage.stage, mixFile };
};
