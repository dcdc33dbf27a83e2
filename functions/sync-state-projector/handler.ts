import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { makeDynamoDbSyncStateStore } from '../adapters/sync-state-store';
import { OrderStatusChangedDetail } from '../core/canonical/events';
import { correlationIdOfMessage, parseEventBridgeMessage } from '../core/canonical/parse';
import { systemClock } from '../core/ports/clock';
import { makeAwsClients } from '../shared/aws-clients';
import { ENV, requiredEnv } from '../shared/environment';
import { makeObservability } from '../shared/lambda';
import { queueConsumerHandler } from '../shared/queue-consumer';
import { makeSyncStateProjector } from './project';

const observability = makeObservability();
const aws = makeAwsClients(observability.tracer);
const project = makeSyncStateProjector({ store: makeDynamoDbSyncStateStore(aws.dynamodb(), requiredEnv(ENV.syncStateTable)), clock: systemClock });

export const handler = queueConsumerHandler(
  observability,
  aws,
  async (record) => {
    const event = parseEventBridgeMessage(record.body, OrderStatusChangedDetail);
    const outcome = await project(event);
    observability.metrics.addMetric(outcome === 'applied' ? 'ErpStatusProjected' : 'ErpStatusStale', MetricUnit.Count, 1);
    observability.logger.info('erp status projected', { orderId: event.data.orderId, version: event.data.version, outcome });
  },
  (record) => correlationIdOfMessage(record.body),
);
