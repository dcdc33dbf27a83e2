/**
 * The product's topology as data: functions, HTTP routes, queues and the event rules that feed them.
 * The CDK stack and the local stack are both built from this one definition, so they cannot drift apart.
 * No CDK import here: the local runtime loads it without the CDK.
 */
import { EVENT_SOURCE_PREFIX } from '../functions/core/canonical/events';
import { makeConnectorRegistry } from '../functions/core/connectors/registry';
import { TIMELINE_TYPES } from '../functions/core/read-models';
import { ENV } from '../functions/shared/environment';
import { WORKFLOWS, type WorkflowName } from './workflows';

export type FunctionName =
  | 'webhookIngest'
  | 'orderSyncQuery'
  | 'syncStateProjector'
  | 'serviceDeskUpdater'
  | 'erpDispatcher'
  | 'readModelProjector'
  | 'readApi'
  | 'reconciler'
  | 'workflowSteps'
  | 'workflowApi'
  | 'health'
  | 'erpNotifications';

/** Shared resources a function may use; each grants the access and sets the environment variable it needs. */
export type ResourceNeed =
  | 'eventBus:put'
  | 'idempotencyTable:readWrite'
  | 'syncStateTable:read'
  | 'syncStateTable:readWrite'
  | 'syncStateTable:reconcile'
  | 'webhookSecrets:read'
  | 'coordinationTable:readWrite'
  | 'readModelTable:read'
  | 'readModelTable:readWrite'
  | 'inventoryStaleness:read'
  | 'zendeskSettings:read'
  | 'erpRateBudget:read'
  | 'erpPriorityShare:read'
  | 'erpSendMargin:read'
  | 'erp:call'
  | 'erpCredentials:read'
  | 'serviceDesk:call'
  | 'serviceDeskCredentials:read'
  | 'reconcileSettings:read'
  | 'workflowTable:read'
  | 'workflowTable:readWrite'
  | 'workflowTable:listByState'
  | 'workflows:start'
  | 'workflows:answerTasks'
  | 'resolutionPolicies:read'
  // Where Business Central posts change notifications, and the secret their clientState derives from (read access to that one secret).
  | 'erpSubscriptions:keep';

export interface FunctionSpec {
  /**
   * The function's one name outside the topology: its folder (`functions/<serviceName>/handler.ts`)
   * and its Powertools service name (the `service` dimension of its metrics and logs).
   */
  serviceName: string;
  description: string;
  memoryMb: number;
  timeoutSeconds: number;
  needs: ResourceNeed[];
  /**
   * With `eventBus:put`: the event sources it publishes as; its `events:PutEvents` allows these alone
   * (condition `events:source`), so a function cannot pass its events off as another system's.
   */
  publishesAs?: string[];
  /** The stage setting that reserves (and caps) this function's concurrency; unset: none reserved. */
  reservedConcurrency?: 'ingestReservedConcurrency';
}

/** Ingest publishes each delivery as `retail-sync.<system>` of its connector. */
const INGEST_EVENT_SOURCES = [...new Set(Object.values(makeConnectorRegistry()).map((connector) => EVENT_SOURCE_PREFIX + connector.system))].sort();

/**
 * Every Lambda function of the product: its folder and service name, sizing, and the shared resources
 * it needs (which grant its access and set its environment). Adding a function is one entry here and
 * one folder `functions/<serviceName>/` with `handler.ts` and `make-handler.ts`.
 *
 * @example
 * FUNCTIONS.reconciler.serviceName; // 'reconciler': functions/reconciler/, and the `service` of its logs and metrics
 * FUNCTIONS.reconciler.needs.includes('erp:call'); // true: it gets ERP_BASE_URL and calls through the ERP gate
 */
