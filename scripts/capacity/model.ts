/**
 * The capacity and cost model, as pure functions of its inputs: the topology (functions, queues, rules),
 * the stage settings, the workflow definition's shape, measured handler durations, a webhook mix and
 * the unit prices and quotas. No file, clock or network here: `scripts/capacity.ts` reads the inputs
 * and prints; the unit test feeds small hand-checked cases.
 */

export interface PricedItem {
  value: number;
}
export interface PriceBook {
  prices: Record<
    | 'apiGatewayRestPerMillion'
    | 'apiGatewayHttpPerMillion'
    | 'lambdaRequestsPerMillion'
    | 'lambdaArmPerGbSecond'
    | 'eventBridgeCustomEventsPerMillion'
    | 'sqsStandardPerMillion'
    | 'sqsFifoPerMillion'
    | 'dynamoDbWriteRequestUnitsPerMillion'
    | 'dynamoDbReadRequestUnitsPerMillion'
    | 'stepFunctionsStandardPerThousandTransitions'
    | 'wafRequestsPerMillion'
    | 'cloudWatchLogsIngestionPerGb'
    | 'xRayTracesRecordedPerMillion',
    PricedItem
  >;
  quotas: Record<
    | 'apiGatewayAccountRequestsPerSecond'
    | 'apiGatewayAccountBurst'
    | 'eventBridgePutEventsPerSecond'
    | 'eventBridgeInvocationsPerSecond'
    | 'lambdaAccountConcurrency'
    | 'sqsEventSourceInitialBatches'
    | 'sqsEventSourceScalingPerMinute'
    | 'sqsEventSourceMaxBatches'
    | 'sqsFifoCallsPerSecondPerAction'
    | 'dynamoDbPartitionWriteUnitsPerSecond'
    | 'dynamoDbPartitionReadUnitsPerSecond'
    | 'dynamoDbOnDemandTableWriteUnitsPerSecond'
    | 'stepFunctionsStartExecutionPerSecond'
    | 'stepFunctionsStateTransitionsPerSecond',
    PricedItem
  >;
}

/** A Lambda function as the model needs it (from lib/topology.ts FUNCTIONS). */
export interface ModelFunction {
  memoryMb: number;
}
/** A queue as the model needs it (from lib/topology.ts QUEUES and the stage settings). */
export interface ModelQueue {
  name: string;
  consumer: string;
  subscribesTo: string[];
  batchSize: number;
  fifo: boolean;
  /** Concurrent batches at most: the event source mapping's maxConcurrency, or SQS's own bound. */
  maxConcurrency: number;
}

/**
 * What one message costs its consumer beyond the invocation: AWS calls, ERP and service-desk requests,
 * canonical events it publishes, and its own CPU time (in-process, without round trips).
 */
export interface MessageWork {
  dynamoWrites: number;
  dynamoReads: number;
  erpCalls: number;
  serviceDeskCalls: number;
  /** Canonical detail types it publishes per message (they go back onto the bus). */
  publishes: string[];
  /** ERP commands it enqueues on the FIFO erp-commands queue per message. */
  erpCommands: number;
  /** Other AWS calls per message (PutEvents, SendTaskSuccess, SendMessage, StartExecution): round trips only. */
  otherAwsCalls: number;
  /** In-process handler time per message, ms. */
  cpuMsPerMessage: number;
  /** Where the counts come from (code lines or the measurement). */
  basis: string;
}

export interface Workflow {
  /** States in the definition: each executed at most once on a path without retries, so an upper bound of transitions. */
  states: number;
  /** Tasks that send to the workflow-steps queue, and to the ERP command queue. */
  workflowStepTasks: number;
  erpCommandTasks: number;
}

export interface Assumptions {
  /** Round trip of one DynamoDB/EventBridge/SQS call from Lambda, ms. */
  awsCallMs: number;
  /** Round trip of one ERP or service-desk request, ms. */
  externalCallMs: number;
  /** CloudWatch Logs bytes per Lambda invocation (Powertools JSON lines plus the platform's START/END/REPORT). */
  logBytesPerInvocation: number;
  /** X-Ray: share of requests traced (the default sampling rule: 1 per second plus 5%). */
  traceSampleRate: number;
  /** Webhook body size in KB (one 64 KB chunk or less everywhere: one EventBridge event, one SQS request). */
  payloadKb: number;
}

