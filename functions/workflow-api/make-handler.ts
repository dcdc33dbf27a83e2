import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { makeStepFunctionsWorkflowStarter } from '../adapters/workflow-starter';
import { makeDynamoDbWorkflowStore } from '../adapters/workflow-store';
import { requireJsonBody } from '../core/media-type';
import { decodeUtf8 } from '../core/canonical/parse';
import { errorResponse } from '../core/problem';
import { systemClock, type Clock } from '../core/ports/clock';
import type { WorkflowStarter, WorkflowStore } from '../core/ports/workflow-tasks';
import { makeStartResolution } from '../core/workflows/start-resolution';
import { makeWorkflowStatus } from '../core/workflows/workflow-status';
import { makeAwsClients } from '../shared/aws-clients';
import { ENV, requiredEnv, stateMachineArnsFrom, type Environment } from '../shared/environment';
import { withObservability, type Observability } from '../shared/lambda';
import { requestBodyOf } from '../shared/request-body';

export interface WorkflowApiHandlerDependencies {
  observability: Observability;
  starter: WorkflowStarter;
  store: Pick<WorkflowStore, 'get'>;
  clock: Clock;
}

/** `POST /v1/cases/{caseId}/resolutions` and `GET /v1/workflows/{workflowId}`: the workflows' HTTP API. */
export const makeHandler = ({ observability, starter, store, clock }: WorkflowApiHandlerDependencies) => {
  const startResolution = makeStartResolution({ starter, clock });
  const status = makeWorkflowStatus({ store });
  return withObservability(async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
    const post = async () => {
      let rawBody: string;
      try {
        const body = requestBodyOf(event);
        requireJsonBody(event.headers ?? {}, body);
        rawBody = decodeUtf8(body);
      } catch (error) {
        return errorResponse(error, event.path);
      }
      return startResolution({ caseId: event.pathParameters?.caseId, rawBody, correlationId: event.requestContext.requestId, path: event.path });
    };
    const response = event.httpMethod === 'POST' ? await post() : await status(event.pathParameters?.workflowId, event.path);
    observability.metrics.addDimensions({ resource: event.resource ?? 'unknown', status: String(response.statusCode) });
    observability.metrics.addMetric('WorkflowApiRequest', MetricUnit.Count, 1);
    return response;
  }, observability);
};

/** The handler's dependencies: the state machines and the workflow table named by the function's environment. */
export const dependenciesFrom = (environment: Environment, observability: Observability): WorkflowApiHandlerDependencies => {
  const aws = makeAwsClients(observability.tracer);
  return {
    observability,
    starter: makeStepFunctionsWorkflowStarter(aws.stepFunctions(), stateMachineArnsFrom(environment)),
    store: makeDynamoDbWorkflowStore(aws.dynamodb(), requiredEnv(ENV.workflowTable, environment)),
    clock: systemClock,
  };
};
