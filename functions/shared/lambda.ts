import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { Context } from 'aws-lambda';

export const METRICS_NAMESPACE = 'RetailSync';

export interface Observability {
  logger: Logger;
  metrics: Metrics;
  tracer: Tracer;
}

export const makeObservability = (serviceName: string): Observability => {
  const logger = new Logger({ serviceName });
  return { logger, metrics: new Metrics({ namespace: METRICS_NAMESPACE, serviceName, logger }), tracer: new Tracer({ serviceName }) };
};

/** Wraps a handler with the same Powertools middlewares for every function. */
export const withObservability = <E, R>(handler: (event: E, context: Context) => Promise<R>, { logger, metrics, tracer }: Observability) =>
  middy(handler)
    .use(captureLambdaHandler(tracer, { captureResponse: false }))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics));
