import { createHmac } from 'node:crypto';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { CanonicalEvent } from '../../../functions/core/canonical/events';
import { makeObservability } from '../../../functions/shared/lambda';
import { makeHandler } from '../../../functions/webhook-ingest/make-handler';
import { makeLambdaContext } from '../../../local/lambda-context';

const ERP_SECRET = 'whsec_' + Buffer.from('make-handler-erp-secret').toString('base64');
const SHOPIFY_SECRET = 'make-handler-shopify-secret';
const ZENDESK_SECRET = 'make-handler-zendesk-secret';
const now = new Date();

/** Signs bytes as each sender does: over the bytes themselves, never over a decoding of them. */
const signed: Record<string, (body: Buffer) => Record<string, string>> = {
  erp: (body) => {
    const timestamp = String(Math.floor(now.getTime() / 1000));
    const key = Buffer.from(ERP_SECRET.slice('whsec_'.length), 'base64');
    const signature = createHmac('sha256', key).update(`msg_bytes.${timestamp}.`).update(body).digest('base64');
    return { 'webhook-id': 'msg_bytes', 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${signature}` };
  },
  shopify: (body) => ({
    'x-shopify-hmac-sha256': createHmac('sha256', SHOPIFY_SECRET).update(body).digest('base64'),
    'x-shopify-webhook-id': 'webhook-bytes',
    'x-shopify-topic': 'orders/updated',
    'x-shopify-triggered-at': now.toISOString(),
  }),
  zendesk: (body) => ({
    'x-zendesk-webhook-signature': createHmac('sha256', ZENDESK_SECRET).update(now.toISOString()).update(body).digest('base64'),
    'x-zendesk-webhook-signature-timestamp': now.toISOString(),
  }),
};

/** API Gateway's event for a body it passed base64-encoded (a binary media type, or a body that is not text). */
const base64Event = (source: string, body: Buffer, headers: Record<string, string>): APIGatewayProxyEvent =>
  ({
    resource: '/v1/webhooks/{source}',
    path: `/v1/webhooks/${source}`,
    httpMethod: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: { source },
    stageVariables: null,
    requestContext: { requestId: 'req-1', stage: 'test', httpMethod: 'POST', path: `/v1/webhooks/${source}` } as APIGatewayProxyEvent['requestContext'],
    body: body.toString('base64'),
    isBase64Encoded: true,
  }) as APIGatewayProxyEvent;

const handler = () => {
  const published: CanonicalEvent[] = [];
  const secrets: Record<string, string[]> = { erp: [ERP_SECRET], shopify: [SHOPIFY_SECRET], zendesk: [ZENDESK_SECRET] };
  const observability = makeObservability({ serviceName: 'webhook-ingest', namespace: 'RetailSyncTest' });
  jest.spyOn(observability.metrics, 'publishStoredMetrics').mockImplementation(() => observability.metrics);
  const handle = makeHandler({
    observability,
    secrets: { forSource: async (source) => secrets[source] ?? [] },
    publisher: { publish: async (events) => void published.push(...events) },
    ledger: { registerLambdaContext: () => undefined, acceptOnce: async (_key, _fingerprint, accept) => ({ result: await accept(), duplicate: false }) },
    clock: { now: () => now },
  });
  return { published, invoke: (event: APIGatewayProxyEvent) => handle(event, makeLambdaContext('webhook-ingest', 10, 256)) };
};

describe('webhook ingest handler: bodies are bytes until verified', () => {
  afterEach(() => jest.restoreAllMocks());

  // "Gr\xf6\xdfe" is Latin-1: not UTF-8, and a lenient decode would turn it into replacement characters.
  const latin1 = (text: string) => Buffer.from(text, 'latin1');
  const bodies: Record<string, Buffer> = {
    erp: latin1(`{"type":"order.status.changed","timestamp":"${now.toISOString()}","data":{"orderId":"Gr\xf6\xdfe","status":"shipped","version":2,"occurredAt":"${now.toISOString()}"}}`),
    shopify: latin1('{"admin_graphql_api_id":"gid://shopify/Order/1","name":"Gr\xf6\xdfe","currency":"EUR","created_at":"2026-11-27T10:00:00Z"}'),
    zendesk: latin1(`{"id":"zd-1","type":"zen:event-type:ticket.created","time":"${now.toISOString()}","detail":{"id":"1","subject":"Gr\xf6\xdfe"}}`),
  };

  it.each(Object.keys(bodies))('answers a %s body signed over bytes that are not UTF-8 with 400, not 401', async (source) => {
    // Prepare
    const { invoke, published } = handler();
    const body = bodies[source]!;

    // Act
    const response = await invoke(base64Event(source, body, signed[source]!(body)));

    // Assess
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body).detail).toBe('The body is not valid UTF-8.');
    expect(published).toHaveLength(0);
  });

  it('verifies and accepts a base64-encoded UTF-8 body signed over its bytes', async () => {
    // Prepare
    const { invoke, published } = handler();
    const body = Buffer.from(bodies.erp!.toString('latin1'), 'utf8');

    // Act
    const response = await invoke(base64Event('erp', body, signed.erp!(body)));

    // Assess
    expect(response.statusCode).toBe(202);
    expect(published[0]!.detail.data).toMatchObject({ orderId: 'Größe' });
  });

  it('still answers a body changed after signing with 401', async () => {
    // Prepare
    const { invoke } = handler();
    const body = Buffer.from(bodies.erp!.toString('latin1'), 'utf8');
    const headers = signed.erp!(body);

    // Act
    const response = await invoke(base64Event('erp', Buffer.from(body.toString('utf8').replace('shipped', 'returned')), headers));

    // Assess
    expect(response.statusCode).toBe(401);
  });
});
