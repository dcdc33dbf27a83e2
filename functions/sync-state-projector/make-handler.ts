import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { makeDynamoDbSyncStateStore } from '../adapters/sync-state-store';
import { OrderStatusChangedDetail } from '../core/canonical/events';
import { correlationIdOfMessage, parseEventBridgeMessage } from '../core/canonical/parse';
import { systemClock } from '../core/ports/clock';
import { makeAwsClients } from '../shared/aws-clients';
import { ENV, requiredEnv, type Environment } from '../shared/environment';
import type { Observability } from '../shared/lambda';
import { consumedQueueFrom, queueConsumerHandler, type ConsumedQueue } from '../shared/queue-consumer';
import { makeSyncStateProjector, type ProjectorDependencies } from './project';

export interface SyncStateProjectorHandlerDependencies extends ProjectorDependencies {
  observability: Observability;
  queue: ConsumedQueue;
}

/** The sync-state-projector queue's Lambda handler, from its dependencies. */
export const makeHandler = ({ observability, queue, ...dependencies }: SyncStateProjectorHandlerDependencies) => {
  const project = makeSyncStateProjector(dependencies);
  return queueConsumerHandler(
    observability,
    queue,
    async (record) => {
      const event = parseEventBridgeMessage(record.body, OrderStatusChangedDetail);
      const outcome = await project(event);
      observability.metrics.addMetric(outcome === 'applied' ? 'ErpStatusProjected' : 'ErpStatusStale', MetricUnit.Count, 1);
      observability.logger.info('erp status projected', { orderId: event.data.orderId, version: event.data.version, outcome });
    },
    (record) => correlationIdOfMessage(record.body),
  );
};

/** The handler's dependencies: AWS adapters named by the function's environment. */
export const dependenciesFrom = (environment: Environment, observability: Observability): SyncStateProjectorHandlerDependencies => {
  const aws = makeAwsClients(observability.tracer);
  return {
    observability,
    queue: consumedQueueFrom(environment, aws),
    store: makeDynamoDbSyncStateStore(aws.dynamodb(), requiredEnv(ENV.syncStateTable, environment)),
    clock: systemClock,
  };
};
