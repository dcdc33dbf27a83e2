import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { makeDynamoDbReadModelStore } from '../adapters/read-model-store';
import { systemClock } from '../core/ports/clock';
import { makeAwsClients } from '../shared/aws-clients';
import { ENV, numberEnv, requiredEnv, type Environment } from '../shared/environment';
import { withObservability, type Observability } from '../shared/lambda';
import { makeReadApi, type ReadApiDependencies } from './query';

export interface ReadApiHandlerDependencies extends ReadApiDependencies {
  observability: Observability;
}

/** The timeline and inventory read routes' Lambda handler, from its dependencies. */
export const makeHandler = ({ observability, ...dependencies }: ReadApiHandlerDependencies) => {
  const api = makeReadApi(dependencies);
  return withObservability(async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
    const query = event.queryStringParameters ?? {};
    const response = event.pathParameters?.customerId !== undefined
      ? await api.customerTimeline(event.pathParameters.customerId, query, event.path)
      : await api.inventory(event.pathParameters?.sku ?? '', query, event.path);
    observability.metrics.addDimensions({ resource: event.resource ?? 'unknown', status: String(response.statusCode) });
    observability.metrics.addMetric('ReadApiRequest', MetricUnit.Count, 1);
    return response;
  }, observability);
};

/** The handler's dependencies: AWS adapters and settings named by the function's environment. */
export const dependenciesFrom = (environment: Environment, observability: Observability): ReadApiHandlerDependencies => ({
  observability,
  store: makeDynamoDbReadModelStore(makeAwsClients(observability.tracer).dynamodb(), requiredEnv(ENV.timelineTable, environment)),
  clock: systemClock,
  inventoryStaleAfterSeconds: numberEnv(ENV.inventoryStaleAfterSeconds, 900, environment),
});
