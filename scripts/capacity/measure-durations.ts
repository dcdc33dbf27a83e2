/**
 * Times real handlers in-process and counts the AWS calls each invocation makes, for the capacity model
 * (`npm run capacity:measure` writes bench/results/durations.json).
 *
 * Each handler is built exactly as its Lambda entry builds it (`dependenciesFrom(environmentFor(...))`
 * then `makeHandler`), with the real AWS SDK v3 clients whose `send` is answered by aws-sdk-client-mock:
 * no network, so a duration is the handler's own CPU work (verification, validation, mapping, SDK
 * serialisation, Powertools) on this machine, without AWS's round trips.
 */
import { execSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';

process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_TRACE_ENABLED = 'false';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
process.env.AWS_REGION ??= 'us-east-1';
process.env.AWS_ACCESS_KEY_ID ??= 'measure';
process.env.AWS_SECRET_ACCESS_KEY ??= 'measure';

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEvent, SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { FUNCTIONS, environmentFor, type EnvironmentNeed, type FunctionName } from '../../lib/topology';
import { makeObservability } from '../../functions/shared/lambda';
import { makeLambdaContext } from '../../local/lambda-context';
import * as ingestModule from '../../functions/webhook-ingest/make-handler';
import * as syncStateModule from '../../functions/sync-state-projector/make-handler';
import * as readModelModule from '../../functions/read-model-projector/make-handler';

const ROOT = join(__dirname, '..', '..');
const RUNS = Number(process.argv.find((arg) => arg.startsWith('--runs='))?.slice('--runs='.length) ?? 300);
const ERP_SECRET = 'whsec_' + Buffer.from('capacity-measure-erp').toString('base64');
const SHOPIFY_SECRET = 'capacity-measure-shopify';

const clients = { dynamodb: mockClient(DynamoDBClient), dynamodbDocument: mockClient(DynamoDBDocumentClient), eventbridge: mockClient(EventBridgeClient), secrets: mockClient(SecretsManagerClient), sqs: mockClient(SQSClient) };
const published: PutEventsRequestEntry[] = [];
const answerAll = () => {
  for (const client of Object.values(clients)) client.reset();
  clients.dynamodb.onAnyCommand().resolves({});
  clients.dynamodbDocument.onAnyCommand().resolves({});
  clients.sqs.onAnyCommand().resolves({});
  clients.secrets.on(GetSecretValueCommand, { SecretId: 'erp-secret' }).resolves({ SecretString: ERP_SECRET });
  clients.secrets.on(GetSecretValueCommand, { SecretId: 'shopify-secret' }).resolves({ SecretString: SHOPIFY_SECRET });
  clients.eventbridge.on(PutEventsCommand).callsFake((input: { Entries: PutEventsRequestEntry[] }) => {
    published.push(...input.Entries);
    return { FailedEntryCount: 0, Entries: input.Entries.map((_, index) => ({ EventId: `event-${index}` })) };
  });
};

/** Every need's value: placeholders, except the webhook secrets' ids. */
const valueOf = new Proxy({} as Record<EnvironmentNeed, string>, {
  get: (_target, need: string) =>
    need === 'webhookSecrets:read' ? JSON.stringify({ erp: 'erp-secret', shopify: 'shopify-secret' }) : need === 'zendeskSettings:read' ? '{}' : need.includes('Table') ? `capacity-${need.split(':')[0]}` : 'capacity',
});
const queueUrls = { queueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/q', deadLetterQueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/q-dlq' };

const build = <H>(fn: FunctionName, module: { makeHandler: (d: never) => H; dependenciesFrom: (e: Record<string, string>, o: never) => unknown }, consumes: boolean) => {
  const environment = { ...environmentFor(fn, valueOf, consumes ? queueUrls : undefined), AWS_LAMBDA_FUNCTION_NAME: `capacity-${fn}` };
  const observability = makeObservability({ serviceName: FUNCTIONS[fn].serviceName, namespace: 'RetailSyncCapacity' });
  return module.makeHandler(module.dependenciesFrom(environment, observability as never) as never);
};

let sequence = 0;
const erpWebhook = (): APIGatewayProxyEvent => {
  sequence += 1;
  const now = new Date();
  const body = Buffer.from(JSON.stringify({ type: 'order.status.changed', timestamp: now.toISOString(), data: { orderId: `SO-${sequence}`, status: 'shipped', version: sequence, occurredAt: now.toISOString() } }));
  const timestamp = String(Math.floor(now.getTime() / 1000));
  const id = `msg_${sequence}`;
  const signature = createHmac('sha256', Buffer.from(ERP_SECRET.slice('whsec_'.length), 'base64')).update(`${id}.${timestamp}.`).update(body).digest('base64');
  return apiEvent('erp', body, { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${signature}` });
};
const shopifyFixture = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/shopify/orders__create.json'), 'utf8')) as { body: Record<string, unknown> };
const shopifyWebhook = (): APIGatewayProxyEvent => {
  sequence += 1;
  const body = Buffer.from(JSON.stringify({ ...shopifyFixture.body, id: 1000 + sequence, admin_graphql_api_id: `gid://shopify/Order/${1000 + sequence}`, name: `#${sequence}` }));
  return apiEvent('shopify', body, {
    'x-shopify-hmac-sha256': createHmac('sha256', SHOPIFY_SECRET).update(body).digest('base64'),
    'x-shopify-webhook-id': `w-${sequence}`,
    'x-shopify-topic': 'orders/create',
    'x-shopify-triggered-at': new Date().toISOString(),
  });
};
/** The parts of API Gateway's proxy event the ingest handler reads. */
const apiEvent = (source: string, body: Buffer, headers: Record<string, string>) =>
  ({ path: `/v1/webhooks/${source}`, pathParameters: { source }, headers: { 'content-type': 'application/json', ...headers }, queryStringParameters: null, body: body.toString('utf8'), isBase64Encoded: false }) as unknown as APIGatewayProxyEvent;

/** The SQS batch EventBridge would deliver: each published entry in EventBridge's envelope. */
const sqsBatch = (entries: PutEventsRequestEntry[]): SQSEvent => ({
  Records: entries.map((entry, index) => ({
    messageId: `m-${sequence}-${index}`,
    receiptHandle: `r-${sequence}-${index}`,
    body: JSON.stringify({ version: '0', id: `e-${sequence}-${index}`, 'detail-type': entry.DetailType, source: entry.Source, account: '123456789012', time: new Date().toISOString(), region: 'us-east-1', resources: [], detail: JSON.parse(entry.Detail ?? '{}') }),
    attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(Date.now()), SenderId: 'x', ApproximateFirstReceiveTimestamp: String(Date.now()) },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:q',
    awsRegion: 'us-east-1',
  })),
});

const callsSince = () => {
  const counts: Record<string, number> = {};
  for (const [service, client] of Object.entries(clients)) {
    for (const call of client.calls()) {
      const name = `${service.replace(/Document$/, '')}:${(call.args[0] as object).constructor.name.replace(/Command$/, '')}`;
      counts[name] = (counts[name] ?? 0) + 1;
    }
  }
  return counts;
};

const stats = (samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  return { meanMs: +(samples.reduce((a, b) => a + b, 0) / samples.length).toFixed(3), p50Ms: +at(0.5).toFixed(3), p99Ms: +at(0.99).toFixed(3), runs: samples.length };
};

/** Runs `invoke` RUNS times after 20 discarded warm-ups; returns timings and the AWS calls of one (the last) invocation. */
const measure = async (invoke: () => Promise<unknown>, unit: string) => {
  for (let i = 0; i < 20; i++) await invoke();
  const samples: number[] = [];
  let callsPerInvocation: Record<string, number> = {};
  for (let i = 0; i < RUNS; i++) {
    answerAll();
    const start = process.hrtime.bigint();
    await invoke();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
    callsPerInvocation = callsSince();
  }
  return { ...stats(samples), invocationIs: unit, awsCallsPerInvocation: callsPerInvocation };
};

const main = async () => {
  answerAll();
  const ingest = build('webhookIngest', ingestModule as never, false) as (e: APIGatewayProxyEvent, c: unknown) => Promise<{ statusCode: number }>;
  const syncState = build('syncStateProjector', syncStateModule as never, true) as (e: SQSEvent, c: unknown) => Promise<{ batchItemFailures: unknown[] }>;
  const readModels = build('readModelProjector', readModelModule as never, true) as (e: SQSEvent, c: unknown) => Promise<{ batchItemFailures: unknown[] }>;
  const context = (fn: FunctionName) => makeLambdaContext(`capacity-${fn}`, FUNCTIONS[fn].timeoutSeconds, FUNCTIONS[fn].memoryMb);
  const accepted = async (event: APIGatewayProxyEvent) => {
    const response = await ingest(event, context('webhookIngest'));
    if (response.statusCode !== 202 && response.statusCode !== 200) throw new Error(`ingest answered ${response.statusCode}: ${JSON.stringify(response)}`);
  };

  // Canonical events for the consumers, as ingest published them.
  published.length = 0;
  for (let i = 0; i < 10; i++) await accepted(erpWebhook());
  const statusEvents = [...published];
  published.length = 0;
  for (let i = 0; i < 10; i++) await accepted(shopifyWebhook());
  const orderEvents = [...published];
  const batchOk = (result: { batchItemFailures: unknown[] }) => {
    if (result.batchItemFailures.length > 0) throw new Error(`a consumer failed ${result.batchItemFailures.length} messages`);
  };

  const functions = {
    webhookIngest: {
      erpOrderStatusWebhook: await measure(() => accepted(erpWebhook()), 'one ERP order.status.changed webhook (Standard Webhooks signature)'),
      shopifyOrderCreateWebhook: await measure(() => accepted(shopifyWebhook()), 'one Shopify orders/create webhook (test/fixtures/shopify/orders__create.json)'),
    },
    syncStateProjector: await measure(async () => batchOk(await syncState(sqsBatch(statusEvents), context('syncStateProjector'))), `one batch of ${statusEvents.length} order.status.changed messages`),
    readModelProjector: await measure(async () => batchOk(await readModels(sqsBatch(orderEvents), context('readModelProjector'))), `one batch of ${orderEvents.length} order.created messages`),
  };
  const ingestRuns = [functions.webhookIngest.erpOrderStatusWebhook, functions.webhookIngest.shopifyOrderCreateWebhook];
  const result = {
    measuredAt: new Date().toISOString(),
    commit: execSync('git rev-parse --short HEAD', { cwd: ROOT }).toString().trim(),
    machine: `${cpus()[0]?.model ?? 'unknown cpu'} (${cpus().length} cores, shared), Node.js ${process.version}, ${process.arch}`,
    source:
      'npm run capacity:measure (scripts/capacity/measure-durations.ts): each handler built as its Lambda entry builds it, real AWS SDK v3 clients answered in-process by aws-sdk-client-mock (no network round trips), Powertools logs, metrics and tracing off; ' +
      `${RUNS} timed invocations after 20 warm-ups; awsCallsPerInvocation counted from the mocked clients' calls on the last invocation.`,
    functions: {
      webhookIngest: { meanMs: +((ingestRuns[0]!.meanMs + ingestRuns[1]!.meanMs) / 2).toFixed(3), p99Ms: Math.max(ingestRuns[0]!.p99Ms, ingestRuns[1]!.p99Ms), detail: functions.webhookIngest },
      syncStateProjector: { meanMs: functions.syncStateProjector.meanMs, p99Ms: functions.syncStateProjector.p99Ms, detail: functions.syncStateProjector },
      readModelProjector: { meanMs: functions.readModelProjector.meanMs, p99Ms: functions.readModelProjector.p99Ms, detail: functions.readModelProjector },
    },
  };
  const out = join(ROOT, 'bench/results/durations.json');
  writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
  console.log(JSON.stringify(result, null, 2));
  console.error(`wrote ${out}`);
};

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
