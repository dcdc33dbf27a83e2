import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { DEFAULT_FIELD_IDS, makeZendeskServiceDesk } from '../adapters/service-desk-zendesk';
import { makeDynamoDbSyncStateStore } from '../adapters/sync-state-store';
import { OrderStatusChangedDetail } from '../core/canonical/events';
import { correlationIdOfMessage, parseEventBridgeMessage } from '../core/canonical/parse';
import { systemClock } from '../core/ports/clock';
import { makeAwsClients } from '../shared/aws-clients';
import { ENV, jsonEnv, requiredEnv } from '../shared/environment';
import { makeObservability } from '../shared/lambda';
import { queueConsumerHandler } from '../shared/queue-consumer';
import { makeServiceDeskUpdater } from './update';

const observability = makeObservability();
const aws = makeAwsClients(observability.tracer);
const update = makeServiceDeskUpdater({
  desk: makeZendeskServiceDesk({
    baseUrl: requiredEnv(ENV.serviceDeskBaseUrl),
    fieldIds: jsonEnv(ENV.serviceDeskFieldIds, DEFAULT_FIELD_IDS),
  }),
  store: makeDynamoDbSyncStateStore(aws.dynamodb(), requiredEnv(ENV.syncStateTable)),
  clock: systemClock,
});

export const handler = queueConsumerHandler(
  observability,
  aws,
  async (record) => {
    const event = parseEventBridgeMessage(record.body, OrderStatusChangedDetail);
    const result = await update(event);
    const lagMs = Date.now() - Date.parse(event.receivedAt);
    observability.metrics.addMetric('ServiceDeskSyncLag', MetricUnit.Milliseconds, lagMs);
    observability.logger.info('service desk updated', { orderId: event.data.orderId, version: event.data.version, ...result });
  },
  (record) => correlationIdOfMessage(record.body),
);