export interface ModelInputs {
  functions: Record<string, ModelFunction>;
  queues: ModelQueue[];
  /** Per consumer function (and 'webhookIngest' for the ingest invocation itself). */
  work: Record<string, MessageWork>;
  workflow: Workflow;
  /** Detail types whose message starts a workflow (functions/workflow-steps/make-handler.ts). */
  workflowStartingTypes: string[];
  /** Share of accepted webhooks by the canonical detail type they produce (sums to 1). */
  mix: Record<string, number>;
  /** Stage settings that bound throughput. */
  stage: {
    erpRequestsPerSecond: number;
    erpUtilisation: number;
    webhookThrottleRatePerSecond: number;
    webhookThrottleBurst: number;
    ingestReservedConcurrency: number;
  };
  assumptions: Assumptions;
  book: PriceBook;
}

/** Everything one accepted webhook causes, on average over the mix, counted per AWS billing unit. */
export interface Usage {
  apiRequests: number;
  wafRequests: number;
  putEventsCalls: number;
  eventsPublished: number;
  ruleInvocations: number;
  /** Messages per queue, and SQS requests (send + receive + delete per batch) by queue type. */
  messagesByQueue: Record<string, number>;
  sqsStandardRequests: number;
  sqsFifoRequests: number;
  invocationsByFunction: Record<string, number>;
  gbSecondsByFunction: Record<string, number>;
  dynamoWrites: number;
  dynamoReads: number;
  erpCalls: number;
  serviceDeskCalls: number;
  workflowStarts: number;
  stateTransitions: number;
  logGb: number;
  traces: number;
}

const add = (record: Record<string, number>, key: string, amount: number) => {
  record[key] = (record[key] ?? 0) + amount;
};

/** Consumers' queues by the detail type they subscribe to. */
export const queuesFor = (queues: ModelQueue[], detailType: string) => queues.filter((queue) => queue.subscribesTo.includes(detailType));

/**
 * Billed duration of one invocation of `fn` handling `messages` messages: in-process CPU plus the round
 * trips its calls wait for, rounded up to the next millisecond as Lambda bills it.
 */
export const billedMs = (work: MessageWork, messages: number, assumptions: Assumptions) =>
  Math.ceil(
    messages *
      (work.cpuMsPerMessage + (work.dynamoWrites + work.dynamoReads + work.otherAwsCalls) * assumptions.awsCallMs +
        (work.erpCalls + work.serviceDeskCalls) * assumptions.externalCallMs),
  );

/**
 * Counts what one accepted webhook causes, following every event it publishes through the rules to the
 * queues, the consumers and what they publish in turn (to `maxDepth`), with batches `batchFill` full.
 *
 * @example
 * const usage = usagePerWebhook(inputs, 1); // batches full
 * usage.eventsPublished; // canonical events per webhook, ingest's and the consumers'
 */
