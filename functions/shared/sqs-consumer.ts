import { BatchProcessor, EventType, processPartialResponse, SqsFifoPartialProcessorAsync } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { REDRIVE_HISTORY_ATTRIBUTES, type MessageControl } from '../core/ports/message-control';
import { DomainError } from '../core/errors';
import { dispositionFor, errorClassOf } from '../core/retry-policy';

export interface SqsConsumerOptions {
  /** Handles one message; throw to fail it. The message's correlation id is returned for logs and DLQ attributes. */
  handle(record: SQSRecord): Promise<void>;
  correlationIdOf?(record: SQSRecord): string | undefined;
  control: MessageControl;
  sourceQueue: string;
  /** FIFO queue: after a failure, later messages of the same group in the batch are failed too, keeping order. */
  fifo?: boolean;
  logger: Pick<Logger, 'info' | 'warn' | 'error' | 'appendKeys' | 'removeKeys'>;
  /** Counts each message's outcome: MessageProcessed, MessageRetried, MessageDeadLettered. */
  count?: (metric: 'MessageProcessed' | 'MessageRetried' | 'MessageDeadLettered') => void;
  clock?: () => Date;
}

/**
 * The one way queue consumers handle a batch: partial batch responses, retry with backoff through the
 * message's visibility (never sleeping in the Lambda), and straight to the DLQ, with the failure attached,
 * for what no retry can fix. A message is only reported done once it is handled or safely dead-lettered.
 *
 * @example
 * const consume = makeSqsConsumer({
 *   handle: async (record) => project(parseEventBridgeMessage(record.body, OrderStatusChangedDetail)),
 *   control: makeSqsMessageControl(sqs, queueUrl, deadLetterQueueUrl),
 *   sourceQueue: queueUrl,
 *   logger,
 * });
 * export const handler = withObservability(consume, observability); // answers { batchItemFailures }
 */
export const makeSqsConsumer = (options: SqsConsumerOptions) => {
  const clock = options.clock ?? (() => new Date());
  const count = options.count ?? (() => undefined);

  const handleRecord = async (record: SQSRecord) => {
    const correlationId = options.correlationIdOf?.(record);
    options.logger.appendKeys({ correlationId, messageId: record.messageId });
    try {
      await options.handle(record);
      count('MessageProcessed');
    } catch (error) {
      const receiveCount = Number(record.attributes.ApproximateReceiveCount ?? '1');
      const disposition = dispositionFor(error, receiveCount);
      const errorMessage = error instanceof Error ? error.message : String(error);
      if (disposition.action === 'dead-letter') {
        const attemptsBeforeRedrive = Number(record.messageAttributes?.[REDRIVE_HISTORY_ATTRIBUTES.attempts]?.stringValue ?? 0) || 0;
        const firstReceivedBeforeRedrive = record.messageAttributes?.[REDRIVE_HISTORY_ATTRIBUTES.firstReceivedAt]?.stringValue;
        await options.control.deadLetter({
          messageId: record.messageId,
          body: record.body,
          errorClass: disposition.errorClass,
          errorMessage,
          details: error instanceof DomainError && Object.keys(error.context).length > 0 ? JSON.stringify(error.context) : undefined,
          receiveCount: attemptsBeforeRedrive + receiveCount,
          firstReceivedAt: firstReceivedBeforeRedrive ?? new Date(Number(record.attributes.ApproximateFirstReceiveTimestamp ?? Date.now())).toISOString(),
          failedAt: clock().toISOString(),
          sourceQueue: options.sourceQueue,
          correlationId,
          messageGroupId: record.attributes.MessageGroupId,
        });
        count('MessageDeadLettered');
        options.logger.error('message dead-lettered', { errorClass: disposition.errorClass, error: errorMessage, receiveCount });
        return; // copied to the DLQ: reporting success lets the event source mapping delete it
      }
      count('MessageRetried');
      options.logger.warn('message will be retried', { errorClass: errorClassOf(error), error: errorMessage, receiveCount, delaySeconds: disposition.delaySeconds });
      await options.control.retryAfter(record.receiptHandle, disposition.delaySeconds).catch((visibilityError: unknown) =>
        options.logger.warn('could not set retry delay; the queue visibility timeout applies', { error: String(visibilityError) }),
      );
      throw error;
    } finally {
      options.logger.removeKeys(['correlationId', 'messageId']);
    }
  };

  // A processor holds the batch's state, so each invocation gets its own: the local runtime (and any
  // test) may run two invocations of one handler at once, which Lambda never does.
  return (event: SQSEvent, context: Context): Promise<SQSBatchResponse> =>
    options.fifo
      ? processPartialResponse(event, handleRecord, new SqsFifoPartialProcessorAsync(), { context, throwOnFullBatchFailure: false, skipGroupOnError: true })
      : processPartialResponse(event, handleRecord, new BatchProcessor(EventType.SQS), { context, throwOnFullBatchFailure: false });
};
