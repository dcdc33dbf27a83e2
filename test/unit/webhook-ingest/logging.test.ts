import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { CanonicalEvent } from '../../../functions/core/canonical/events';
import { makeConnectorRegistry } from '../../../functions/core/connectors/registry';
import { makeObservability } from '../../../functions/shared/lambda';
import { makeHandler } from '../../../functions/webhook-ingest/make-handler';
import { makeLambdaContext } from '../../../local/lambda-context';
import { signShopifyWebhook, signStandardWebhook } from '../../../local/sign';
import { loadFixture } from '../../support/fixtures';

const SHOPIFY_SECRET = 'unit-test-shopify-app-secret';
const ERP_SECRET = 'whsec_' + Buffer.from('unit-test-erp-logging-secret').toString('base64');
const EMAIL = 'jon@example.com';

/**
 * Runs the ingest handler with the logger at DEBUG (as an engineer might turn it on in an incident) and
 * returns everything it wrote to stdout and stderr.
 */
const handleCapturingOutput = async (source: string, rawBody: string, headers: Record<string, string>) => {
  const saved = { level: process.env.POWERTOOLS_LOG_LEVEL, trace: process.env.POWERTOOLS_TRACE_ENABLED, dev: process.env.POWERTOOLS_DEV };
  Object.assign(process.env, { POWERTOOLS_LOG_LEVEL: 'DEBUG', POWERTOOLS_TRACE_ENABLED: 'false', POWERTOOLS_DEV: 'false' });
  const written: string[] = [];
  const capture = (chunk: unknown) => (written.push(String(chunk)), true);
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(capture);
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(capture);
  try {
    // Built inside the capture: Powertools reads the level and binds its console when constructed.
    const published: CanonicalEvent[] = [];
    const handler = makeHandler({
      observability: makeObservability({ serviceName: 'webhook-ingest', namespace: 'RetailSyncTest' }),
      secrets: { forSource: async (name) => ({ shopify: [SHOPIFY_SECRET], erp: [ERP_SECRET] })[name] ?? [] },
      publisher: { publish: async (events) => void published.push(...events) },
      ledger: { registerLambdaContext: () => undefined, acceptOnce: async (_key, _fingerprint, accept) => ({ result: await accept(), duplicate: false }) },
      clock: { now: () => new Date() },
      connectors: makeConnectorRegistry(),
    });
    const event = { httpMethod: 'POST', path: `/v1/webhooks/${source}`, pathParameters: { source }, headers, body: rawBody, isBase64Encoded: false } as unknown as APIGatewayProxyEvent;
    const response = await handler(event, makeLambdaContext('retail-sync-test-webhookIngest', 10, 512));
    return { response, published, output: written.join('') };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
    for (const [name, value] of [['POWERTOOLS_LOG_LEVEL', saved.level], ['POWERTOOLS_TRACE_ENABLED', saved.trace], ['POWERTOOLS_DEV', saved.dev]] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
};

describe('webhook ingest logs', () => {
  const order = loadFixture('shopify', 'orders__create');

  it('carry no signature, secret or email of an accepted delivery, even at DEBUG', async () => {
    // Prepare
    const headers = signShopifyWebhook(SHOPIFY_SECRET, order.rawBody, { topic: order.topic });

    // Act
    const { response, published, output } = await handleCapturingOutput('shopify', order.rawBody, headers);

    // Assess: the delivery went through and was logged, without what it must not show.
    expect(response.statusCode).toBe(202);
    expect(JSON.stringify(published)).toContain(EMAIL);
    expect(output).toContain('webhook accepted');
    expect(output).not.toContain(headers['x-shopify-hmac-sha256']);
    expect(output).not.toContain(SHOPIFY_SECRET);
    expect(output.toLowerCase()).not.toContain(EMAIL);
  });

  it('carry no signature, secret or email of a refused delivery, even at DEBUG', async () => {
    // Prepare: an ERP delivery with an email, signed with the wrong secret, and one whose body fails the schema.
    const rawBody = JSON.stringify({ type: 'order.status.changed', timestamp: new Date().toISOString(), data: { orderId: 'SO-1', status: 'nonsense', version: 1, customer: { email: EMAIL } } });
    const forged = signStandardWebhook('whsec_' + Buffer.from('not-the-secret').toString('base64'), rawBody);
    const signed = signStandardWebhook(ERP_SECRET, rawBody);

    // Act
    const refused = await handleCapturingOutput('erp', rawBody, forged);
    const invalid = await handleCapturingOutput('erp', rawBody, signed);

    // Assess
    expect(refused.response.statusCode).toBe(401);
    expect(invalid.response.statusCode).toBe(400);
    for (const [{ output }, headers] of [[refused, forged], [invalid, signed]] as const) {
      expect(output).toContain('webhook refused');
      expect(output).not.toContain(headers['webhook-signature']);
      expect(output).not.toContain(ERP_SECRET);
      expect(output.toLowerCase()).not.toContain(EMAIL);
    }
  });
});
