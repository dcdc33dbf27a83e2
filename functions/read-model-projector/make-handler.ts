import { MetricUnit } from '@aws-lambda-powertools/metrics';
import * as z from '../core/zod';
import { makeDynamoDbReadModelStore } from '../adapters/read-model-store';
import { CanonicalEvents, type DetailType } from '../core/canonical/events';
import { correlationIdOfMessage, parseEventBridgeMessage } from '../core/canonical/parse';
import { ValidationError } from '../core/errors';
import type { ReadModelStore } from '../core/ports/read-model-store';
import { makeAwsClients } from '../shared/aws-clients';
import { ENV, requiredEnv, type Environment } from '../shared/environment';
import type { Observability } from '../shared/lambda';
import { consumedQueueFrom, queueConsumerHandler, type ConsumedQueue } from '../shared/queue-consumer';
import { makeReadModelProjector } from './project';

export interface ReadModelProjectorHandlerDependencies {
  observability: Observability;
  queue: ConsumedQueue;
  store: ReadModelStore;
}

const DetailTypeOnly = z.object({ 'detail-type': z.string() });

/** The read-models queue's Lambda handler, from its dependencies. */
export const makeHandler = ({ observability, queue, store }: ReadModelProjectorHandlerDependencies) => {
  const project = makeReadModelProjector({ store });
  return queueConsumerHandler(
    observability,
    queue,
    async (record) => {
      const envelope = DetailTypeOnly.safeParse(JSON.parse(record.body));
      const detailType = envelope.success ? (envelope.data['detail-type'] as DetailType) : undefined;
      if (!detailType || !Object.hasOwn(CanonicalEvents, detailType)) throw new ValidationError(`Not a canonical event: ${detailType ?? 'no detail-type'}`);
      const detail = parseEventBridgeMessage(record.body, CanonicalEvents[detailType]);
      const outcome = await project({ detailType, detail } as never);
      observability.metrics.addMetric(`ReadModel_${outcome}`, MetricUnit.Count, 1);
      observability.logger.info('read model projected', { detailType, eventId: detail.eventId, outcome });
    },
    (record) => correlationIdOfMessage(record.body),
  );
};

/** The handler's dependencies: AWS adapters named by the function's environment. */
export const dependenciesFrom = (environment: Environment, observability: Observability): ReadModelProjectorHandlerDependencies => {
  const aws = makeAwsClients(observability.tracer);
  return {
    observability,
    queue: consumedQueueFrom(environment, aws),
    store: makeDynamoDbReadModelStore(aws.dynamodb(), requiredEnv(ENV.timelineTable, environment)),
  };
};
