import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { makeDynamoDbSyncStateStore } from '../adapters/sync-state-store';
import { makeAwsClients } from '../shared/aws-clients';
import { ENV, requiredEnv } from '../shared/environment';
import { makeObservability, withObservability } from '../shared/lambda';
import { makeOrderSyncQuery } from './query';

const observability = makeObservability();
const aws = makeAwsClients(observability.tracer);
const query = makeOrderSyncQuery({ store: makeDynamoDbSyncStateStore(aws.dynamodb(), requiredEnv(ENV.syncStateTable)) });

export const handler = withObservability(async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  const response = await query(event.pathParameters?.orderId ?? '', event.path);
  observability.metrics.addDimensions({ status: String(response.statusCode) });
  observability.metrics.addMetric('OrderSyncQueried', MetricUnit.Count, 1);
  return response;
}, observability);