export const FUNCTIONS: Record<FunctionName, FunctionSpec> = {
  webhookIngest: {
    serviceName: 'webhook-ingest',
    description: 'Verifies, validates and normalises webhooks, then publishes canonical events at least once per delivery',
    memoryMb: 512,
    timeoutSeconds: 10,
    needs: ['eventBus:put', 'idempotencyTable:readWrite', 'webhookSecrets:read', 'zendeskSettings:read'],
    publishesAs: INGEST_EVENT_SOURCES,
    // A webhook flood then takes at most this much of the account's concurrency; the ERP path keeps the rest.
    reservedConcurrency: 'ingestReservedConcurrency',
  },
  orderSyncQuery: {
    serviceName: 'order-sync-query',
    description: 'Answers GET /v1/orders/{orderId}/sync from the sync state',
    memoryMb: 256,
    timeoutSeconds: 10,
    needs: ['syncStateTable:read'],
  },
  syncStateProjector: {
    serviceName: 'sync-state-projector',
    description: "Records the ERP's latest status per order under a version guard",
    memoryMb: 256,
    timeoutSeconds: 30,
    needs: ['syncStateTable:readWrite'],
  },
  serviceDeskUpdater: {
    serviceName: 'service-desk-updater',
    description: 'Pushes order status to linked service cases and records what the desk shows',
    memoryMb: 256,
    timeoutSeconds: 60,
    needs: ['syncStateTable:readWrite', 'serviceDesk:call', 'serviceDeskCredentials:read'],
  },
  erpDispatcher: {
    serviceName: 'erp-dispatcher',
    description: 'Executes buffered ERP commands within the ERP rate budget',
    memoryMb: 256,
    timeoutSeconds: 60,
    // Answers the task token a workflow's ERP command carries with the ERP's reference.
    needs: ['erp:call', 'erpCredentials:read', 'erpRateBudget:read', 'erpPriorityShare:read', 'erpSendMargin:read', 'coordinationTable:readWrite', 'workflows:answerTasks'],
  },
  readModelProjector: {
    serviceName: 'read-model-projector',
    description: 'Builds customer timelines and inventory availability from canonical events',
    memoryMb: 256,
    timeoutSeconds: 30,
    needs: ['readModelTable:readWrite'],
  },
  readApi: {
    serviceName: 'read-api',
    description: 'Answers customer timeline and inventory reads for agents',
    memoryMb: 256,
    timeoutSeconds: 10,
    needs: ['readModelTable:read', 'inventoryStaleness:read'],
  },
  reconciler: {
    serviceName: 'reconciler',
    description: "Finds orders whose sync state or service cases drifted from the ERP and re-emits the ERP's state",
    memoryMb: 256,
    // A slice checks at most maxOrdersPerInvocation orders, read in bulk (ERP pages, one desk export, batched sync state).
    timeoutSeconds: 300,
    needs: [
      'erp:call',
      'erpCredentials:read',
      'erpRateBudget:read',
      'erpPriorityShare:read',
      'erpSendMargin:read',
      'coordinationTable:readWrite',
      // Reads a page of orders at once and records what the cases were read to show (the desk side's verification).
      'syncStateTable:reconcile',
      'serviceDesk:call',
      'serviceDeskCredentials:read',
      'eventBus:put',
      'reconcileSettings:read',
    ],
    // Repairs re-emit the ERP's state as the ERP (reconciliation-events.ts); drift is its own.
    publishesAs: [`${EVENT_SOURCE_PREFIX}erp`, `${EVENT_SOURCE_PREFIX}reconciler`],
  },
  workflowSteps: {
    serviceName: 'workflow-steps',
    description: "Runs the workflows' own steps (eligibility, inventory, milestones on the case, returns, exceptions) and answers their task tokens",
    memoryMb: 256,
    timeoutSeconds: 60,
    needs: [
      'workflowTable:readWrite',
      // The SLA check lists open workflows by state.
      'workflowTable:listByState',
      'workflows:answerTasks',
      'workflows:start',
      'erp:call',
      'erpCredentials:read',
      'erpRateBudget:read',
      'erpPriorityShare:read',
      'erpSendMargin:read',
      'coordinationTable:readWrite',
      'serviceDesk:call',
      'serviceDeskCredentials:read',
      'eventBus:put',
      'resolutionPolicies:read',
    ],
    // Milestones and SLA breaches (workflow-steps.ts).
    publishesAs: [`${EVENT_SOURCE_PREFIX}workflows`],
  },
  workflowApi: {
    serviceName: 'workflow-api',
    description: 'Starts refund-or-replacement workflows for cases and answers where a workflow stands',
    memoryMb: 256,
    timeoutSeconds: 10,
    needs: ['workflowTable:read', 'workflows:start'],
  },
  erpNotifications: {
    serviceName: 'erp-notifications',
    description: "Reads what Business Central's change notifications name (through the ERP gate) and publishes it; keeps its subscriptions alive",
    memoryMb: 256,
    // A collection notification reads up to 50 pages of changed orders.
    timeoutSeconds: 120,
    needs: ['erp:call', 'erpCredentials:read', 'erpRateBudget:read', 'erpPriorityShare:read', 'erpSendMargin:read', 'coordinationTable:readWrite', 'idempotencyTable:readWrite', 'eventBus:put', 'erpSubscriptions:keep'],
    // The order read after a notification, as the ERP (change-notifications.ts).
    publishesAs: [`${EVENT_SOURCE_PREFIX}erp`],
  },
  health: {
    serviceName: 'health',
    description: 'Answers GET /v1/health (the API is up, with its stage and version) and GET /v1/openapi.json; no dependency is called, nothing secret is read',
    memoryMb: 128,
    timeoutSeconds: 3,
    needs: [],
  },
};

