import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { makeDynamoDbReadModelStore } from '../adapters/read-model-store';
import { systemClock } from '../core/ports/clock';
import { makeAwsClients } from '../shared/aws-clients';
import { ENV, numberEnv, requiredEnv } from '../shared/environment';
import { makeObservability, withObservability } from '../shared/lambda';
import { makeReadApi } from './query';
import { MetricUnit } from '@aws-lambda-powertools/metrics';

const observability = makeObservability();
const aws = makeAwsClients(observability.tracer);
const api = makeReadApi({
  store: makeDynamoDbReadModelStore(aws.dynamodb(), requiredEnv(ENV.timelineTable)),
  clock: systemClock,
  inventoryStaleAfterSeconds: numberEnv(ENV.inventoryStaleAfterSeconds, 900),
});

export const handler = withObservability(async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  const query = event.queryStringParameters ?? {};
  const response = event.pathParameters?.customerId !== undefined
    ? await api.customerTimeline(event.pathParameters.customerId, query, event.path)
    : await api.inventory(event.pathParameters?.sku ?? '', query, event.path);
  observability.metrics.addDimensions({ resource: event.resource ?? 'unknown', status: String(response.statusCode) });
  observability.metrics.addMetric('ReadApiRequest', MetricUnit.Count, 1);
  return response;
}, observability);