export const usagePerWebhook = (inputs: ModelInputs, batchFill: number, maxDepth = 4): Usage => {
  const { queues, work, workflow, assumptions } = inputs;
  const usage: Usage = {
    apiRequests: 1,
    wafRequests: 1,
    putEventsCalls: 0,
    eventsPublished: 0,
    ruleInvocations: 0,
    messagesByQueue: {},
    sqsStandardRequests: 0,
    sqsFifoRequests: 0,
    invocationsByFunction: {},
    gbSecondsByFunction: {},
    dynamoWrites: 0,
    dynamoReads: 0,
    erpCalls: 0,
    serviceDeskCalls: 0,
    workflowStarts: 0,
    stateTransitions: 0,
    logGb: 0,
    traces: assumptions.traceSampleRate,
  };
  const ingest = work.webhookIngest!;
  usage.invocationsByFunction.webhookIngest = 1;
  usage.dynamoWrites += ingest.dynamoWrites;
  usage.dynamoReads += ingest.dynamoReads;
  usage.putEventsCalls += 1;

  // Events on the bus, by detail type, per webhook.
  let events: Record<string, number> = { ...inputs.mix };
  const messages: Record<string, number> = {};
  for (let depth = 0; depth < maxDepth && Object.keys(events).length > 0; depth++) {
    const next: Record<string, number> = {};
    for (const [detailType, count] of Object.entries(events)) {
      usage.eventsPublished += count;
      for (const queue of queuesFor(queues, detailType)) {
        usage.ruleInvocations += count;
        add(messages, queue.name, count);
        const consumer = work[queue.consumer];
        if (!consumer) throw new Error(`No work stated for ${queue.consumer}, the consumer of ${queue.name}`);
        for (const published of consumer.publishes) add(next, published, count);
        if (consumer.publishes.length > 0) usage.putEventsCalls += count;
        if (queue.consumer === 'workflowSteps' && inputs.workflowStartingTypes.includes(detailType)) usage.workflowStarts += count;
        if (consumer.erpCommands > 0) add(messages, 'erp-commands', count * consumer.erpCommands);
      }
    }
    events = next;
  }
  // Each workflow sends its task messages to the workflow-steps queue and its ERP commands to the FIFO queue.
  if (usage.workflowStarts > 0) {
    usage.stateTransitions += usage.workflowStarts * workflow.states;
    add(messages, 'workflow-steps', usage.workflowStarts * workflow.workflowStepTasks);
    add(messages, 'erp-commands', usage.workflowStarts * workflow.erpCommandTasks);
  }
  usage.messagesByQueue = messages;

  for (const [name, count] of Object.entries(messages)) {
    const queue = queues.find((candidate) => candidate.name === name);
    if (!queue) throw new Error(`Messages for unknown queue ${name}`);
    const perBatch = Math.max(1, Math.min(queue.batchSize, queue.batchSize * batchFill));
    const batches = count / perBatch;
    // Send one per message (EventBridge or a producer); one receive and one delete per batch.
    const requests = count + 2 * batches;
    if (queue.fifo) usage.sqsFifoRequests += requests;
    else usage.sqsStandardRequests += requests;
    const consumer = work[queue.consumer]!;
    add(usage.invocationsByFunction, queue.consumer, batches);
    add(usage.gbSecondsByFunction, queue.consumer, (batches * billedMs(consumer, perBatch, assumptions) * inputs.functions[queue.consumer]!.memoryMb) / 1024 / 1000);
    usage.dynamoWrites += count * consumer.dynamoWrites;
    usage.dynamoReads += count * consumer.dynamoReads;
    usage.erpCalls += count * consumer.erpCalls;
    usage.serviceDeskCalls += count * consumer.serviceDeskCalls;
  }
  add(usage.gbSecondsByFunction, 'webhookIngest', (billedMs(ingest, 1, assumptions) * inputs.functions.webhookIngest!.memoryMb) / 1024 / 1000);
  const invocations = Object.values(usage.invocationsByFunction).reduce((sum, count) => sum + count, 0);
  usage.logGb = (invocations * assumptions.logBytesPerInvocation) / 1024 ** 3;
  return usage;
};

export type CostLine = { component: string; rest: number; http: number; basis: string };

/** Cost of one million webhooks by component, REST and HTTP API side by side (they differ only in the API line). */
export const costPerMillion = (usage: Usage, book: PriceBook, includeWaf: boolean): CostLine[] => {
  const p = book.prices;
  const million = 1e6;
  const same = (component: string, amount: number, basis: string): CostLine => ({ component, rest: amount, http: amount, basis });
  const invocations = Object.values(usage.invocationsByFunction).reduce((sum, count) => sum + count, 0);
  const gbSeconds = Object.values(usage.gbSecondsByFunction).reduce((sum, count) => sum + count, 0);
  const lines: CostLine[] = [
    { component: 'API Gateway', rest: usage.apiRequests * p.apiGatewayRestPerMillion.value, http: usage.apiRequests * p.apiGatewayHttpPerMillion.value, basis: `${fmt(usage.apiRequests)} request/webhook` },
    same('Lambda requests', invocations * p.lambdaRequestsPerMillion.value, `${fmt(invocations)} invocations/webhook`),
    same('Lambda duration (arm64)', gbSeconds * million * p.lambdaArmPerGbSecond.value, `${fmt(gbSeconds * 1000)} GB-ms/webhook`),
    same('EventBridge', usage.eventsPublished * p.eventBridgeCustomEventsPerMillion.value, `${fmt(usage.eventsPublished)} events/webhook`),
    same('SQS standard', usage.sqsStandardRequests * p.sqsStandardPerMillion.value, `${fmt(usage.sqsStandardRequests)} requests/webhook`),
    same('SQS FIFO', usage.sqsFifoRequests * p.sqsFifoPerMillion.value, `${fmt(usage.sqsFifoRequests)} requests/webhook`),
    same('DynamoDB writes', usage.dynamoWrites * p.dynamoDbWriteRequestUnitsPerMillion.value, `${fmt(usage.dynamoWrites)} WRU/webhook`),
    same('DynamoDB reads', usage.dynamoReads * p.dynamoDbReadRequestUnitsPerMillion.value, `${fmt(usage.dynamoReads)} RRU/webhook`),
    same('Step Functions', (usage.stateTransitions * million * p.stepFunctionsStandardPerThousandTransitions.value) / 1000, `${fmt(usage.stateTransitions)} transitions/webhook`),
    same('CloudWatch Logs', usage.logGb * million * p.cloudWatchLogsIngestionPerGb.value, `${fmt(usage.logGb * 1024 ** 3)} bytes/webhook`),
    same('X-Ray', usage.traces * p.xRayTracesRecordedPerMillion.value, `${fmt(usage.traces)} traces/webhook`),
  ];
  if (includeWaf) lines.push({ component: 'WAF (REST only)', rest: usage.wafRequests * p.wafRequestsPerMillion.value, http: 0, basis: 'HTTP APIs cannot take a web ACL' });
  return lines;
};