/** Path of a function's handler module from the project root. */
export const entryOf = (fn: FunctionName) => `functions/${FUNCTIONS[fn].serviceName}/handler.ts`;

/** CloudWatch namespace of every function's Powertools metrics. */
export const METRICS_NAMESPACE = 'RetailSync';

export interface RouteSpec {
  method: 'GET' | 'POST';
  /** API Gateway resource path; `{name}` segments become path parameters. */
  path: string;
  function: FunctionName;
  /**
   * Webhooks authenticate by signature inside the handler; read and process routes need a known caller
   * (in AWS IAM SigV4 or an API key, per stage: `readApiAuth`; locally an `x-api-key` of `API_KEYS`); the
   * health check and the OpenAPI document are open.
   */
  authorization: 'signature' | 'caller' | 'none';
}

export const ROUTES: RouteSpec[] = [
  { method: 'POST', path: '/v1/webhooks/{source}', function: 'webhookIngest', authorization: 'signature' },
  { method: 'GET', path: '/v1/orders/{orderId}/sync', function: 'orderSyncQuery', authorization: 'caller' },
  { method: 'GET', path: '/v1/customers/{customerId}/timeline', function: 'readApi', authorization: 'caller' },
  { method: 'GET', path: '/v1/inventory/{sku}', function: 'readApi', authorization: 'caller' },
  { method: 'POST', path: '/v1/cases/{caseId}/resolutions', function: 'workflowApi', authorization: 'caller' },
  { method: 'GET', path: '/v1/workflows/{workflowId}', function: 'workflowApi', authorization: 'caller' },
  { method: 'GET', path: '/v1/health', function: 'health', authorization: 'none' },
  // The API's OpenAPI document, embedded in the health function at build time: nothing to read, nothing secret.
  { method: 'GET', path: '/v1/openapi.json', function: 'health', authorization: 'none' },
];

/** Names a stage-level setting that sets the period of a queue's schedule. */
export type ScheduleSetting = 'reconcileEveryMinutes' | 'workflowSlaCheckEveryMinutes' | 'erpSubscriptionCheckEveryMinutes';

/** Names a stage-level setting that bounds a consumer's concurrency. */
export type ConcurrencySetting = 'erpMaxConcurrency' | 'serviceDeskMaxConcurrency';

