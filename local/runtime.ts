import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyResult, Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { DEFAULT_FIELD_IDS } from '../functions/adapters/service-desk-zendesk';
import { DEFAULT_CUSTOMER_SHARE } from '../functions/core/erp/priority-slots';
import { DEFAULT_MARGIN_MS } from '../functions/core/erp/rate-budget';
import { problemResponse } from '../functions/core/problem';
import { DEFAULT_RECONCILE_SETTINGS, type ReconcileSettings } from '../functions/core/reconciliation/reconcile-settings';
import * as erpDispatcher from '../functions/erp-dispatcher/make-handler';
import * as health from '../functions/health/make-handler';
import * as erpNotifications from '../functions/erp-notifications/make-handler';
import * as orderSyncQuery from '../functions/order-sync-query/make-handler';
import * as readApi from '../functions/read-api/make-handler';
import * as readModelProjector from '../functions/read-model-projector/make-handler';
import * as reconciler from '../functions/reconciler/make-handler';
import * as serviceDeskUpdater from '../functions/service-desk-updater/make-handler';
import { ENV, type Environment } from '../functions/shared/environment';
import { makeObservability, type Observability } from '../functions/shared/lambda';
import * as syncStateProjector from '../functions/sync-state-projector/make-handler';
import * as webhookIngest from '../functions/webhook-ingest/make-handler';
import * as workflowApi from '../functions/workflow-api/make-handler';
import * as workflowSteps from '../functions/workflow-steps/make-handler';
import { exceedsInvokeLimit, FIREWALL_PROBLEMS, gatewayProblem } from '../lib/gateway-problems';
import { loadResolutionPolicies, resolutionPoliciesVariable } from '../lib/resolution-policies';
import { consumedQueue, environmentFor, FUNCTIONS, METRICS_NAMESPACE, resourceNames, QUEUES, ROUTES, type EnvironmentNeed, type FunctionName } from '../lib/topology';
import { emulatorEnvironment, startMoto, type RunningEmulator } from './emulator';
import { makeCloudWatchClient } from '../ops/connection';
import { gatewayEvent } from './gateway-event';
import { makeLambdaContext } from './lambda-context';
import { makeMetricsForwarder } from './metrics-forwarder';
import { DEVELOPMENT_API_KEY } from './dev-secrets';
import { LOCAL_ERP_CLIENT, LOCAL_SERVICE_DESK_AUTHORIZATION, LOCAL_SERVICE_DESK_CREDENTIALS, localErpCredentials } from './dev-credentials';
import { provisionLocalResources, type LocalResources } from './provision';
import { answerOnRawSocket } from './raw-answers';
import { startErpSimulator, type ErpSimulator, type ErpSimulatorOptions } from './simulators/erp';
import { startServiceDeskSimulator, type ServiceDeskSimulator } from './simulators/service-desk';
import { startPoller } from './sqs-poller';

/** The product's version (package.json), which the health check reports. */
const PRODUCT_VERSION = (JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;

/** API Gateway's payload limit. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

export interface LocalStackOptions {
  port?: number;
  stage?: string;
  /** Use an emulator that is already running instead of starting one. */
  emulatorEndpoint?: string;
  serviceDeskPort?: number;
  erp?: ErpSimulatorOptions;
  /** Call this ERP instead of the in-process simulator (e.g. the simulator in its own process). */
  externalErpUrl?: string;
  /** API keys the read and process routes accept in `x-api-key` (default: the development key). */
  apiKeys?: string[];
  /** Active signing secrets per webhook source, newest first. */
  signingSecrets: Record<string, string[]>;
  /** Overrides every local queue's visibility timeout (seconds), for tests that crash consumers; default: the topology's. */
  visibilityTimeoutSeconds?: number;
  /** The ERP rate budget the dispatchers share (default 20 requests/s). */
  erpRequestsPerSecond?: number;
  /**
   * Send the handlers' metrics to the emulator's CloudWatch (one PutMetricData per invocation that emits
   * any). `npm start` turns it on; off by default, because moto keeps every datapoint and answers
   * GetMetricData by scanning them all, so a long test run sharing one emulator would slow it for everyone.
   */
  forwardMetrics?: boolean;
  /** Share of the budget customer work is sure of (default 0.7). */
  erpPriorityShare?: number;
  /** `erpSendMarginMs` (default 40). */
  erpSendMarginMs?: number;
  /** Inventory older than this is flagged stale (default 900 s). */
  inventoryStaleAfterSeconds?: number;
  /** Extra environment for the handlers (e.g. breaker settings). */
  environment?: Record<string, string>;
  /** Reconciliation settings (defaults: DEFAULT_RECONCILE_SETTINGS). */
  reconcile?: Partial<ReconcileSettings>;
  /** Fire scheduled queues (reconciliation, the workflow SLA check) this often, like the EventBridge schedules in AWS; off when unset. */
  scheduleEveryMs?: number;
  /** Tests only: changes a function's dependencies before its handler is built (fault injection). */
  interceptDependencies?: DependencyInterceptor;
  /** Parallel pollers per queue that has a concurrency setting (default 2). */
  maxConcurrency?: number;
  log?: (line: string) => void;
}

