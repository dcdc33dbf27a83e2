import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { z } from 'zod';
import { makeDynamoDbReadModelStore } from '../adapters/read-model-store';
import { CanonicalEvents, type DetailType } from '../core/canonical/events';
import { correlationIdOfMessage, parseEventBridgeMessage } from '../core/canonical/parse';
import { ValidationError } from '../core/errors';
import { makeAwsClients } from '../shared/aws-clients';
import { ENV, requiredEnv } from '../shared/environment';
import { makeObservability } from '../shared/lambda';
import { queueConsumerHandler } from '../shared/queue-consumer';
import { makeReadModelProjector } from './project';

const observability = makeObservability();
const aws = makeAwsClients(observability.tracer);
const project = makeReadModelProjector({ store: makeDynamoDbReadModelStore(aws.dynamodb(), requiredEnv(ENV.timelineTable)) });
const DetailTypeOnly = z.object({ 'detail-type': z.string() });

export const handler = queueConsumerHandler(
  observability,
  aws,
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