export const fmt = (value: number) => (value === 0 ? '0' : Math.abs(value) >= 100 ? value.toFixed(0) : Math.abs(value) >= 1 ? value.toFixed(2) : value.toPrecision(3));

export interface Ceiling {
  name: string;
  /** Webhooks per second at which it binds. */
  webhooksPerSecond: number;
  how: string;
  lift: string;
}

/** The webhook rate at which each quota or setting binds, lowest first. */
export const ceilings = (inputs: ModelInputs, usage: Usage): Ceiling[] => {
  const q = inputs.book.quotas;
  const { stage, assumptions, work } = inputs;
  const ingestSeconds = billedMs(work.webhookIngest!, 1, assumptions) / 1000;
  const erpCallsPerSecond = stage.erpRequestsPerSecond * stage.erpUtilisation;
  const result: Ceiling[] = [
    {
      name: 'API stage throttle on the webhook route (webhookThrottleRatePerSecond)',
      webhooksPerSecond: stage.webhookThrottleRatePerSecond / usage.apiRequests,
      how: `${stage.webhookThrottleRatePerSecond}/s, burst ${stage.webhookThrottleBurst}: above it senders get 429 and retry`,
      lift: 'raise the stage setting (up to the account quota)',
    },
    {
      name: 'Ingest reserved concurrency (ingestReservedConcurrency)',
      webhooksPerSecond: stage.ingestReservedConcurrency / ingestSeconds,
      how: `${stage.ingestReservedConcurrency} environments × 1 webhook per ${fmt(ingestSeconds * 1000)} ms billed`,
      lift: 'raise the stage setting; it exists so a flood leaves concurrency to the ERP path',
    },
    {
      name: 'API Gateway account throttle (per region)',
      webhooksPerSecond: q.apiGatewayAccountRequestsPerSecond.value / usage.apiRequests,
      how: `${q.apiGatewayAccountRequestsPerSecond.value} requests/s shared by every API of the account`,
      lift: 'quota increase; a second region',
    },
    {
      name: 'EventBridge PutEvents (per region)',
      webhooksPerSecond: q.eventBridgePutEventsPerSecond.value / usage.putEventsCalls,
      how: `${q.eventBridgePutEventsPerSecond.value} calls/s; ${fmt(usage.putEventsCalls)} calls per webhook (one per delivery, up to 10 entries each)`,
      lift: 'quota increase; batching deliveries would need a buffer in front of ingest',
    },
    {
      name: 'EventBridge target invocations (per region)',
      webhooksPerSecond: q.eventBridgeInvocationsPerSecond.value / usage.ruleInvocations,
      how: `${q.eventBridgeInvocationsPerSecond.value}/s; ${fmt(usage.ruleInvocations)} rule→queue deliveries per webhook (delayed, not dropped, above it)`,
      lift: 'quota increase; fewer rules per event',
    },
    {
      name: 'Lambda account concurrency',
      // Busy seconds per webhook: each function's GB-seconds over its memory in GB.
      webhooksPerSecond: q.lambdaAccountConcurrency.value / Object.entries(usage.gbSecondsByFunction).reduce((sum, [fn, gbSeconds]) => sum + (gbSeconds * 1024) / inputs.functions[fn]!.memoryMb, 0),
      how: `${q.lambdaAccountConcurrency.value} concurrent executions over every function's busy seconds per webhook`,
      lift: 'quota increase (routinely granted to tens of thousands)',
    },
    {
      name: 'DynamoDB idempotency table (on-demand table maximum)',
      webhooksPerSecond: q.dynamoDbOnDemandTableWriteUnitsPerSecond.value / work.webhookIngest!.dynamoWrites,
      how: `${q.dynamoDbOnDemandTableWriteUnitsPerSecond.value} WRU/s; ${work.webhookIngest!.dynamoWrites} writes per webhook (Powertools idempotency: record, then complete)`,
      lift: 'raise the table maximum; keys are per delivery, so no partition is hot',
    },
  ];
  if (usage.erpCalls > 0) {
    result.push({
      name: 'ERP rate budget (erpRequestsPerSecond × utilisation)',
      webhooksPerSecond: erpCallsPerSecond / usage.erpCalls,
      how: `${fmt(erpCallsPerSecond)} ERP calls/s; ${fmt(usage.erpCalls)} ERP calls per webhook: above it the ERP queues grow (nothing is lost; they drain later)`,
      lift: "a higher ERP limit from the ERP's owner; fewer ERP reads per webhook",
    });
    result.push({
      name: 'DynamoDB rate-budget item (one partition)',
      webhooksPerSecond: q.dynamoDbPartitionWriteUnitsPerSecond.value / usage.erpCalls,
      how: `${q.dynamoDbPartitionWriteUnitsPerSecond.value} WCU/s on one item, written once per ERP call (twice when the schedule is idle)`,
      lift: 'shard the budget into N items each with R/N; caps ERP calls near 1,000/s, which is also erpRequestsPerSecond\'s maximum',
    });
  }
  if (usage.serviceDeskCalls > 0) {
    const updater = inputs.queues.find((queue) => queue.consumer === 'serviceDeskUpdater');
    if (updater) {
      const perBatchSeconds = billedMs(work.serviceDeskUpdater!, updater.batchSize, assumptions) / 1000;
      const messagesPerSecond = (updater.maxConcurrency * updater.batchSize) / perBatchSeconds;
      result.push({
        name: 'Service-desk updater concurrency (serviceDeskMaxConcurrency)',
        webhooksPerSecond: messagesPerSecond / (usage.messagesByQueue[updater.name] ?? Infinity),
        how: `${updater.maxConcurrency} batches of ${updater.batchSize} at ${fmt(perBatchSeconds * 1000)} ms each; the desk's own API limit applies too`,
        lift: "raise the stage setting within the desk's API rate limit",
      });
    }
  }
  if (usage.workflowStarts > 0) {
    result.push({
      name: 'Step Functions state transitions (Standard, per region)',
      webhooksPerSecond: q.stepFunctionsStateTransitionsPerSecond.value / usage.stateTransitions,
      how: `${q.stepFunctionsStateTransitionsPerSecond.value}/s; at most ${inputs.workflow.states} per workflow`,
      lift: 'quota increase',
    });
  }
  return result.sort((a, b) => a.webhooksPerSecond - b.webhooksPerSecond);
};

