import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { PutItemCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';

export interface FloorDependencies {
  dynamodb: DynamoDBClient;
  eventBridge: EventBridgeClient;
  secretsManager: SecretsManagerClient;
  idempotencyTable: string;
  eventBusName: string;
  /** Secret id per source, as the ingest function's WEBHOOK_SECRET_IDS. */
  secretIds: Record<string, string>;
}

/** As long as the ingest function's Secrets Manager cache (functions/adapters/signing-secrets.ts). */
const SECRET_CACHE_MS = 60_000;

const matches = (claimed: string, expected: string) => {
  const a = Buffer.from(claimed);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

const hmac = (key: string | Buffer, ...parts: Array<string | Buffer>) => {
  const mac = createHmac('sha256', key);
  for (const part of parts) mac.update(part);
  return mac.digest('base64');
};

/** Whether the sender's signature over the body's bytes holds, checked with node:crypto as the connectors check it. */
const verified = (source: string, headers: Record<string, string | undefined>, body: Buffer, secret: string): boolean => {
  if (source === 'shopify') return matches(headers['x-shopify-hmac-sha256'] ?? '', hmac(secret, body));
  if (source === 'zendesk') return matches(headers['x-zendesk-webhook-signature'] ?? '', hmac(secret, headers['x-zendesk-webhook-signature-timestamp'] ?? '', body));
  const expected = hmac(Buffer.from(secret.replace(/^whsec_/, ''), 'base64'), `${headers['webhook-id']}.${headers['webhook-timestamp']}.`, body);
  return (headers['webhook-signature'] ?? '').split(' ').some((entry) => entry.startsWith('v1,') && matches(entry.slice(3), expected));
};

/** The delivery's identity as each sender gives it: Standard Webhooks' id, Zendesk's event id, the hash of a Shopify body. */
const deliveryIdOf = (source: string, headers: Record<string, string | undefined>, body: Buffer, parsed: Record<string, unknown>) =>
  source === 'shopify' ? createHash('sha256').update(body).digest('hex') : source === 'zendesk' ? String(parsed.id) : (headers['webhook-id'] ?? '');

/**
 * The floor the ingest handler is measured against: a Lambda handler that only verifies the sender's
 * signature (same HMAC, same library as the connectors), parses the JSON body and makes the calls ingest
 * makes for a new delivery, with the same SDK clients: Secrets Manager (cached as long), a conditional
 * PutItem shaped like Powertools' idempotency record, one PutEvents entry carrying the body, the
 * UpdateItem that completes the record. No validation, mapping, middleware, logging or metrics: the
 * difference between the two is what the product's own logic costs.
 */
export const makeFloorHandler = ({ dynamodb, eventBridge, secretsManager, idempotencyTable, eventBusName, secretIds }: FloorDependencies) => {
  const secrets = new Map<string, { value: string; until: number }>();
  const secretOf = async (source: string) => {
    const cached = secrets.get(source);
    if (cached && cached.until > Date.now()) return cached.value;
    const { SecretString = '[]' } = await secretsManager.send(new GetSecretValueCommand({ SecretId: secretIds[source] }));
    const value = (JSON.parse(SecretString) as string[])[0] ?? '';
    secrets.set(source, { value, until: Date.now() + SECRET_CACHE_MS });
    return value;
  };
  return async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
    const source = event.pathParameters?.source ?? '';
    const body = Buffer.from(event.body ?? '', 'base64');
    const headers = Object.fromEntries(Object.entries(event.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
    if (!verified(source, headers, body, await secretOf(source))) return { statusCode: 401, body: '{"title":"signature invalid"}' };
    const parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    const deliveryId = deliveryIdOf(source, headers, body, parsed);
    const key = `floor#${createHash('md5').update(`${source}#${deliveryId}`).digest('hex')}`;
    const now = Date.now();
    await dynamodb.send(
      new PutItemCommand({
        TableName: idempotencyTable,
        Item: {
          id: { S: key },
          expiration: { N: String(Math.floor(now / 1000) + 86_400) },
          status: { S: 'INPROGRESS' },
          in_progress_expiration: { N: String(now + 10_000) },
          validation: { S: createHash('md5').update(body).digest('hex') },
        },
        ExpressionAttributeNames: { '#id': 'id', '#expiry': 'expiration', '#in_progress_expiry': 'in_progress_expiration', '#status': 'status' },
        ExpressionAttributeValues: { ':now': { N: String(now / 1000) }, ':now_in_millis': { N: String(now) }, ':inprogress': { S: 'INPROGRESS' } },
        ConditionExpression: 'attribute_not_exists(#id) OR #expiry < :now OR (#status = :inprogress AND attribute_exists(#in_progress_expiry) AND #in_progress_expiry < :now_in_millis)',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    const eventId = `evt_${deliveryId.slice(0, 24)}`;
    await eventBridge.send(
      new PutEventsCommand({ Entries: [{ EventBusName: eventBusName, Source: `retail-sync.${source}`, DetailType: 'floor', Detail: JSON.stringify({ eventId, data: parsed }), Time: new Date(now) }] }),
    );
    await dynamodb.send(
      new UpdateItemCommand({
        TableName: idempotencyTable,
        Key: { id: { S: key } },
        UpdateExpression: 'SET #expiry = :expiry, #status = :status, #response_data = :response_data, #validation_key = :validation_key',
        ExpressionAttributeNames: { '#expiry': 'expiration', '#status': 'status', '#response_data': 'data', '#validation_key': 'validation' },
        ExpressionAttributeValues: {
          ':expiry': { N: String(Math.floor(now / 1000) + 86_400) },
          ':status': { S: 'COMPLETED' },
          ':response_data': { M: { eventId: { S: eventId }, source: { S: source }, deliveryId: { S: deliveryId } } },
          ':validation_key': { S: createHash('md5').update(body).digest('hex') },
        },
      }),
    );
    return { statusCode: 202, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ eventId, duplicate: false }) };
  };
};
