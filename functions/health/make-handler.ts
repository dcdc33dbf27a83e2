import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import openApiDocument from '../../docs/openapi.json';
import { jsonResponse } from '../core/problem';
import { ENV, type Environment } from '../shared/environment';
import { withUntracedObservability, type UntracedObservability } from '../shared/untraced-lambda';

export interface HealthHandlerDependencies {
  /** No tracer: the function calls nothing (see `makeUntracedObservability`). */
  observability: UntracedObservability;
  stage: string;
  version: string;
  /** The API's OpenAPI document, embedded in the bundle at build time (docs/openapi.json). */
  openApiDocument: unknown;
}

/**
 * `GET /v1/health`: the API and its functions are up, for load balancers and uptime monitors; and
 * `GET /v1/openapi.json`: the API's contract. Neither calls a dependency or reads anything secret, so
 * both are open and cheap; business health is on the dashboard.
 */
export const makeHandler = ({ observability, stage, version, openApiDocument }: HealthHandlerDependencies) =>
  withUntracedObservability(
    async (event: Pick<APIGatewayProxyEvent, 'resource'>): Promise<APIGatewayProxyResult> =>
      event?.resource === '/v1/openapi.json' ? jsonResponse(200, openApiDocument) : jsonResponse(200, { status: 'ok', service: 'retail-sync', stage, version }),
    observability,
  );

/** The handler's dependencies: the stage and version its environment names, and the embedded document. */
export const dependenciesFrom = (environment: Environment, observability: UntracedObservability): HealthHandlerDependencies => ({
  observability,
  stage: environment.STAGE ?? 'unknown',
  version: environment[ENV.productVersion] ?? 'unknown',
  openApiDocument,
});
