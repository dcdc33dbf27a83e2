import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SQSRecord } from 'aws-lambda';
import { makeSqsMessageControl } from '../adapters/sqs-message-control';
import { ENV, requiredEnv } from './environment';
import type { Observability } from './lambda';
import { withObservability } from './lambda';
import { makeSqsConsumer } from './sqs-consumer';
import type { makeAwsClients } from './aws-clients';

/** Wires a queue consumer Lambda: the queue and DLQ come from the environment, handling from the caller. */
export const queueConsumerHandler = (
  observability: Observability,
  aws: ReturnType<typeof makeAwsClients>,
  handle: (record: SQSRecord) => Promise<void>,
  correlationIdOf: (record: SQSRecord) => string | undefined,
) => {
  const queueUrl = requiredEnv(ENV.queueUrl);
  const consume = makeSqsConsumer({
    handle: async (record) => {
      await handle(record);
      // Time from entering the queue (for bus-fed queues: from the event's publication) to being handled.
      const sentAt = Number(record.attributes.SentTimestamp);
      if (Number.isFinite(sentAt)) observability.metrics.addMetric('EventAge', MetricUnit.Milliseconds, Math.max(0, Date.now() - sentAt));
    },
    correlationIdOf,
    control: makeSqsMessageControl(aws.sqs(), queueUrl, requiredEnv(ENV.deadLetterQueueUrl)),
    sourceQueue: queueUrl,
    fifo: queueUrl.endsWith('.fifo'),
    logger: observability.logger,
    count: (metric) => observability.metrics.addMetric(metric, MetricUnit.Count, 1),
  });
  return withObservability(consume, observability);
};