export interface QueueSpec {
  /** Construct id and, prefixed by the stack name, the queue's name. */
  name: string;
  consumer: FunctionName;
  /** Canonical detail types routed from the bus to this queue; empty for command queues fed directly. */
  subscribesTo: string[];
  batchSize: number;
  /** Receives before SQS moves a message to the DLQ. */
  maxReceiveCount: number;
  maxConcurrency?: ConcurrencySetting;
  /** Environment variable under which producers find this queue's URL. */
  urlEnv?: string;
  /** FIFO queue: messages of one group (one entity) are processed one at a time, in order. */
  fifo?: boolean;
  /** Also fed by a schedule whose period is this stage setting (EventBridge scheduled rule on the default bus; a timer in the local stack). */
  schedule?: ScheduleSetting;
  /** The consumer sends to its own queue (e.g. a long run continuing in a new message). */
  selfFeeding?: boolean;
}

/**
 * Every queue, each with its DLQ and one consuming function: bus-fed queues get a rule for the detail
 * types they subscribe to; command and scheduled queues are fed directly.
 *
 * @example
 * const updater = QUEUES.find((queue) => queue.consumer === 'serviceDeskUpdater')!;
 * updater.subscribesTo; // ['order.status.changed']
 * resourceNames('prod').queue(updater); // 'retail-sync-prod-service-desk-updater'
 */
export const QUEUES: QueueSpec[] = [
  {
    name: 'read-models',
    consumer: 'readModelProjector',
    subscribesTo: [...TIMELINE_TYPES, 'inventory.level.changed'],
    batchSize: 10,
    maxReceiveCount: 5,
  },
  { name: 'sync-state-projector', consumer: 'syncStateProjector', subscribesTo: ['order.status.changed'], batchSize: 10, maxReceiveCount: 5 },
  {
    name: 'service-desk-updater',
    consumer: 'serviceDeskUpdater',
    subscribesTo: ['order.status.changed'],
    batchSize: 5,
    maxReceiveCount: 8,
    maxConcurrency: 'serviceDeskMaxConcurrency',
  },
  {
    name: 'erp-commands',
    consumer: 'erpDispatcher',
    subscribesTo: [],
    batchSize: 10,
    // The dispatcher bounds failed ERP attempts itself and defers (without failing) while the breaker
    // is open or the budget is spent; this bound only catches crash loops.
    maxReceiveCount: 500,
    maxConcurrency: 'erpMaxConcurrency',
    urlEnv: 'ERP_COMMAND_QUEUE_URL',
    fifo: true,
  },
  {
    // Run requests: the schedule's events, `ops reconcile` requests and continuations of long runs.
    name: 'reconciler',
    consumer: 'reconciler',
    subscribesTo: [],
    batchSize: 1,
    maxReceiveCount: 5,
    schedule: 'reconcileEveryMinutes',
    selfFeeding: true,
  },
  {
    // Fed by the state machines' `sqs:sendMessage.waitForTaskToken` tasks, by the bus with the events
    // workflows wait for or start on, and by the schedule of the SLA check.
    name: 'workflow-steps',
    consumer: 'workflowSteps',
    subscribesTo: ['return.received', 'shipment.exception', 'case.resolution.requested'],
    batchSize: 5,
    maxReceiveCount: 8,
    maxConcurrency: 'serviceDeskMaxConcurrency',
    schedule: 'workflowSlaCheckEveryMinutes',
  },
  {
    // Business Central's change notifications, as `erp.resource.changed`, and the subscription check's schedule.
    name: 'erp-notifications',
    consumer: 'erpNotifications',
    subscribesTo: ['erp.resource.changed'],
    batchSize: 5,
    maxReceiveCount: 8,
    maxConcurrency: 'erpMaxConcurrency',
    schedule: 'erpSubscriptionCheckEveryMinutes',
  },
];

/** The state tables every stage has, for the CDK stack and the local stack alike. */
export type TableName = 'idempotency' | 'syncState' | 'coordination' | 'readModels' | 'workflows' | 'audit';

export interface TableSpec {
  /** Appended to the stage prefix: `retail-sync-<stage>-<suffix>`. */
  suffix: string;
  /** String keys. */
  partitionKey: string;
  sortKey?: string;
  /** Epoch-seconds attribute after which DynamoDB deletes the item. */
  timeToLiveAttribute?: string;
  /** Global secondary indexes (string keys, all attributes projected). */
  indexes?: Array<{ name: string; partitionKey: string; sortKey: string }>;
}

