import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { PermanentError, RateLimitedError, ValidationError } from '../../../functions/core/errors';
import type { DeadLetterMessage, MessageControl } from '../../../functions/core/ports/message-control';
import { makeSqsConsumer } from '../../../functions/shared/sqs-consumer';

const record = (messageId: string, body: string, receiveCount = 1): SQSRecord => ({
  messageId,
  receiptHandle: `rh-${messageId}`,
  body,
  attributes: {
    ApproximateReceiveCount: String(receiveCount),
    SentTimestamp: '1',
    SenderId: 's',
    ApproximateFirstReceiveTimestamp: '1764237600000',
  },
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:q',
  awsRegion: 'us-east-1',
});

const controlDouble = () => {
  const deadLettered: DeadLetterMessage[] = [];
  const delays: Array<[string, number]> = [];
  const control: MessageControl = {
    retryAfter: async (receiptHandle, seconds) => void delays.push([receiptHandle, seconds]),
    deadLetter: async (message) => void deadLettered.push(message),
  };
  return { control, deadLettered, delays };
};

const logger = { info: jest.fn(), warn: jest.fn(), error: jest.fn(), appendKeys: jest.fn(), removeKeys: jest.fn() };
const context = {} as Context;

describe('SQS consumer', () => {
  it('reports only the failed messages of a batch', async () => {
    // Prepare
    const { control } = controlDouble();
    const consume = makeSqsConsumer({
      handle: async (r) => {
        if (r.body === 'fail') throw new Error('boom');
      },
      control,
      sourceQueue: 'q',
      logger,
    });
    const event: SQSEvent = { Records: [record('1', 'ok'), record('2', 'fail'), record('3', 'ok')] };

    // Act
    const result = await consume(event, context);

    // Assess
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: '2' }] });
  });

  it('dead-letters a validation error at once with its class and attempts, and lets it be deleted', async () => {
    // Prepare
    const { control, deadLettered } = controlDouble();
    const consume = makeSqsConsumer({
      handle: async () => {
        throw new ValidationError('not an event');
      },
      correlationIdOf: () => 'msg_9',
      control,
      sourceQueue: 'https://sqs/q',
      logger,
      clock: () => new Date('2026-11-27T10:00:00Z'),
    });

    // Act
    const result = await consume({ Records: [record('1', '{}', 2)] }, context);

    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
    expect(deadLettered).toEqual([
      expect.objectContaining({
        messageId: '1',
        body: '{}',
        errorClass: 'validation',
        errorMessage: 'not an event',
        receiveCount: 2,
        failedAt: '2026-11-27T10:00:00.000Z',
        sourceQueue: 'https://sqs/q',
        correlationId: 'msg_9',
      }),
    ]);
  });

  it('keeps the message when the DLQ cannot take it, so nothing is lost', async () => {
    // Prepare
    const { control } = controlDouble();
    control.deadLetter = async () => {
      throw new Error('DLQ unavailable');
    };
    const consume = makeSqsConsumer({ handle: async () => Promise.reject(new PermanentError('no')), control, sourceQueue: 'q', logger });

    // Act
    const result = await consume({ Records: [record('1', 'x')] }, context);

    // Assess
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: '1' }] });
  });

  it('delays a rate-limited message by Retry-After through its visibility', async () => {
    // Prepare
    const { control, delays } = controlDouble();
    const consume = makeSqsConsumer({ handle: async () => Promise.reject(new RateLimitedError('429', 9)), control, sourceQueue: 'q', logger });

    // Act
    const result = await consume({ Records: [record('1', 'x')] }, context);

    // Assess
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: '1' }] });
    expect(delays).toEqual([['rh-1', 9]]);
  });
});

describe('SQS consumer under concurrent invocations', () => {
  it('keeps each batch’s failures apart when two invocations run at once', async () => {
    // Prepare: the slow record of the first batch holds until the second invocation is done.
    const { control } = controlDouble();
    let releaseSlow!: () => void;
    const slowHeld = new Promise<void>((resolve) => (releaseSlow = resolve));
    let slowStarted!: () => void;
    const firstBatchWaiting = new Promise<void>((resolve) => (slowStarted = resolve));
    const consume = makeSqsConsumer({
      handle: async (r) => {
        if (r.body === 'slow') {
          slowStarted();
          await slowHeld;
        }
        if (r.body.startsWith('fail')) throw new Error('boom');
      },
      control,
      sourceQueue: 'q',
      logger,
      fifo: true,
    });
    const withGroup = (id: string, body: string, group: string) => ({ ...record(id, body), attributes: { ...record(id, body).attributes, MessageGroupId: group } });

    // Act: the second invocation runs while the first, having failed a1, waits on a2.
    const firstRun = consume({ Records: [withGroup('a1', 'fail-a', 'g1'), withGroup('a2', 'slow', 'g2')] }, context);
    await firstBatchWaiting;
    const second = await consume({ Records: [withGroup('b1', 'ok', 'g3'), withGroup('b2', 'ok', 'g4')] }, context);
    releaseSlow();
    const first = await firstRun;

    // Assess
    expect(first).toEqual({ batchItemFailures: [{ itemIdentifier: 'a1' }] });
    expect(second).toEqual({ batchItemFailures: [] });
  });
});
