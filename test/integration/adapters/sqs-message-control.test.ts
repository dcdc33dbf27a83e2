import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { makeSqsMessageControl } from '../../../functions/adapters/sqs-message-control';
import { uniqueStage, useEmulator } from '../../support/emulator';

describe('SQS message control against the emulator', () => {
  let sqs: SQSClient;
  let queueUrl: string;
  let deadLetterUrl: string;

  beforeAll(async () => {
    useEmulator();
    sqs = new SQSClient({});
    const stage = uniqueStage('control');
    queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `${stage}-q`, Attributes: { VisibilityTimeout: '30' } }))).QueueUrl!;
    deadLetterUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `${stage}-dlq` }))).QueueUrl!;
  });
  afterAll(() => sqs.destroy());

  it('copies a message to the DLQ with its failure as attributes', async () => {
    const control = makeSqsMessageControl(sqs, queueUrl, deadLetterUrl);
    await control.deadLetter({
      messageId: 'm-1',
      body: '{"commandId":"c-1"}',
      errorClass: 'validation',
      errorMessage: 'Invalid ERP command: type: Invalid option',
      receiveCount: 1,
      firstReceivedAt: '2026-11-27T10:00:00.000Z',
      failedAt: '2026-11-27T10:00:01.000Z',
      sourceQueue: queueUrl,
      correlationId: 'msg_1',
    });
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: deadLetterUrl, MessageAttributeNames: ['All'] }));
    expect(Messages).toHaveLength(1);
    expect(Messages[0]!.Body).toBe('{"commandId":"c-1"}');
    const attributes = Object.fromEntries(Object.entries(Messages[0]!.MessageAttributes!).map(([name, value]) => [name, value.StringValue]));
    expect(attributes).toEqual({
      errorClass: 'validation',
      errorMessage: 'Invalid ERP command: type: Invalid option',
      attempts: '1',
      firstReceivedAt: '2026-11-27T10:00:00.000Z',
      failedAt: '2026-11-27T10:00:01.000Z',
      sourceQueue: queueUrl,
      originalMessageId: 'm-1',
      correlationId: 'msg_1',
    });
  });

  it('brings a message back after the requested delay instead of the visibility timeout', async () => {
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'retry me' }));
    const { Messages: [message] = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl }));
    await makeSqsMessageControl(sqs, queueUrl, deadLetterUrl).retryAfter(message!.ReceiptHandle!, 1);
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl }))).Messages ?? []).toHaveLength(0);
    await new Promise((resolve) => setTimeout(resolve, 1300));
    const { Messages: again = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl }));
    expect(again.map((m) => m.Body)).toEqual(['retry me']);
  });
});
