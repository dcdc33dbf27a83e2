import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { Context } from 'aws-lambda';

export interface Observability {
  logger: Logger;
  metrics: Metrics;
  tracer: Tracer;
}

/**
 * Logger, metrics and tracer of one function. Their service name and metrics namespace come from
 * `POWERTOOLS_SERVICE_NAME` and `POWERTOOLS_METRICS_NAMESPACE`, which the topology sets for every
 * function (`environmentFor`), so the dashboard and the functions cannot disagree.
 */
export const makeObservability = (): Observability => {
  const logger = new Logger();
  return { logger, metrics: new Metrics({ logger }), tracer: new Tracer() };
};

/** Wraps a handler with the same Powertools middlewares for every function. */
export const withObservability = <E, R>(handler: (event: E, context: Context) => Promise<R>, { logger, metrics, tracer }: Observability) =>
  middy(handler)
    .use(captureLambdaHandler(tracer, { captureResponse: false }))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics));