export interface HotKey {
  item: string;
  limit: string;
}

/**
 * The items every instance touches, and one order's items: what bounds them. Per-item throughput is the
 * partition's (1,000 WCU/s, 3,000 RCU/s).
 */
export const hotKeys = (inputs: ModelInputs, erpInstances: number, breakerCacheMs: number): HotKey[] => {
  const q = inputs.book.quotas;
  const dispatcherMs = billedMs(inputs.work.erpDispatcher!, 1, inputs.assumptions);
  const statusWrites = (inputs.work.syncStateProjector?.dynamoWrites ?? 0) + (inputs.work.serviceDeskUpdater?.dynamoWrites ?? 0);
  return [
    {
      item: 'ERP rate budget (coordination table, one item)',
      limit: `one conditional write per ERP request (two when idle): at most ${fmt(q.dynamoDbPartitionWriteUnitsPerSecond.value)} ERP requests/s through one item, whatever erpRequestsPerSecond says (its maximum is 1,000)`,
    },
    {
      item: 'Circuit breaker (coordination table, one item)',
      limit: `a closed breaker is read at most once per ${breakerCacheMs} ms per instance: ${fmt(erpInstances * (1000 / breakerCacheMs))} reads/s with ${erpInstances} ERP-calling instances, against ${fmt(q.dynamoDbPartitionReadUnitsPerSecond.value)} RCU/s; writes only on failures and probes`,
    },
    {
      item: "One order's sync state (ORDER#<id>)",
      limit: `${fmt(statusWrites)} writes per order.status.changed (projector + desk record): ${fmt(q.dynamoDbPartitionWriteUnitsPerSecond.value / Math.max(1, statusWrites))} status changes/s for one order before its partition throttles; no sender changes one order that fast`,
    },
    {
      item: "One order's ERP commands (FIFO message group)",
      limit: `one command in flight per order: about ${fmt(1000 / dispatcherMs)} commands/s for one order at ${dispatcherMs} ms per command; parallelism comes from different orders`,
    },
  ];
};

