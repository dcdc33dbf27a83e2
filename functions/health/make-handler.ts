import type { APIGatewayProxyResult } from 'aws-lambda';
import { jsonResponse } from '../core/problem';
import { ENV, type Environment } from '../shared/environment';
import { withObservability, type Observability } from '../shared/lambda';

export interface HealthHandlerDependencies {
  observability: Observability;
  stage: string;
  version: string;
}

/**
 * `GET /v1/health`: the API and its functions are up, for load balancers and uptime monitors. It calls
 * no dependency and reads nothing secret, so it is open and cheap; business health is on the dashboard.
 */
export const makeHandler = ({ observability, stage, version }: HealthHandlerDependencies) =>
  withObservability(async (): Promise<APIGatewayProxyResult> => jsonResponse(200, { status: 'ok', service: 'retail-sync', stage, version }), observability);

/** The handler's dependencies: the stage and version its environment names. */
export const dependenciesFrom = (environment: Environment, observability: Observability): HealthHandlerDependencies => ({
  observability,
  stage: environment.STAGE ?? 'unknown',
  version: environment[ENV.productVersion] ?? 'unknown',
});
