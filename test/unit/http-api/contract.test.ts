import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { DeliveryConflictError, DeliveryInProgressError } from '../../../functions/core/errors';
import { Problem } from '../../../functions/core/http-api/responses';
import type { DeliveryLedger } from '../../../functions/core/ports/delivery-ledger';
import type { ReadModelStore } from '../../../functions/core/ports/read-model-store';
import type { WorkflowHistoryEntry, WorkflowSummary } from '../../../functions/core/ports/workflow-tasks';
import { problemKindOf } from '../../../functions/core/problem-catalogue';
import type { StoredInventoryLevel, TimelineEntry } from '../../../functions/core/read-models';
import type { OrderSyncRecord } from '../../../functions/core/sync-state';
import { makeHandler as makeHealthHandler } from '../../../functions/health/make-handler';
import { makeHandler as makeOrderSyncHandler } from '../../../functions/order-sync-query/make-handler';
import { makeHandler as makeReadApiHandler } from '../../../functions/read-api/make-handler';
import { makeObservability } from '../../../functions/shared/lambda';
import { makeHandler as makeWebhookHandler } from '../../../functions/webhook-ingest/make-handler';
import { makeHandler as makeWorkflowApiHandler } from '../../../functions/workflow-api/make-handler';
import { contractedRoutes, ROUTE_CONTRACTS, routeKey, type ResponseContract } from '../../../lib/api-contract';
import { GATEWAY_PROBLEMS, gatewayProblem } from '../../../lib/gateway-problems';
import { ROUTES, type RouteSpec } from '../../../lib/topology';
import { makeLambdaContext } from '../../../local/lambda-context';
import { signStandardWebhook } from '../../../local/sign';

/**
 * The contract kept honest from the handlers' side: every status documented for a route's function is
 * one the function really answers (a scenario below makes it), it answers no other, and every answer
 * matches the documented schema, media type and headers. What API Gateway answers is checked against
 * the gateway responses the stack configures.
 */

const NOW = new Date('2026-11-28T12:00:00.000Z');
const SECRET = 'whsec_' + Buffer.from('contract-test-secret').toString('base64');
const WORKFLOW_ID = 'rr-4711-SO-1001-0123456789abcdef0123';
const failing = () => Promise.reject(new Error('the store is unavailable'));

const observability = () => makeObservability({ serviceName: 'contract-test', namespace: 'RetailSyncTest' });
const context = () => makeLambdaContext('retail-sync-test-contract', 10, 256);

/** An API Gateway proxy event for a route, as the REST API gives one to the function. */
const apiEvent = (
  route: string,
  pathParameters: Record<string, string>,
  { query, headers = {}, body = null }: { query?: Record<string, string>; headers?: Record<string, string>; body?: string | null } = {},
): APIGatewayProxyEvent => {
  const [httpMethod, resource] = route.split(' ') as [string, string];
  const requestPath = resource.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(pathParameters[name] ?? ''));
  return {
    resource,
    path: requestPath,
    httpMethod,
    headers,
    multiValueHeaders: {},
    queryStringParameters: query ?? null,
    multiValueQueryStringParameters: null,
    pathParameters,
    stageVariables: null,
    requestContext: { requestId: 'req-1', stage: 'test', httpMethod, path: requestPath } as APIGatewayProxyEvent['requestContext'],
    body,
    isBase64Encoded: false,
  };
};

type Answer = () => Promise<APIGatewayProxyResult>;

// --- webhooks -----------------------------------------------------------------------------------

// Standard Webhooks checks the timestamp against the real clock, so deliveries are signed now.
const SENT_AT = new Date();

const erpBody = (data: Record<string, unknown> = {}) =>
  JSON.stringify({ type: 'order.status.changed', timestamp: SENT_AT.toISOString(), data: { orderId: 'SO-1', status: 'confirmed', version: 1, occurredAt: SENT_AT.toISOString(), ...data } });