/** One queue in the simulation: its arrivals per webhook and how fast its consumer can take messages. */
export interface SimulatedQueue {
  name: string;
  arrivalsPerWebhook: number;
  /** Messages per second one concurrent batch handles. */
  messagesPerSecondPerBatch: number;
  maxConcurrency: number;
  /** ERP calls per message: such messages also wait for the shared ERP budget. */
  erpCallsPerMessage: number;
  /** Starts at this many concurrent batches and grows by `scalingPerSecond` while messages wait (SQS event source scaling). */
  initialConcurrency: number;
  scalingPerSecond: number;
}

export interface SimulationInput {
  queues: SimulatedQueue[];
  /** Webhooks offered per second at time t (s). */
  offeredRate: (t: number) => number;
  /** Webhooks the API accepts per second (the lower of the stage throttle and the account's), its burst bucket, and which limit that is. */
  acceptRate: number;
  acceptBurst: number;
  acceptLimit?: string;
  /** PutEvents calls per second (regional quota) and per accepted webhook (ingest's and the consumers'). */
  putEventsPerSecond?: number;
  putEventsCallsPerWebhook?: number;
  /** Account concurrency, and the seconds ingest is busy per webhook: a limit is reported when ingest and the consumers together would pass it. */
  accountConcurrency?: number;
  ingestSecondsPerWebhook?: number;
  /** Webhooks per second the ingest function can take (concurrency over duration). */
  ingestCapacity: number;
  /** ERP calls per second (R × utilisation), shared by every ERP-bound queue in proportion to its backlog. */
  erpCallsPerSecond: number;
  durationSeconds: number;
  /** Keep stepping after `durationSeconds` until every queue is empty, at most this long. */
  drainLimitSeconds: number;
  stepSeconds: number;
}

export interface SimulationResult {
  offered: number;
  accepted: number;
  throttled: number;
  erpCalls: number;
  queues: Record<string, { arrived: number; processed: number; maxDepth: number; maxDepthAt: number; depthAtEnd: number; drainedAt: number | undefined; maxConcurrency: number }>;
  /** Seconds after the offered load ends until every queue is empty (undefined: not within the limit). */
  drainSeconds: number | undefined;
  /** First second at which something held work back, and what. */
  firstLimit: { at: number; what: string } | undefined;
}

/**
 * A time-stepped fluid simulation: each step, webhooks arrive, the API throttle's token bucket admits
 * some (the rest are answered 429), ingest takes what its concurrency allows, each queue receives its
 * share, consumers scale up while messages wait and take what their concurrency (and, for ERP-bound
 * queues, the shared ERP budget) allows. Every figure it returns is a sum or a maximum of its state.
 */
