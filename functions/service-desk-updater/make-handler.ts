import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { makeZendeskServiceDesk } from '../adapters/service-desk-zendesk';
import { serviceDeskConnectionFrom } from '../shared/service-desk';
import { makeDynamoDbSyncStateStore } from '../adapters/sync-state-store';
import { OrderStatusChangedDetail } from '../core/canonical/events';
import { correlationIdOfMessage, parseEventBridgeMessage } from '../core/canonical/parse';
import { systemClock } from '../core/ports/clock';
import { makeAwsClients } from '../shared/aws-clients';
import { ENV, requiredEnv, type Environment } from '../shared/environment';
import type { Observability } from '../shared/lambda';
import { consumedQueueFrom, queueConsumerHandler, type ConsumedQueue } from '../shared/queue-consumer';
import { makeServiceDeskUpdater, type UpdaterDependencies } from './update';

export interface ServiceDeskUpdaterHandlerDependencies extends UpdaterDependencies {
  observability: Observability;
  queue: ConsumedQueue;
}

/** The service-desk-updater queue's Lambda handler, from its dependencies. */
export const makeHandler = ({ observability, queue, ...dependencies }: ServiceDeskUpdaterHandlerDependencies) => {
  const update = makeServiceDeskUpdater(dependencies);
  return queueConsumerHandler(
    observability,
    queue,
    async (record) => {
      const event = parseEventBridgeMessage(record.body, OrderStatusChangedDetail);
      const result = await update(event);
      const lagMs = Date.now() - Date.parse(event.receivedAt);
      observability.metrics.addMetric('ServiceDeskSyncLag', MetricUnit.Milliseconds, lagMs);
      observability.logger.info('service desk updated', { orderId: event.data.orderId, version: event.data.version, ...result });
      if (result.unverifiedCaseIds.length > 0) {
        // Not an error to retry: the desk took the update. Reconciliation reads the case and repairs or verifies it.
        observability.metrics.addMetric('ServiceDeskUpdateUnverified', MetricUnit.Count, result.unverifiedCaseIds.length);
        observability.logger.warn('service desk update not verified: the case the desk returned does not show the write', {
          orderId: event.data.orderId,
          status: event.data.status,
          version: event.data.version,
          caseIds: result.unverifiedCaseIds,
          recorded: result.recorded,
        });
      }
    },
    (record) => correlationIdOfMessage(record.body),
  );
};

/** The handler's dependencies: AWS and service-desk adapters named by the function's environment. */
export const dependenciesFrom = (environment: Environment, observability: Observability): ServiceDeskUpdaterHandlerDependencies => {
  const aws = makeAwsClients(observability.tracer);
  return {
    observability,
    queue: consumedQueueFrom(environment, aws),
    desk: makeZendeskServiceDesk(serviceDeskConnectionFrom(environment, aws)),
    store: makeDynamoDbSyncStateStore(aws.dynamodb(), requiredEnv(ENV.syncStateTable, environment)),
    clock: systemClock,
  };
};