const webhooks = (options: { publishFails?: boolean; inProgress?: boolean } = {}) => {
  const seen = new Map<string, { fingerprint: string; result: Record<string, unknown> }>();
  const ledger: DeliveryLedger & { registerLambdaContext(): void } = {
    registerLambdaContext: () => undefined,
    async acceptOnce(key, fingerprint, accept) {
      if (options.inProgress) throw new DeliveryInProgressError('The first delivery is still being processed.');
      const earlier = seen.get(key);
      if (earlier) {
        if (earlier.fingerprint !== fingerprint) throw new DeliveryConflictError('The delivery id was used with another body.');
        return { result: earlier.result as never, duplicate: true };
      }
      const result = await accept();
      seen.set(key, { fingerprint, result });
      return { result, duplicate: false };
    },
  };
  const handler = makeWebhookHandler({
    observability: observability(),
    secrets: { forSource: async (source) => (source === 'erp' ? [SECRET] : []) },
    publisher: { publish: async () => (options.publishFails ? Promise.reject(new Error('bus unavailable')) : undefined) },
    ledger,
    clock: { now: () => SENT_AT },
  });
  return (source: string, body: string, headers: Record<string, string>, query?: Record<string, string>) =>
    handler(apiEvent('POST /v1/webhooks/{source}', { source }, { body, headers, query }), context()) as Promise<APIGatewayProxyResult>;
};

const signed = (body: string, id?: string) => signStandardWebhook(SECRET, body, { id, timestamp: SENT_AT });

// --- reads ----------------------------------------------------------------------------------------

const syncRecord: OrderSyncRecord = {
  orderId: 'SO-1001',
  erp: { status: 'shipped', version: 2, occurredAt: '2026-11-28T11:00:00.000Z', updatedAt: '2026-11-28T11:00:01.000Z', eventId: 'evt-1' },
  serviceDesk: { status: 'shipped', version: 2, updatedAt: '2026-11-28T11:00:02.000Z', caseIds: ['1'], verified: true, verifiedAt: '2026-11-28T11:00:02.000Z' },
};

const orderSync = (getOrder: (orderId: string) => Promise<OrderSyncRecord | undefined>) => {
  const handler = makeOrderSyncHandler({
    observability: observability(),
    store: { getOrder, recordErpStatus: failing, recordServiceDeskStatus: failing },
  });
  return (orderId: string) => handler(apiEvent('GET /v1/orders/{orderId}/sync', { orderId }), context()) as Promise<APIGatewayProxyResult>;
};

const timelineEntry: TimelineEntry = {
  eventId: 'evt-1',
  type: 'order.created',
  occurredAt: '2026-11-27T10:00:00.000Z',
  system: 'shopify',
  summary: 'Order SO-1001 placed',
  entityId: '1001',
  orderId: 'SO-1001',
};
const inventoryLevel: StoredInventoryLevel = { sku: 'MUG-1', location: 'DE-1', available: 4, onHand: 5, asOf: '2026-11-28T11:59:00.000Z', source: 'erp' };

const readApi = (available = true) => {
  const store = {
    timeline: available
      ? async (customerKey: string, limit: number) => ({
          entries: customerKey === 'email:ada@example.com' ? [timelineEntry, { ...timelineEntry, eventId: 'evt-2' }].slice(0, limit) : [],
          ...(customerKey === 'email:ada@example.com' && limit < 2 ? { nextCursor: 'c1' } : {}),
        })
      : failing,
    resolveAlias: async () => undefined,
    inventory: available ? async (sku: string) => (sku === 'MUG-1' ? [inventoryLevel] : []) : failing,
  } as unknown as ReadModelStore;
  const handler = makeReadApiHandler({ observability: observability(), store, clock: { now: () => NOW }, inventoryStaleAfterSeconds: 900 });
  return {
    timeline: (customerId: string, query?: Record<string, string>) =>
      handler(apiEvent('GET /v1/customers/{customerId}/timeline', { customerId }, { query }), context()) as Promise<APIGatewayProxyResult>,
    inventory: (sku: string, query?: Record<string, string>) => handler(apiEvent('GET /v1/inventory/{sku}', { sku }, { query }), context()) as Promise<APIGatewayProxyResult>,
  };
};

// --- workflows ------------------------------------------------------------------------------------