export const simulate = (input: SimulationInput): SimulationResult => {
  const dt = input.stepSeconds;
  const state = input.queues.map((queue) => ({ queue, depth: 0, arrived: 0, processed: 0, maxDepth: 0, maxDepthAt: 0, concurrency: Math.min(queue.initialConcurrency, queue.maxConcurrency), maxConcurrency: 0, drainedAt: undefined as number | undefined }));
  let tokens = input.acceptBurst;
  const result: SimulationResult = { offered: 0, accepted: 0, throttled: 0, erpCalls: 0, queues: {}, drainSeconds: undefined, firstLimit: undefined };
  const limit = (at: number, what: string) => {
    if (!result.firstLimit) result.firstLimit = { at, what };
  };
  const end = input.durationSeconds + input.drainLimitSeconds;
  for (let t = 0; t < end; t += dt) {
    const loading = t < input.durationSeconds;
    const offered = loading ? input.offeredRate(t) * dt : 0;
    result.offered += offered;
    // Token bucket: what the step refills plus what the bucket held; the bucket keeps at most the burst.
    const available = tokens + input.acceptRate * dt;
    const admitted = Math.min(offered, available);
    tokens = Math.min(input.acceptBurst, available - admitted);
    if (offered - admitted > 1e-9) limit(t, `${input.acceptLimit ?? 'API stage throttle'} (429s)`);
    result.throttled += offered - admitted;
    // Requests ingest cannot run at once are answered 429 by Lambda through API Gateway (reserved concurrency).
    const byConcurrency = Math.min(admitted, input.ingestCapacity * dt);
    if (admitted - byConcurrency > 1e-9) limit(t, 'ingest reserved concurrency (429s)');
    const ingestable = input.putEventsPerSecond && input.putEventsCallsPerWebhook ? Math.min(byConcurrency, (input.putEventsPerSecond / input.putEventsCallsPerWebhook) * dt) : byConcurrency;
    if (byConcurrency - ingestable > 1e-9) limit(t, 'EventBridge PutEvents quota (ingest answers 5xx, senders retry)');
    result.throttled += admitted - ingestable;
    result.accepted += ingestable;

    const erpDemand = state.reduce((sum, entry) => sum + (entry.queue.erpCallsPerMessage > 0 ? Math.min(entry.depth + ingestable * entry.queue.arrivalsPerWebhook, entry.concurrency * entry.queue.messagesPerSecondPerBatch * dt) * entry.queue.erpCallsPerMessage : 0), 0);
    for (const entry of state) {
      const arriving = ingestable * entry.queue.arrivalsPerWebhook;
      entry.arrived += arriving;
      entry.depth += arriving;
      let capacity = entry.concurrency * entry.queue.messagesPerSecondPerBatch * dt;
      if (entry.queue.erpCallsPerMessage > 0 && erpDemand > 0) {
        const share = (Math.min(entry.depth, capacity) * entry.queue.erpCallsPerMessage) / erpDemand;
        const erpLimited = (input.erpCallsPerSecond * dt * share) / entry.queue.erpCallsPerMessage;
        if (erpLimited < Math.min(entry.depth, capacity) - 1e-9) limit(t, `ERP rate budget (${entry.queue.name} waits)`);
        capacity = Math.min(capacity, erpLimited);
      }
      const taken = Math.min(entry.depth, capacity);
      if (entry.depth - taken > 1e-9 && entry.concurrency >= entry.queue.maxConcurrency) limit(t, `${entry.queue.name} consumer concurrency (backlog grows)`);
      entry.depth -= taken;
      entry.processed += taken;
      if (entry.queue.erpCallsPerMessage > 0) {
        result.erpCalls += taken * entry.queue.erpCallsPerMessage;
      }
      // Event source scaling: more pollers while messages wait, back towards the floor when the queue is empty.
      entry.concurrency = entry.depth > 1e-9 ? Math.min(entry.queue.maxConcurrency, entry.concurrency + entry.queue.scalingPerSecond * dt) : Math.min(entry.queue.maxConcurrency, Math.max(entry.queue.initialConcurrency, entry.concurrency));
      entry.maxConcurrency = Math.max(entry.maxConcurrency, entry.concurrency);
      if (entry.depth > entry.maxDepth) {
        entry.maxDepth = entry.depth;
        entry.maxDepthAt = t;
      }
      if (entry.depth < 0.5 && entry.drainedAt === undefined && !loading) entry.drainedAt = t + dt;
      if (entry.depth >= 0.5) entry.drainedAt = undefined;
    }
    if (input.accountConcurrency && input.ingestSecondsPerWebhook) {
      const inUse = (ingestable / dt) * input.ingestSecondsPerWebhook + state.reduce((sum, entry) => sum + (entry.depth > 1e-9 ? entry.concurrency : 0), 0);
      if (inUse > input.accountConcurrency) limit(t, 'Lambda account concurrency');
    }
    if (!loading && state.every((entry) => entry.depth < 0.5)) {
      result.drainSeconds = t + dt - input.durationSeconds;
      break;
    }
  }
  for (const entry of state) {
    result.queues[entry.queue.name] = {
      arrived: entry.arrived,
      processed: entry.processed,
      maxDepth: entry.maxDepth,
      maxDepthAt: entry.maxDepthAt,
      depthAtEnd: entry.depth,
      drainedAt: entry.drainedAt,
      maxConcurrency: entry.maxConcurrency,
    };
  }
  return result;
};
