import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { makeDynamoDbDeliveryLedger } from '../adapters/delivery-ledger';
import { makeEventBridgePublisher } from '../adapters/event-publisher';
import { makeSecretsManagerSigningSecrets } from '../adapters/signing-secrets';
import { makeConnectorRegistry } from '../core/connectors/registry';
import { systemClock } from '../core/ports/clock';
import { makeAwsClients } from '../shared/aws-clients';
import { ENV, jsonEnv, requiredEnv } from '../shared/environment';
import { makeObservability, withObservability } from '../shared/lambda';
import { makeIngest } from './ingest';

const observability = makeObservability();
const { logger, metrics } = observability;
const aws = makeAwsClients(observability.tracer);
const ledger = makeDynamoDbDeliveryLedger(aws.dynamodb(), requiredEnv(ENV.idempotencyTable));
const ingest = makeIngest({
  secrets: makeSecretsManagerSigningSecrets(aws.secretsManager(), jsonEnv<Record<string, string>>(ENV.webhookSecretIds, {})),
  publisher: makeEventBridgePublisher(aws.eventBridge(), requiredEnv(ENV.eventBusName)),
  ledger,
  clock: systemClock,
  connectors: makeConnectorRegistry({ zendesk: jsonEnv<{ orderFieldId?: string; orderTagPrefix?: string }>(ENV.zendeskSettings, {}) }),
});

const receiveWebhook = async (event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> => {
  ledger.registerLambdaContext(context);
  const source = event.pathParameters?.source ?? '';
  const rawBody = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : (event.body ?? '');
  const result = await ingest({ source, headers: event.headers ?? {}, rawBody, path: event.path });

  // One webhook per invocation, so these dimensions describe every metric of this invocation.
  metrics.addDimensions({ source: source.slice(0, 32) || '(none)', outcome: result.outcome });
  metrics.addMetric('WebhookReceived', MetricUnit.Count, 1);
  const log = { source, outcome: result.outcome, status: result.response.statusCode, correlationId: result.deliveryId };
  if (result.response.statusCode >= 500) logger.error('webhook failed', { ...log, error: result.error as Error });
  else if (result.response.statusCode >= 400) logger.warn('webhook refused', { ...log, detail: (result.error as Error)?.message });
  else logger.info('webhook accepted', log);
  return result.response;
};

export const handler = withObservability(receiveWebhook, observability);