const summary: WorkflowSummary = {
  workflowId: WORKFLOW_ID,
  workflow: 'refund-or-replacement',
  caseId: '4711',
  orderId: 'SO-1001',
  state: 'resolved',
  milestone: 'resolved',
  startedAt: '2026-11-28T10:00:00.000Z',
  updatedAt: '2026-11-28T10:05:00.000Z',
  resolution: 'replacement',
  erpDocuments: [{ type: 'return-authorization', reference: 'RMA-7' }],
  slaDueAt: '2026-11-30T10:00:00.000Z',
};
const history: WorkflowHistoryEntry[] = [
  { at: '2026-11-28T10:00:00.000Z', milestone: 'received', state: 'running', actor: 'agent', cause: 'Agent asked for a replacement' },
  { at: '2026-11-28T10:01:00.000Z', milestone: 'return-authorized', state: 'running', actor: 'erp', cause: 'RMA-7 created', erpDocument: { type: 'return-authorization', reference: 'RMA-7' } },
];
const resolutionBody = JSON.stringify({ orderId: 'SO-1001', lines: [{ lineId: '10000', quantity: 1, reason: 'damaged' }], preferred: 'replacement', requestedBy: 'agent:7' });

const workflowApi = (available = true) => {
  const handler = makeWorkflowApiHandler({
    observability: observability(),
    starter: { startRefundOrReplacement: available ? async () => 'started' : failing },
    store: { get: available ? async (workflowId) => (workflowId === WORKFLOW_ID ? { summary, history } : undefined) : failing },
    clock: { now: () => NOW },
  });
  return {
    start: (caseId: string, body: string, contentType = 'application/json') =>
      handler(apiEvent('POST /v1/cases/{caseId}/resolutions', { caseId }, { body, headers: { 'content-type': contentType } }), context()) as Promise<APIGatewayProxyResult>,
    status: (workflowId: string) => handler(apiEvent('GET /v1/workflows/{workflowId}', { workflowId }), context()) as Promise<APIGatewayProxyResult>,
  };
};

// --- health and the document ----------------------------------------------------------------------

const committedDocument = JSON.parse(readFileSync(path.join(__dirname, '../../../docs/openapi.json'), 'utf8'));
const health = (route: string) =>
  makeHealthHandler({ observability: observability(), stage: 'test', version: '0.1.0', openApiDocument: committedDocument })(apiEvent(route, {}), context()) as Promise<APIGatewayProxyResult>;

