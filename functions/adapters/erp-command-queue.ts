import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { ErpCommand } from '../core/canonical/erp-command';
import { TransientError } from '../core/errors';

/**
 * Enqueues ERP commands on the FIFO command queue: one message group per order, so commands of one
 * order take effect in order, and the command id as deduplication id, so a producer's retry within
 * five minutes is dropped by SQS itself.
 */
export const enqueueErpCommands = async (sqs: SQSClient, queueUrl: string, commands: readonly ErpCommand[]): Promise<void> => {
  for (let start = 0; start < commands.length; start += 10) {
    const batch = commands.slice(start, start + 10);
    const response = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: batch.map((command, index) => ({
          Id: String(index),
          MessageBody: JSON.stringify(command),
          MessageGroupId: command.orderId,
          MessageDeduplicationId: command.commandId,
        })),
      }),
    );
    if ((response.Failed ?? []).length > 0) {
      throw new TransientError(`SQS refused ${response.Failed!.length} ERP command(s)`, { failed: response.Failed });
    }
  }
};
