import { gatewayProblem } from '../../lib/gateway-problems';
import { ROUTES } from '../../lib/topology';
import { signStandardWebhook } from '../../local/sign';
import { startE2eStack, type E2eStack } from '../support/e2e-stack';

const SECRET = 'whsec_' + Buffer.from('e2e-api-keys-erp-secret').toString('base64');
const KEYS = ['key-of-the-support-tool', 'key-of-the-agent-desk'];

describe('who may call the local stack', () => {
  let e2e: E2eStack;

  beforeAll(async () => {
    e2e = await startE2eStack('keys', { signingSecrets: { erp: [SECRET] }, apiKeys: KEYS });
  }, 60_000);
  afterAll(async () => {
    await e2e?.stop();
  });

  /** Each read and process route with path parameters filled in, and a body for the POST. */
  const callerRoutes = ROUTES.filter((route) => route.authorization === 'caller').map((route) => [`${route.method} ${route.path}`, route] as const);
  const call = (route: (typeof ROUTES)[number], headers: Record<string, string> = {}) =>
    fetch(e2e.stack.url + route.path.replace(/\{\w+\}/g, 'X-1'), {
      method: route.method,
      headers: { 'content-type': 'application/json', ...headers },
      body: route.method === 'POST' ? '{}' : undefined,
    });

  it.each(callerRoutes)('answers %s 401 problem+json without an API key or with an unknown one', async (_name, route) => {
    // Act
    const responses = [await call(route), await call(route, { 'x-api-key': 'not-a-key' }), await call(route, { 'x-api-key': '' })];

    // Assess
    for (const response of responses) {
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(await response.json()).toEqual(gatewayProblem('INVALID_API_KEY'));
    }
  });

  it.each(callerRoutes)('lets %s through with any key of API_KEYS', async (_name, route) => {
    // Act
    const statuses = await Promise.all(KEYS.map(async (key) => (await call(route, { 'x-api-key': key })).status));

    // Assess: the function answered (an unknown id, or a body that fails the schema), not the gateway.
    for (const status of statuses) expect([400, 404]).toContain(status);
  });

  it('asks no key of the health check or of a signed webhook', async () => {
    // Prepare
    const rawBody = JSON.stringify({ type: 'order.status.changed', timestamp: new Date().toISOString(), data: { orderId: 'SO-K1', status: 'confirmed', version: 1, occurredAt: new Date().toISOString() } });

    // Act
    const health = await fetch(`${e2e.stack.url}/v1/health`);
    const webhook = await fetch(`${e2e.stack.url}/v1/webhooks/erp`, { method: 'POST', headers: signStandardWebhook(SECRET, rawBody), body: rawBody });

    // Assess
    expect(health.status).toBe(200);
    expect(webhook.status).toBe(202);
  });
});