export interface LocalStack {
  url: string;
  emulatorEndpoint: string;
  resources: LocalResources;
  serviceDesk: ServiceDeskSimulator;
  erp: ErpSimulator;
  stop(): Promise<void>;
}

type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

interface HandlerModule<D> {
  makeHandler(dependencies: D): unknown;
  dependenciesFrom(environment: Environment, observability: Observability): D;
}

/** Lets a test change a function's dependencies before its handler is built (e.g. to inject a crash). */
export type DependencyInterceptor = <T extends object>(fn: FunctionName, dependencies: T) => T;

/** A function's handler, built by its `makeHandler` from the dependencies its environment names. */
const built = <D>(module: HandlerModule<D>) => (fn: FunctionName, environment: Environment, observability: Observability, intercept?: DependencyInterceptor) => {
  const dependencies = module.dependenciesFrom(environment, observability);
  return module.makeHandler(intercept ? (intercept(fn, dependencies as D & object) as D) : dependencies) as LambdaHandler;
};

const HANDLER_FACTORIES: Record<FunctionName, ReturnType<typeof built>> = {
  webhookIngest: built(webhookIngest),
  orderSyncQuery: built(orderSyncQuery),
  syncStateProjector: built(syncStateProjector),
  serviceDeskUpdater: built(serviceDeskUpdater),
  erpDispatcher: built(erpDispatcher),
  readModelProjector: built(readModelProjector),
  readApi: built(readApi),
  reconciler: built(reconciler),
  workflowSteps: built(workflowSteps),
  workflowApi: built(workflowApi),
  health: built(health),
  erpNotifications: built(erpNotifications),
};

const routeMatcher = (template: string) =>
  new RegExp('^' + template.replace(/[.+*?^$()[\]|\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_, name: string) => `(?<${name}>[^/]+)`) + '/?$');

/** Compares digests, so the time taken says nothing about how much of a key matched. */
const digest = (key: string) => createHash('sha256').update(key).digest();
const apiKeyCheck = (keys: string[]) => {
  const known = keys.map(digest);
  return (presented: string | undefined) => presented !== undefined && known.some((key) => timingSafeEqual(key, digest(presented)));
};

const readBody = (request: http.IncomingMessage): Promise<Buffer | undefined> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks)));
    request.on('error', reject);
  });

/** The request target as a URL (origin or absolute form), or undefined when it is not one. */
const parseRequestUrl = (target: string | undefined): URL | undefined => {
  try {
    return new URL(target ?? '/', 'http://localhost');
  } catch {
    return undefined;
  }
};

/**
 * Runs the product on this machine: the same handlers, with the real AWS SDK, against moto, behind an
 * HTTP server shaped like API Gateway and pollers shaped like Lambda's SQS event source mappings,
 * with simulators of the ERP and the service desk. Everything is built from `lib/topology.ts`.
 */
