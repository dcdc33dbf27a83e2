import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { makeSqsMessageControl } from '../../../functions/adapters/sqs-message-control';
import { eventually, uniqueStage, useEmulator } from '../../support/emulator';

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
    // Prepare
    const control = makeSqsMessageControl(sqs, queueUrl, deadLetterUrl);

    // Act
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

    // Assess
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
    // Prepare
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'retry me' }));
    const { Messages: [message] = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl }));
    const receivedAt = Date.now();

    // Act
    await makeSqsMessageControl(sqs, queueUrl, deadLetterUrl).retryAfter(message!.ReceiptHandle!, 1);

    // Assess: hidden at first, back within seconds (the queue's visibility timeout is 30 s).
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl }))).Messages ?? []).toHaveLength(0);
    const again = await eventually(async () => (await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl }))).Messages ?? [], (messages) => messages.length > 0, 5_000);
    expect(again.map((m) => m.Body)).toEqual(['retry me']);
    expect(Date.now() - receivedAt).toBeLessThan(5_000);
  });
});
