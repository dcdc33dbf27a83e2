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

export interface ObservabilityNames {
  /** Powertools service name (default: `POWERTOOLS_SERVICE_NAME`). */
  serviceName?: string;
  /** Metrics namespace (default: `POWERTOOLS_METRICS_NAMESPACE`). */
  namespace?: string;
}

/**
 * Logger, metrics and tracer of one function. In Lambda their service name and metrics namespace come
 * from `POWERTOOLS_SERVICE_NAME` and `POWERTOOLS_METRICS_NAMESPACE`, which the topology sets for every
 * function (`environmentFor`), so the dashboard and the functions cannot disagree; the local stack,
 * running every function in one process, names them explicitly from the same topology.
 */
export const makeObservability = ({ serviceName, namespace }: ObservabilityNames = {}): Observability => {
  const logger = new Logger({ serviceName });
  return { logger, metrics: new Metrics({ logger, serviceName, namespace }), tracer: new Tracer({ serviceName }) };
};

/** Wraps a handler with the same Powertools middlewares for every function. */
export const withObservability = <E, R>(handler: (event: E, context: Context) => Promise<R>, { logger, metrics, tracer }: Observability) =>
  middy(handler)
    .use(captureLambdaHandler(tracer, { captureResponse: false }))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics));