export const startLocalStack = async (options: LocalStackOptions): Promise<LocalStack> => {
  const log = options.log ?? (() => undefined);
  const stage = options.stage ?? 'local';
  const names = resourceNames(stage);
  let ownEmulator: RunningEmulator | undefined;
  const emulatorEndpoint = options.emulatorEndpoint ?? (ownEmulator = await startMoto({ log })).endpoint;

  Object.assign(process.env, emulatorEnvironment(emulatorEndpoint), {
    POWERTOOLS_TRACE_ENABLED: 'false',
    POWERTOOLS_METRICS_DISABLED: process.env.POWERTOOLS_METRICS_DISABLED ?? 'true',
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
  });

  // The simulators require the credentials the product reads from its secrets, as the real systems do.
  const serviceDesk = await startServiceDeskSimulator({ port: options.serviceDeskPort, requireAuthorization: LOCAL_SERVICE_DESK_AUTHORIZATION });
  const erp = await startErpSimulator({ ...options.erp, credentials: { clientId: LOCAL_ERP_CLIENT.clientId, clientSecret: LOCAL_ERP_CLIENT.clientSecret } });
  const resources = await provisionLocalResources({
    stage,
    signingSecrets: options.signingSecrets,
    visibilityTimeoutSeconds: options.visibilityTimeoutSeconds,
    emulatorEndpoint,
    credentials: { erp: localErpCredentials(options.externalErpUrl ?? erp.url), serviceDesk: LOCAL_SERVICE_DESK_CREDENTIALS },
  });

  const valueOf: Record<EnvironmentNeed, string> = {
    'eventBus:put': resources.busName,
    'idempotencyTable:readWrite': resources.idempotencyTable,
    'syncStateTable:read': resources.syncStateTable,
    'syncStateTable:readWrite': resources.syncStateTable,
    'syncStateTable:reconcile': resources.syncStateTable,
    'webhookSecrets:read': JSON.stringify(resources.secretIdsBySource),
    'coordinationTable:readWrite': resources.coordinationTable,
    'erpRateBudget:read': String(options.erpRequestsPerSecond ?? 20),
    'erpPriorityShare:read': String(options.erpPriorityShare ?? DEFAULT_CUSTOMER_SHARE),
    'erpSendMargin:read': String(options.erpSendMarginMs ?? DEFAULT_MARGIN_MS),
    'readModelTable:read': resources.readModelTable,
    'readModelTable:readWrite': resources.readModelTable,
    'inventoryStaleness:read': String(options.inventoryStaleAfterSeconds ?? 900),
    'zendeskSettings:read': JSON.stringify({}),
    'erp:call': options.externalErpUrl ?? erp.apiUrl,
    'erpCredentials:read': resources.credentialSecrets.erp,
    'serviceDesk:call': serviceDesk.url,
    'serviceDeskCredentials:read': resources.credentialSecrets.serviceDesk,
    'reconcileSettings:read': JSON.stringify({ ...DEFAULT_RECONCILE_SETTINGS, ...options.reconcile }),
    'workflowTable:read': resources.tables.workflows,
    'workflowTable:readWrite': resources.tables.workflows,
    'workflowTable:listByState': resources.tables.workflows,
    'workflows:start': JSON.stringify(resources.stateMachineArns),
    'resolutionPolicies:read': resolutionPoliciesVariable(loadResolutionPolicies()),
    // Set once the HTTP server has its port.
    'erpSubscriptions:keep': '{}',
  };

  const invoke = (name: FunctionName, event: unknown) =>
    handlers.get(name)!(event, makeLambdaContext(names.function(name), FUNCTIONS[name].timeoutSeconds, FUNCTIONS[name].memoryMb));

  const routes = ROUTES.map((route) => ({ route, pattern: routeMatcher(route.path) }));
  const isKnownApiKey = apiKeyCheck(options.apiKeys ?? [DEVELOPMENT_API_KEY]);
  const server = http.createServer(async (request, response) => {
    const send = (result: APIGatewayProxyResult) => {
      // A handler that failed after answering must not throw here: nothing may stop the local stack.
      if (response.headersSent) return void response.end();
      response.writeHead(result.statusCode, result.headers as http.OutgoingHttpHeaders);
      response.end(result.body);
    };
    try {
      // Inside the try: a request line such as `GET http://[::1 HTTP/1.1` passes Node's parser but not URL.
      const url = parseRequestUrl(request.url);
      if (!url) return send(problemResponse(gatewayProblem('BAD_REQUEST_PARAMETERS', 'The request target is not a valid URL.')));
      const pathParameters = (groups: Record<string, string>) => Object.fromEntries(Object.entries(groups).map(([name, value]) => [name, decodeURIComponent(value)]));
      // The web ACL in front of API Gateway refuses these before any route is matched, with its own body.
      if (exceedsInvokeLimit(request.headers['content-length'])) {
        const problem = FIREWALL_PROBLEMS.bodyTooLarge;
        return send({ statusCode: problem.status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(problem) });
      }
      const found = routes
        .map(({ route, pattern }) => ({ route, match: pattern.exec(url.pathname) }))
        .find(({ route, match }) => match && route.method === request.method);
      // API Gateway answers an unmatched method or path alike (MISSING_AUTHENTICATION_TOKEN, mapped to 404).
      if (!found) return send(problemResponse(gatewayProblem('MISSING_AUTHENTICATION_TOKEN')));
      // As API Gateway does for a stage with readApiAuth "apiKey": before the function runs.
      if (found.route.authorization === 'caller' && !isKnownApiKey(request.headers['x-api-key'] as string | undefined)) {
        return send(problemResponse(gatewayProblem('INVALID_API_KEY')));
      }
      let parameters: Record<string, string>;
      try {
        parameters = pathParameters(found.match!.groups ?? {});
      } catch {
        return send(problemResponse(gatewayProblem('BAD_REQUEST_PARAMETERS', 'The path is not valid percent-encoding (RFC 3986: %XX of UTF-8 bytes).')));
      }
      const body = await readBody(request);
      if (body === undefined) {
        return send(problemResponse(gatewayProblem('REQUEST_TOO_LARGE', 'The body exceeds 10 MB.')));
      }
      const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(',') : (value ?? '')]));
      // As API Gateway passes bodies of an API whose binary media types are `*/*`: base64, byte for byte.
      const event = gatewayEvent({ resource: found.route.path, path: url.pathname, method: request.method!, headers, pathParameters: parameters, query: url.searchParams, body, stage });
      send((await invoke(found.route.function, event)) as APIGatewayProxyResult);
    } catch (error) {
      log(`handler error: ${(error as Error).stack ?? String(error)}`);
      send(problemResponse(gatewayProblem('DEFAULT_5XX', 'The handler failed; see the local stack log.')));
    }
  });
  // What never reaches the listener (requests Node's parser refuses, CONNECT): answered as problem+json on the socket.
  answerOnRawSocket(server, log);
  await new Promise<void>((resolve) => server.listen(options.port ?? 3000, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  // Business Central posts its change notifications to this stack's own webhook route.
  valueOf['erpSubscriptions:keep'] = JSON.stringify({
    notificationUrl: `http://127.0.0.1:${port}/v1/webhooks/businesscentral`,
    ...(resources.secretIdsBySource.businesscentral && options.signingSecrets.businesscentral?.length ? { clientStateSecretId: resources.secretIdsBySource.businesscentral } : {}),
  });
  // Each handler is built from its own environment and names, so none reads or changes process.env.
  const handlers = new Map<FunctionName, LambdaHandler>();
  // What Lambda's log pipeline does with EMF lines in AWS: the emulator's CloudWatch gets every metric.
  const cloudwatch = makeCloudWatchClient({ endpoint: emulatorEndpoint });
  const metricsForwarder = makeMetricsForwarder(cloudwatch, { echo: process.env.POWERTOOLS_METRICS_DISABLED === 'false', log });
  for (const name of Object.keys(FUNCTIONS) as FunctionName[]) {
    const queueSpec = consumedQueue(name);
    const queue = queueSpec ? resources.queues.get(queueSpec.name) : undefined;
    const environment = environmentFor(name, valueOf, queue ? { queueUrl: queue.url, deadLetterQueueUrl: queue.deadLetterUrl } : undefined, {
      AWS_LAMBDA_FUNCTION_NAME: names.function(name),
      STAGE: stage,
      [ENV.productVersion]: PRODUCT_VERSION,
      [ENV.serviceDeskFieldIds]: JSON.stringify(DEFAULT_FIELD_IDS),
      ...options.environment,
    });
    const observability = makeObservability({ serviceName: FUNCTIONS[name].serviceName, namespace: METRICS_NAMESPACE });
    if (options.forwardMetrics ?? false) metricsForwarder.attach(observability.metrics);
    handlers.set(name, HANDLER_FACTORIES[name](name, environment, observability, options.interceptDependencies));
  }


  const sqs = new SQSClient({});
  const pollers = QUEUES.flatMap((spec) => {
    const queue = resources.queues.get(spec.name)!;
    const parallel = spec.maxConcurrency ? (options.maxConcurrency ?? 2) : 1;
    return Array.from({ length: parallel }, () =>
      startPoller({
        sqs,
        queueUrl: queue.url,
        queueArn: queue.arn,
        batchSize: spec.batchSize,
        invoke: (event: SQSEvent) => invoke(spec.consumer, event) as Promise<SQSBatchResponse>,
        onError: (error) => log(`${spec.consumer} failed a batch: ${(error as Error).message}`),
      }),
    );
  });

  // EventBridge schedules do not fire in the emulator: a timer sends the same "Scheduled Event" to the queue.
  const tick = (queueName: string) => {
    const time = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const event = { version: '0', id: crypto.randomUUID(), 'detail-type': 'Scheduled Event', source: 'aws.events', time, region: process.env.AWS_REGION, resources: [], detail: {} };
    sqs.send(new SendMessageCommand({ QueueUrl: resources.queues.get(queueName)!.url, MessageBody: JSON.stringify(event) })).catch((error) => log(`schedule of ${queueName} failed: ${(error as Error).message}`));
  };
  const scheduled = QUEUES.filter((spec) => spec.schedule);
  // The first tick at once, so the Business Central subscriptions exist as soon as the stack runs.
  if (options.scheduleEveryMs) scheduled.forEach((spec) => tick(spec.name));
  const schedules = options.scheduleEveryMs ? scheduled.map((spec) => setInterval(() => tick(spec.name), options.scheduleEveryMs)) : [];

  return {
    url: `http://127.0.0.1:${port}`,
    emulatorEndpoint,
    resources,
    serviceDesk,
    erp,
    async stop() {
      schedules.forEach(clearInterval);
      await Promise.all(pollers.map((poller) => poller.stop()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await metricsForwarder.flush();
      cloudwatch.destroy();
      await Promise.all([serviceDesk.close(), erp.close()]);
      await ownEmulator?.stop();
      sqs.destroy();
    },
  };
};