/** Requests that make each route's function give each answer it can give. */
const SCENARIOS: Record<string, Array<[string, number, Answer]>> = {
  'POST /v1/webhooks/{source}': [
    ['a signed delivery', 202, () => webhooks()('erp', erpBody(), signed(erpBody()))],
    ['a verified type not mapped yet', 202, () => webhooks()('erp', JSON.stringify({ type: 'payment.captured', timestamp: SENT_AT.toISOString(), data: {} }), signed(JSON.stringify({ type: 'payment.captured', timestamp: SENT_AT.toISOString(), data: {} })))],
    [
      'a redelivery', 202,
      async () => {
        const send = webhooks();
        await send('erp', erpBody(), signed(erpBody(), 'msg_1'));
        return send('erp', erpBody(), signed(erpBody(), 'msg_1'));
      },
    ],
    ["Business Central's subscription handshake", 200, () => webhooks()('businesscentral', '', {}, { validationToken: 'token-1' })],
    ['a signed body that fails the schema', 400, () => webhooks()('erp', erpBody({ version: -1 }), signed(erpBody({ version: -1 })))],
    ['a malformed handshake token', 400, () => webhooks()('businesscentral', '', {}, { validationToken: 'not a token!' })],
    ['no signature headers', 401, () => webhooks()('erp', erpBody(), { 'content-type': 'application/json' })],
    ['a wrong signature', 401, () => webhooks()('erp', erpBody(), { ...signed(erpBody()), 'webhook-signature': 'v1,' + Buffer.from('forged').toString('base64') })],
    ['an unknown source', 404, () => webhooks()('nobody', erpBody(), signed(erpBody()))],
    [
      'a delivery id reused with another body', 409,
      async () => {
        const send = webhooks();
        await send('erp', erpBody(), signed(erpBody(), 'msg_2'));
        return send('erp', erpBody({ version: 2 }), signed(erpBody({ version: 2 }), 'msg_2'));
      },
    ],
    ['a duplicate while the first is processing', 409, () => webhooks({ inProgress: true })('erp', erpBody(), signed(erpBody()))],
    ['a body over 240 KB', 413, () => webhooks()('erp', erpBody({ note: 'x'.repeat(250 * 1024) }), signed(erpBody({ note: 'x'.repeat(250 * 1024) })))],
    ['a body sent as text/plain', 415, () => webhooks()('erp', erpBody(), { ...signed(erpBody()), 'content-type': 'text/plain' })],
    ['the bus unavailable', 500, () => webhooks({ publishFails: true })('erp', erpBody(), signed(erpBody()))],
  ],
  'GET /v1/orders/{orderId}/sync': [
    ['an order seen from both sides', 200, () => orderSync(async () => syncRecord)('SO-1001')],
    ['an order no case is linked to', 200, () => orderSync(async () => ({ orderId: 'SO-1002', erp: syncRecord.erp }))('SO-1002')],
    ['an order never seen', 404, () => orderSync(async () => undefined)('SO-404')],
    ['the store unavailable', 500, () => orderSync(failing)('SO-1001')],
  ],
  'GET /v1/customers/{customerId}/timeline': [
    ['a known customer', 200, () => readApi().timeline('ada@example.com')],
    ['a page with more after it', 200, () => readApi().timeline('ada@example.com', { limit: '1' })],
    ['a limit out of range', 400, () => readApi().timeline('ada@example.com', { limit: '500' })],
    ['an unknown customer', 404, () => readApi().timeline('nobody@example.com')],
    ['the store unavailable', 500, () => readApi(false).timeline('ada@example.com')],
  ],
  'GET /v1/inventory/{sku}': [
    ['a known SKU', 200, () => readApi().inventory('MUG-1')],
    ['an unknown SKU', 404, () => readApi().inventory('NOPE-1')],
    ['an unknown location', 404, () => readApi().inventory('NOPE-1', { location: 'XX' })],
    ['the store unavailable', 500, () => readApi(false).inventory('MUG-1')],
  ],
  'POST /v1/cases/{caseId}/resolutions': [
    ['a valid request', 202, () => workflowApi().start('4711', resolutionBody)],
    ['a body that fails the schema', 400, () => workflowApi().start('4711', JSON.stringify({ orderId: 'SO-1001' }))],
    ['a body that is not JSON', 400, () => workflowApi().start('4711', '{')],
    ['an invalid case id', 400, () => workflowApi().start('case 4711!', resolutionBody)],
    ['a body sent as text/plain', 415, () => workflowApi().start('4711', resolutionBody, 'text/plain')],
    ['Step Functions unavailable', 500, () => workflowApi(false).start('4711', resolutionBody)],
  ],
  'GET /v1/workflows/{workflowId}': [
    ['a recorded workflow', 200, () => workflowApi().status(WORKFLOW_ID)],
    ['an invalid workflow id', 400, () => workflowApi().status('not a workflow id!')],
    ['a workflow not recorded yet', 404, () => workflowApi().status('rr-unknown')],
    ['the store unavailable', 500, () => workflowApi(false).status(WORKFLOW_ID)],
  ],
  'GET /v1/health': [['the health check', 200, () => health('GET /v1/health')]],
  'GET /v1/openapi.json': [['the document', 200, () => health('GET /v1/openapi.json')]],
};

const documentedHandlerStatuses = (route: RouteSpec) =>
  Object.entries(contractedRoutes().find((routed) => routed.route === route)!.responses)
    .filter(([, response]) => response.handler)
    .map(([status]) => Number(status))
    .sort();

const responseOf = (route: RouteSpec, status: number): ResponseContract | undefined => contractedRoutes().find((routed) => routed.route === route)!.responses[status];

