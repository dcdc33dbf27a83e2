import { ChangeMessageVisibilityCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DeadLetterMessage, MessageControl } from '../core/ports/message-control';

/** SQS caps message attribute values; keep error text readable but bounded. */
const MAX_ATTRIBUTE_CHARS = 1024;

const attribute = (value: string | number) =>
  typeof value === 'number'
    ? { DataType: 'Number', StringValue: String(value) }
    : { DataType: 'String', StringValue: value.slice(0, MAX_ATTRIBUTE_CHARS) || '-' };

/** Message control for one consumer's queue and its dead-letter queue. */
export const makeSqsMessageControl = (client: SQSClient, queueUrl: string, deadLetterQueueUrl: string): MessageControl => ({
  async retryAfter(receiptHandle, seconds) {
    await client.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: receiptHandle, VisibilityTimeout: seconds }));
  },
  async deadLetter(message: DeadLetterMessage) {
    await client.send(
      new SendMessageCommand({
        QueueUrl: deadLetterQueueUrl,
        MessageBody: message.body,
        ...(deadLetterQueueUrl.endsWith('.fifo')
          ? { MessageGroupId: message.messageGroupId ?? 'dead-letter', MessageDeduplicationId: message.messageId }
          : {}),
        MessageAttributes: {
          errorClass: attribute(message.errorClass),
          errorMessage: attribute(message.errorMessage),
          attempts: attribute(message.receiveCount),
          firstReceivedAt: attribute(message.firstReceivedAt),
          failedAt: attribute(message.failedAt),
          sourceQueue: attribute(message.sourceQueue),
          originalMessageId: attribute(message.messageId),
          ...(message.correlationId ? { correlationId: attribute(message.correlationId) } : {}),
          ...(message.details ? { details: attribute(message.details) } : {}),
        },
      }),
    );
  },
});
