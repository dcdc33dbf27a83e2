import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { LocalQueue } from '../../local/provision';

/** Messages the consumers have yet to receive or finish, over every given queue (0: all consumed). */
export const consumerBacklog = async (sqs: SQSClient, queues: Iterable<LocalQueue>) => {
  let backlog = 0;
  for (const queue of queues) {
    const { Attributes = {} } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queue.url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
    );
    backlog += Number(Attributes.ApproximateNumberOfMessages) + Number(Attributes.ApproximateNumberOfMessagesNotVisible);
  }
  return backlog;
};