export const TABLES: Record<TableName, TableSpec> = {
  // Powertools idempotency's layout.
  idempotency: { suffix: 'idempotency', partitionKey: 'id', timeToLiveAttribute: 'expiration' },
  // One item per entity (`ORDER#<id>`), each side written under a version guard.
  syncState: { suffix: 'sync-state', partitionKey: 'pk' },
  // The ERP rate budget, the circuit breaker, the command ledger and reconciliation runs.
  coordination: { suffix: 'coordination', partitionKey: 'pk', timeToLiveAttribute: 'expiresAt' },
  // Customer timelines, aliases, order owners, inventory by location.
  readModels: { suffix: 'read-models', partitionKey: 'pk', sortKey: 'sk' },
  // Per workflow its summary, its audit trail and the tokens it waits on; listed by state for ops.
  workflows: { suffix: 'workflows', partitionKey: 'pk', sortKey: 'sk', indexes: [{ name: 'by-state', partitionKey: 'stateKey', sortKey: 'updatedAt' }] },
  // What operators did (redrive, purge, retry, abandon, reconcile, replay), per target (`order:<id>`, `workflow:<id>`…),
  // written and read by the ops CLI and console with the operator's own credentials; no function uses it.
  audit: { suffix: 'audit', partitionKey: 'pk', sortKey: 'sk', timeToLiveAttribute: 'expiresAt' },
};

/** The archive keeps every canonical event (for replay); its retention is a stage setting. */
export const ARCHIVE_EVENT_PATTERN = { source: [{ prefix: EVENT_SOURCE_PREFIX }] };

/**
 * How EventBridge delivers to a queue: retried for as long as the event is young enough, then to the
 * queue's DLQ, so an event the queue could not take is never dropped.
 */
export const QUEUE_TARGET_DELIVERY = {
  events: { retryAttempts: 185, maxEventAgeSeconds: 24 * 3600 },
  // A schedule's tick is worth little an hour later: the next one comes.
  schedule: { retryAttempts: 185, maxEventAgeSeconds: 3600 },
} as const;

/** Every queue and DLQ keeps a message for SQS's maximum, 14 days, so an incident can wait for a person. */
export const QUEUE_RETENTION_SECONDS = 14 * 24 * 3600;

/** Event pattern of a queue's rule: canonical events of the given detail types from any origin. */
export const eventPatternFor = (queue: QueueSpec) => ({
  source: [{ prefix: EVENT_SOURCE_PREFIX }],
  'detail-type': queue.subscribesTo,
});

/** Each queue's visibility timeout covers six runs of its consumer, as AWS recommends for Lambda. */
export const visibilityTimeoutSeconds = (queue: QueueSpec) => FUNCTIONS[queue.consumer].timeoutSeconds * 6;

const fifoSuffix = (queue: QueueSpec) => (queue.fifo ? '.fifo' : '');

/**
 * Every name a stage's resources carry, in AWS and in the local stack: the one place names are built.
 *
 * @example
 * const names = resourceNames('dev');
 * names.busName; // 'retail-sync-dev-events'
 * names.table('syncState'); // 'retail-sync-dev-sync-state'
 * names.function('webhookIngest'); // 'retail-sync-dev-webhookIngest'
 */
export const resourceNames = (stage: string) => {
  const prefix = `retail-sync-${stage}`;
  const busName = `${prefix}-events`;
  return {
    prefix,
    busName,
    // EventBridge archive names are at most 48 characters.
    archiveName: `${busName}-archive`.slice(0, 48),
    table: (table: TableName) => `${prefix}-${TABLES[table].suffix}`,
    queue: (queue: QueueSpec) => `${prefix}-${queue.name}${fifoSuffix(queue)}`,
    deadLetterQueue: (queue: QueueSpec) => `${prefix}-${queue.name}-dlq${fifoSuffix(queue)}`,
    rule: (queue: QueueSpec) => `${prefix}-${queue.name}`,
    scheduleRule: (queue: QueueSpec) => `${prefix}-${queue.name}-schedule`,
    function: (fn: FunctionName) => `${prefix}-${fn}`,
    stateMachine: (workflow: WorkflowName) => `${prefix}-${WORKFLOWS[workflow].slug}`,
    api: `${prefix}-api`,
    webAcl: `${prefix}-api-acl`,
    dashboard: prefix,
    alarmTopic: `${prefix}-alarms`,
    alarm: (name: string) => `${prefix}-${name}`,
  };
};
export type ResourceNames = ReturnType<typeof resourceNames>;