/** Why a response does not match what is documented for its status (empty when it does). */
const mismatches = (route: RouteSpec, response: APIGatewayProxyResult): string[] => {
  const documented = responseOf(route, response.statusCode);
  if (!documented) return [`status ${response.statusCode} is not documented`];
  const headers = (response.headers ?? {}) as Record<string, string>;
  const found: string[] = [];
  const undocumentedHeaders = Object.keys(headers).filter((name) => name !== 'content-type' && !(name in (documented.headers ?? {})));
  if (undocumentedHeaders.length > 0) found.push(`undocumented headers ${undocumentedHeaders.join(', ')}`);
  if (ROUTE_CONTRACTS[routeKey(route)]!.deprecated && !(headers.deprecation && headers.sunset)) found.push('a deprecated route answered without Deprecation and Sunset');
  if (documented.body) {
    // The media type without its parameters (`; charset=utf-8`).
    if (headers['content-type']?.split(';')[0] !== documented.body.contentType) found.push(`content-type ${headers['content-type']}, documented ${documented.body.contentType}`);
    const body = documented.body.contentType === 'application/json' ? JSON.parse(response.body) : response.body;
    const parsed = documented.body.schema.safeParse(body);
    if (!parsed.success) found.push(`body fails its schema: ${parsed.error.message}`);
    // Parsing drops what the schema does not know: a field the handler adds must be documented first.
    else if (!isDeepStrictEqual(parsed.data, body)) found.push('body has fields its schema does not document');
    return found;
  }
  if (headers['content-type'] !== 'application/problem+json') found.push(`content-type ${headers['content-type']}, documented application/problem+json`);
  const problem = JSON.parse(response.body);
  const parsed = Problem.safeParse(problem);
  if (!parsed.success) found.push(`problem fails its schema: ${parsed.error.message}`);
  else if (!isDeepStrictEqual(parsed.data, problem)) found.push('problem has members the schema does not document');
  const kind = problemKindOf(problem.type);
  if (!kind || !documented.problems?.includes(kind)) found.push(`problem type ${problem.type} is not documented for ${response.statusCode}`);
  if (problem.status !== response.statusCode) found.push(`problem status ${problem.status} on a ${response.statusCode}`);
  return found;
};

const ROUTES_BY_KEY = new Map(ROUTES.map((route) => [routeKey(route), route]));

describe('HTTP contract, from the handlers', () => {
  it('has scenarios for every route and only for routes', () => {
    // Assess
    expect(Object.keys(SCENARIOS).sort()).toEqual(ROUTES.map(routeKey).sort());
  });

  it.each(ROUTES.map((route) => [routeKey(route), route] as const))('%s: its function answers exactly the statuses documented as its own', async (key, route) => {
    // Act
    const statuses = new Set<number>();
    for (const [, , answer] of SCENARIOS[key]!) statuses.add((await answer()).statusCode);
    // Assess
    expect([...statuses].sort()).toEqual(documentedHandlerStatuses(route));
  });

  it.each(Object.entries(SCENARIOS).flatMap(([key, scenarios]) => scenarios.map(([label, status, answer]) => [key, label, status, answer] as const)))(
    '%s, %s: answers %s as documented (media type, headers, schema)',
    async (key, _label, status, answer) => {
      // Act
      const response = await answer();
      // Assess
      expect(response.statusCode).toBe(status);
      expect(mismatches(ROUTES_BY_KEY.get(key)!, response)).toEqual([]);
    },
  );
});

describe('HTTP contract, from API Gateway', () => {
  const gatewayAnswers = contractedRoutes().flatMap(({ route, responses }) =>
    Object.entries(responses).flatMap(([status, response]) => (response.gateway ?? []).map((type) => [routeKey(route), Number(status), type, route, response] as const)),
  );

  it.each(gatewayAnswers)('%s %s: API Gateway answers %s with that status and a documented problem', (_key, status, type, route, response) => {
    // Prepare
    const problem = gatewayProblem(type);
    // Assess
    expect(GATEWAY_PROBLEMS[type]!.status).toBe(status);
    expect(response.problems).toContain(problemKindOf(problem.type));
    expect(mismatches(route, { statusCode: status, headers: { 'content-type': 'application/problem+json' }, body: JSON.stringify(problem) })).toEqual([]);
  });

  it('documents the refusals of an unknown caller (401 without a key, 403 and 404 for SigV4) on the caller routes only, and on each of them', () => {
    // Act
    const refusing = contractedRoutes()
      .filter(({ responses }) => responses[403]?.gateway?.includes('ACCESS_DENIED') && responses[404]?.gateway?.includes('MISSING_AUTHENTICATION_TOKEN'))
      .map(({ route }) => routeKey(route));
    // Assess
    expect(refusing).toEqual(ROUTES.filter((route) => route.authorization === 'caller').map(routeKey));
  });
});
