import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { makeDynamoDbDeliveryLedger } from '../adapters/delivery-ledger';
import { makeEventBridgePublisher } from '../adapters/event-publisher';
import { makeSecretsManagerSigningSecrets } from '../adapters/signing-secrets';
import { makeConnectorRegistry, WEBHOOK_SOURCES } from '../core/connectors/registry';
import { systemClock } from '../core/ports/clock';
import type { DeliveryLedger } from '../core/ports/delivery-ledger';
import { makeAwsClients } from '../shared/aws-clients';
import { ENV, jsonEnv, requiredEnv, type Environment } from '../shared/environment';
import { requestBodyOf } from '../shared/request-body';
import { withObservability, type Observability } from '../shared/lambda';
import { makeIngest, type IngestDependencies } from './ingest';

export interface WebhookIngestHandlerDependencies extends IngestDependencies {
  observability: Observability;
  /** Learns each invocation's remaining time, so an attempt that dies mid-way expires. */
  ledger: DeliveryLedger & { registerLambdaContext(context: Context): void };
}

/** The `source` dimension of a request's metrics: a known webhook source, or `unknown`. */
export const metricSourceOf = (source: string) => (WEBHOOK_SOURCES.includes(source) ? source : 'unknown');

/** The `POST /v1/webhooks/{source}` Lambda handler, from its dependencies. */
export const makeHandler = ({ observability, ...dependencies }: WebhookIngestHandlerDependencies) => {
  const { logger, metrics } = observability;
  const ingest = makeIngest(dependencies);
  const receiveWebhook = async (event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> => {
    dependencies.ledger.registerLambdaContext(context);
    const source = event.pathParameters?.source ?? '';
    // Bytes, not text: signatures are over the bytes, and a connector decodes them strictly after verifying.
    const rawBody = requestBodyOf(event);
    const result = await ingest({ source, headers: event.headers ?? {}, rawBody, query: event.queryStringParameters ?? {}, path: event.path });

    // One webhook per invocation, so these dimensions describe every metric of this invocation. Only a
    // known source becomes a dimension: anyone can call the route, and every new value is a new metric.
    metrics.addDimensions({ source: metricSourceOf(source), outcome: result.outcome });
    metrics.addMetric('WebhookReceived', MetricUnit.Count, 1);
    const log = { source, outcome: result.outcome, status: result.response.statusCode, correlationId: result.deliveryId };
    if (result.response.statusCode >= 500) logger.error('webhook failed', { ...log, error: result.error as Error });
    else if (result.response.statusCode >= 400) logger.warn('webhook refused', { ...log, detail: (result.error as Error)?.message });
    else logger.info('webhook accepted', log);
    return result.response;
  };
  return withObservability(receiveWebhook, observability);
};

/** The handler's dependencies: AWS adapters named by the function's environment. */
export const dependenciesFrom = (environment: Environment, observability: Observability): WebhookIngestHandlerDependencies => {
  const aws = makeAwsClients(observability.tracer);
  return {
    observability,
    secrets: makeSecretsManagerSigningSecrets(aws.secretsManager(), jsonEnv<Record<string, string>>(ENV.webhookSecretIds, {}, environment)),
    publisher: makeEventBridgePublisher(aws.eventBridge(), requiredEnv(ENV.eventBusName, environment)),
    ledger: makeDynamoDbDeliveryLedger(aws.dynamodb(), requiredEnv(ENV.idempotencyTable, environment), { keyPrefix: environment.AWS_LAMBDA_FUNCTION_NAME }),
    clock: systemClock,
    connectors: makeConnectorRegistry({ zendesk: jsonEnv<{ orderFieldId?: string; orderTagPrefix?: string }>(ENV.zendeskSettings, {}, environment) }),
  };
};
