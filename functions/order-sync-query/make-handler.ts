import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { makeDynamoDbSyncStateStore } from '../adapters/sync-state-store';
import type { SyncStateStore } from '../core/ports/sync-state-store';
import { makeAwsClients } from '../shared/aws-clients';
import { ENV, requiredEnv, type Environment } from '../shared/environment';
import { withObservability, type Observability } from '../shared/lambda';
import { makeOrderSyncQuery } from './query';

export interface OrderSyncQueryHandlerDependencies {
  observability: Observability;
  store: SyncStateStore;
}

/** The `GET /v1/orders/{orderId}/sync` Lambda handler, from its dependencies. */
export const makeHandler = ({ observability, store }: OrderSyncQueryHandlerDependencies) => {
  const query = makeOrderSyncQuery({ store });
  return withObservability(async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
    const response = await query(event.pathParameters?.orderId ?? '', event.path);
    observability.metrics.addDimensions({ status: String(response.statusCode) });
    observability.metrics.addMetric('OrderSyncQueried', MetricUnit.Count, 1);
    return response;
  }, observability);
};

/** The handler's dependencies: AWS adapters named by the function's environment. */
export const dependenciesFrom = (environment: Environment, observability: Observability): OrderSyncQueryHandlerDependencies => ({
  observability,
  store: makeDynamoDbSyncStateStore(makeAwsClients(observability.tracer).dynamodb(), requiredEnv(ENV.syncStateTable, environment)),
});
