import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { WorkflowSummary } from '../../../functions/core/ports/workflow-tasks';
import type { RefundOrReplacementInput } from '../../../functions/core/workflows/refund-or-replacement';
import { makeObservability } from '../../../functions/shared/lambda';
import { makeHandler } from '../../../functions/workflow-api/make-handler';
import { makeLambdaContext } from '../../../local/lambda-context';

const WORKFLOW_ID = 'rr-4711-SO-1001-0123456789abcdef0123';
const summary: WorkflowSummary = {
  workflowId: WORKFLOW_ID,
  workflow: 'refund-or-replacement',
  caseId: '4711',
  orderId: 'SO-1001',
  state: 'running',
  milestone: 'received',
  startedAt: '2026-11-28T10:00:00Z',
  updatedAt: '2026-11-28T10:00:00Z',
  erpDocuments: [],
};
const body = { orderId: 'SO-1001', lines: [{ lineId: '10000', quantity: 1, reason: 'damaged' }], preferred: 'replacement', requestedBy: 'agent:7' };

/** An API Gateway proxy event as the REST API gives one to the function. */
const apiEvent = (httpMethod: 'GET' | 'POST', resource: string, path: string, pathParameters: Record<string, string>, requestBody: string | null = null): APIGatewayProxyEvent => ({
  resource,
  path,
  httpMethod,
  headers: { 'content-type': 'application/json' },
  multiValueHeaders: {},
  queryStringParameters: null,
  multiValueQueryStringParameters: null,
  pathParameters,
  stageVariables: null,
  requestContext: { requestId: 'req-1', stage: 'test', httpMethod, path } as APIGatewayProxyEvent['requestContext'],
  body: requestBody,
  isBase64Encoded: false,
});

/** The handler over a starter and a store that record what they were asked. */
const api = () => {
  const started: RefundOrReplacementInput[] = [];
  const read: string[] = [];
  const observability = makeObservability({ serviceName: 'workflow-api', namespace: 'RetailSyncTest' });
  const counted: Array<{ name: string; dimensions: Record<string, string> }> = [];
  let dimensions: Record<string, string> = {};
  jest.spyOn(observability.metrics, 'addDimensions').mockImplementation((added) => {
    dimensions = { ...dimensions, ...added };
    return observability.metrics;
  });
  jest.spyOn(observability.metrics, 'addMetric').mockImplementation((name) => {
    counted.push({ name, dimensions });
    return observability.metrics;
  });
  const handler = makeHandler({
    observability,
    starter: { startRefundOrReplacement: async (input) => (started.push(input), 'started') },
    store: { get: async (workflowId) => (read.push(workflowId), workflowId === WORKFLOW_ID ? { summary, history: [] } : undefined) },
    clock: { now: () => new Date('2026-11-28T12:00:00Z') },
  });
  const invoke = (event: APIGatewayProxyEvent) => handler(event, makeLambdaContext('retail-sync-test-workflow-api', 10, 256));
  return { invoke, started, read, counted };
};

describe('workflow API handler', () => {
  afterEach(() => jest.restoreAllMocks());

  it('starts a resolution for a POST to the case', async () => {
    // Prepare
    const { invoke, started, read } = api();
    // Act
    const response = await invoke(apiEvent('POST', '/v1/cases/{caseId}/resolutions', '/v1/cases/4711/resolutions', { caseId: '4711' }, JSON.stringify(body)));
    // Assess
    expect(response.statusCode).toBe(202);
    expect(started).toEqual([{ workflowId: JSON.parse(response.body).workflowId, request: { ...body, caseId: '4711', correlationId: 'req-1', requestedAt: '2026-11-28T12:00:00.000Z' } }]);
    expect(read).toEqual([]);
  });

  it('refuses a resolution request not declared application/json with 415 and starts nothing', async () => {
    // Prepare
    const { invoke, started } = api();
    const event = { ...apiEvent('POST', '/v1/cases/{caseId}/resolutions', '/v1/cases/4711/resolutions', { caseId: '4711' }, JSON.stringify(body)), headers: { 'Content-Type': 'application/x-www-form-urlencoded' } };
    // Act
    const response = await invoke(event);
    // Assess
    expect(response.statusCode).toBe(415);
    expect(JSON.parse(response.body)).toMatchObject({ status: 415, instance: '/v1/cases/4711/resolutions' });
    expect(started).toEqual([]);
  });

  it('answers the status of a workflow for a GET', async () => {
    // Prepare
    const { invoke, started, read, counted } = api();
    // Act
    const response = await invoke(apiEvent('GET', '/v1/workflows/{workflowId}', `/v1/workflows/${WORKFLOW_ID}`, { workflowId: WORKFLOW_ID }));
    // Assess
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ ...summary, history: [] });
    expect(read).toEqual([WORKFLOW_ID]);
    expect(started).toEqual([]);
    expect(counted).toEqual([{ name: 'WorkflowApiRequest', dimensions: { resource: '/v1/workflows/{workflowId}', status: '200' } }]);
  });

  it('answers 404 with a problem naming the path for a workflow it does not know', async () => {
    // Prepare
    const { invoke } = api();
    // Act
    const response = await invoke(apiEvent('GET', '/v1/workflows/{workflowId}', '/v1/workflows/rr-unknown', { workflowId: 'rr-unknown' }));
    // Assess
    expect(response.statusCode).toBe(404);
    expect(response.headers).toEqual({ 'content-type': 'application/problem+json' });
    expect(JSON.parse(response.body).instance).toBe('/v1/workflows/rr-unknown');
  });
});
