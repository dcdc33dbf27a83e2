import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SQSRecord } from 'aws-lambda';
import { makeSqsMessageControl } from '../adapters/sqs-message-control';
import type { MessageControl } from '../core/ports/message-control';
import type { makeAwsClients } from './aws-clients';
import { ENV, requiredEnv, type Environment } from './environment';
import type { Observability } from './lambda';
import { withObservability } from './lambda';
import { makeSqsConsumer } from './sqs-consumer';

/** The queue a consumer reads: its URL (a `.fifo` URL makes the consumer keep each group's order) and control over its messages. */
export interface ConsumedQueue {
  url: string;
  control: MessageControl;
}

/** The consumed queue and its DLQ, from the function's environment (`QUEUE_URL`, `DEAD_LETTER_QUEUE_URL`). */
export const consumedQueueFrom = (environment: Environment, aws: ReturnType<typeof makeAwsClients>): ConsumedQueue => {
  const url = requiredEnv(ENV.queueUrl, environment);
  return { url, control: makeSqsMessageControl(aws.sqs(), url, requiredEnv(ENV.deadLetterQueueUrl, environment)) };
};

/** Wires a queue consumer Lambda: the queue from the caller's dependencies, handling from the caller. */
export const queueConsumerHandler = (
  observability: Observability,
  queue: ConsumedQueue,
  handle: (record: SQSRecord) => Promise<void>,
  correlationIdOf: (record: SQSRecord) => string | undefined,
) => {
  const consume = makeSqsConsumer({
    handle: async (record) => {
      await handle(record);
      // Time from entering the queue (for bus-fed queues: from the event's publication) to being handled.
      const sentAt = Number(record.attributes.SentTimestamp);
      if (Number.isFinite(sentAt)) observability.metrics.addMetric('EventAge', MetricUnit.Milliseconds, Math.max(0, Date.now() - sentAt));
    },
    correlationIdOf,
    control: queue.control,
    sourceQueue: queue.url,
    fifo: queue.url.endsWith('.fifo'),
    logger: observability.logger,
    count: (metric) => observability.metrics.addMetric(metric, MetricUnit.Count, 1),
  });
  return withObservability(consume, observability);
};