/** Environment variable each need sets, beside the queue variables every consumer gets. */
export const ENV_BY_NEED: Record<EnvironmentNeed, string> = {
  'eventBus:put': ENV.eventBusName,
  'idempotencyTable:readWrite': ENV.idempotencyTable,
  'syncStateTable:read': ENV.syncStateTable,
  'syncStateTable:readWrite': ENV.syncStateTable,
  'syncStateTable:reconcile': ENV.syncStateTable,
  'webhookSecrets:read': ENV.webhookSecretIds,
  'coordinationTable:readWrite': ENV.coordinationTable,
  'erpRateBudget:read': ENV.erpRequestsPerSecond,
  'erpPriorityShare:read': ENV.erpPriorityShare,
  'erpSendMargin:read': ENV.erpSendMarginMs,
  'readModelTable:read': ENV.timelineTable,
  'readModelTable:readWrite': ENV.timelineTable,
  'inventoryStaleness:read': ENV.inventoryStaleAfterSeconds,
  'zendeskSettings:read': ENV.zendeskSettings,
  'erp:call': ENV.erpBaseUrl,
  'erpCredentials:read': ENV.erpCredentialsSecret,
  'serviceDesk:call': ENV.serviceDeskBaseUrl,
  'serviceDeskCredentials:read': ENV.serviceDeskCredentialsSecret,
  'reconcileSettings:read': ENV.reconcileSettings,
  'workflowTable:read': ENV.workflowTable,
  'workflowTable:readWrite': ENV.workflowTable,
  'workflowTable:listByState': ENV.workflowTable,
  'workflows:start': ENV.stateMachineArns,
  'resolutionPolicies:read': ENV.resolutionPolicies,
  'erpSubscriptions:keep': ENV.erpSubscriptions,
};

/** The needs that set an environment variable, and so need a value. */
export type EnvironmentNeed = Exclude<ResourceNeed, 'workflows:answerTasks'>;

export const consumedQueue = (fn: FunctionName) => QUEUES.find((queue) => queue.consumer === fn);

/**
 * The environment a function gets: its Powertools service name and namespace, one variable per need
 * (value from `valueOf`), plus its queue and DLQ URLs when it consumes a queue. Used by the CDK stack and the local stack alike.
 *
 * @example
 * const environment = environmentFor('orderSyncQuery', valueOf);
 * // { POWERTOOLS_SERVICE_NAME: 'order-sync-query', POWERTOOLS_METRICS_NAMESPACE: 'RetailSync', SYNC_STATE_TABLE_NAME: valueOf['syncStateTable:read'] }
 * const handler = makeHandler(dependenciesFrom(environment, makeObservability()));
 */
export const environmentFor = (
  fn: FunctionName,
  valueOf: Record<EnvironmentNeed, string>,
  queueUrls?: { queueUrl: string; deadLetterQueueUrl: string },
  extra: Record<string, string> = {},
): Record<string, string> => {
  const environment: Record<string, string> = {
    // Powertools reads both when the handler builds its logger, metrics and tracer.
    POWERTOOLS_SERVICE_NAME: FUNCTIONS[fn].serviceName,
    POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
    ...extra,
  };
  for (const need of FUNCTIONS[fn].needs) {
    // A permission only: it sets no variable.
    if (need === 'workflows:answerTasks') continue;
    environment[ENV_BY_NEED[need]] = valueOf[need];
  }
  if (queueUrls) {
    environment[ENV.queueUrl] = queueUrls.queueUrl;
    environment[ENV.deadLetterQueueUrl] = queueUrls.deadLetterQueueUrl;
  }
  return environment;
};
