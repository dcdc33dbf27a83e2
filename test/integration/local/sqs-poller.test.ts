import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { startPoller } from '../../../local/sqs-poller';
import { eventually, uniqueStage, useEmulator } from '../../support/emulator';

describe('local SQS poller (event source mapping) against the emulator', () => {
  let sqs: SQSClient;
  beforeAll(() => {
    useEmulator();
    sqs = new SQSClient({});
  });
  afterAll(() => sqs.destroy());

  const queueWithDlq = async (maxReceiveCount: number) => {
    const stage = uniqueStage('poller');
    const deadLetterUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `${stage}-dlq` }))).QueueUrl!;
    const deadLetterArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: deadLetterUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    const url = (
      await sqs.send(
        new CreateQueueCommand({
          QueueName: `${stage}-q`,
          Attributes: { VisibilityTimeout: '1', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: deadLetterArn, maxReceiveCount }) },
        }),
      )
    ).QueueUrl!;
    const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    return { url, arn, deadLetterUrl };
  };

  it('deletes what the handler processed and lets SQS move a poison message to the DLQ after maxReceiveCount', async () => {
    // Prepare
    const { url, arn, deadLetterUrl } = await queueWithDlq(2);
    const seen: SQSEvent[] = [];
    const processed: string[] = [];
    const poller = startPoller({
      sqs,
      queueUrl: url,
      queueArn: arn,
      batchSize: 10,
      invoke: async (event) => {
        seen.push(event);
        const failures = event.Records.filter((record) => record.body === 'poison').map((record) => ({ itemIdentifier: record.messageId }));
        processed.push(...event.Records.filter((record) => record.body !== 'poison').map((record) => record.body));
        return { batchItemFailures: failures };
      },
    });
    try {
      // Act
      for (const body of ['good-1', 'poison', 'good-2']) await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body }));

      // Assess
      const dead = await eventually(
        async () => (await sqs.send(new ReceiveMessageCommand({ QueueUrl: deadLetterUrl, MaxNumberOfMessages: 10 }))).Messages ?? [],
        (messages) => messages.length > 0,
        15_000,
        250,
      );
      expect(dead.map((message) => message.Body)).toEqual(['poison']);
      expect(processed.sort()).toEqual(['good-1', 'good-2']);
      const record = seen[0]!.Records[0]!;
      expect(record).toMatchObject({ eventSource: 'aws:sqs', eventSourceARN: arn, attributes: { ApproximateReceiveCount: '1' } });
      const poisonReceives = seen.flatMap((event) => event.Records).filter((r) => r.body === 'poison').map((r) => r.attributes.ApproximateReceiveCount);
      expect(poisonReceives).toEqual(['1', '2']);
    } finally {
      await poller.stop();
    }
  });

  it('treats a thrown handler error as a failure of the whole batch', async () => {
    // Prepare
    const { url, arn } = await queueWithDlq(5);
    let calls = 0;
    const poller = startPoller({
      sqs,
      queueUrl: url,
      queueArn: arn,
      batchSize: 10,
      invoke: async () => {
        calls++;
        if (calls === 1) throw new Error('crash');
      },
    });
    try {
      // Act
      await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'once' }));

      // Assess: the crashed batch came back and, handled the second time, left the queue.
      await eventually(async () => calls, (count) => count >= 2, 10_000);
      const attributes = await eventually(
        async () => (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }))).Attributes!,
        (a) => a.ApproximateNumberOfMessages === '0' && a.ApproximateNumberOfMessagesNotVisible === '0',
      );
      expect(attributes.ApproximateNumberOfMessages).toBe('0');
    } finally {
      await poller.stop();
    }
  });
});
