import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Context } from 'aws-lambda';

/** Logger and metrics of a function that calls nothing downstream, so has nothing for a tracer to record. */
export interface UntracedObservability {
  logger: Logger;
  metrics: Metrics;
}

/**
 * Logger and metrics without the Powertools tracer, whose X-Ray SDK costs about a third of a small
 * bundle's module load (`npm run bench:coldstart`). Only for a function with no AWS or HTTP calls:
 * Lambda's active tracing still records its invocation in X-Ray; what it lacks is the handler
 * subsegment. Names as in `makeObservability`.
 */
export const makeUntracedObservability = ({ serviceName, namespace }: { serviceName?: string; namespace?: string } = {}): UntracedObservability => {
  const logger = new Logger({ serviceName });
  return { logger, metrics: new Metrics({ logger, serviceName, namespace }) };
};

/** Wraps a handler with the logger and metrics middlewares of `withObservability`, without tracing. */
export const withUntracedObservability = <E, R>(handler: (event: E, context: Context) => Promise<R>, { logger, metrics }: UntracedObservability) =>
  middy(handler).use(injectLambdaContext(logger, { resetKeys: true })).use(logMetrics(metrics));
