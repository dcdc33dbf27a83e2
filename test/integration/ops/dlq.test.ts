import { QUEUES, resourceNames } from '../../../lib/topology';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import {
  ChangeMessageVisibilityBatchCommand,
  GetQueueAttributesCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import type { Context, SQSRecord } from 'aws-lambda';
import { makeSqsMessageControl } from '../../../functions/adapters/sqs-message-control';
import { ValidationError } from '../../../functions/core/errors';
import { makeSqsConsumer } from '../../../functions/shared/sqs-consumer';
import { provisionLocalResources, type LocalQueue } from '../../../local/provision';
import { run } from '../../../ops/cli';
import { listDlqs, parseFilters, peekDlq, purgeDlq, redriveDlq, resolveDlq, type DlqTarget } from '../../../ops/dlq';
import { OpsError } from '../../../ops/errors';
import { eventually, uniqueStage, useEmulator } from '../../support/emulator';

const PROJECT_ROOT = path.join(__dirname, '..', '..', '..');

describe('ops dlq against the emulator', () => {
  let endpoint: string;
  let sqs: SQSClient;
  let stage: string;
  let queues: Map<string, LocalQueue>;
  let projector: LocalQueue;
  let erp: LocalQueue;
  let workDir: string;

  /** Every message of a queue (body, attributes), read without consuming it. */
  const contents = async (url: string): Promise<Message[]> => {
    const seen = new Map<string, Message>();
    for (;;) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 30, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'] }),
      );
      if (Messages.length === 0) break;
      for (const message of Messages) seen.set(message.MessageId!, message);
    }
    const all = [...seen.values()];
    for (let i = 0; i < all.length; i += 10) {
      const entries = all.slice(i, i + 10).map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle!, VisibilityTimeout: 0 }));
      await sqs.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: url, Entries: entries }));
    }
    return all;
  };
  /** Deletes every visible message (PurgeQueue is limited to once a minute). */
  const drain = async (url: string) => {
    for (;;) {
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 30 }));
      if (Messages.length === 0) return;
      await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
    }
  };
  const bodiesIn = async (url: string) => (await contents(url)).map((message) => message.Body!).sort();
  const depthOf = async (url: string) => {
    const { Attributes = {} } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
    );
    return { visible: Number(Attributes.ApproximateNumberOfMessages), hidden: Number(Attributes.ApproximateNumberOfMessagesNotVisible) };
  };

  /** Dead-letters a message the way our consumers do. */
  const deadLetter = async (queue: LocalQueue, body: string, errorClass: string, correlationId: string, messageGroupId?: string) =>
    makeSqsMessageControl(sqs, queue.url, queue.deadLetterUrl).deadLetter({
      messageId: `src-${correlationId}`,
      body,
      errorClass,
      errorMessage: `${errorClass} failure of ${correlationId}`,
      receiveCount: 3,
      firstReceivedAt: '2026-11-27T10:00:00.000Z',
      failedAt: '2026-11-27T10:05:00.000Z',
      sourceQueue: queue.url,
      correlationId,
      messageGroupId,
    });
  const event = (orderId: string) => JSON.stringify({ 'detail-type': 'order.status.changed', detail: { orderId, correlationId: `corr-${orderId}` } });
  const target = (queue: LocalQueue): Promise<DlqTarget> => resolveDlq(sqs, stage, queue.spec.name);

  const cli = async (...args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await run(args, { stdout: (text) => out.push(text), stderr: (text) => err.push(text), progress: false, env: { AWS_ENDPOINT_URL: endpoint } });
    return { code, stdout: out.join(''), stderr: err.join('') };
  };

  beforeAll(async () => {
    endpoint = useEmulator();
    sqs = new SQSClient({});
    stage = uniqueStage('ops');
    ({ queues } = await provisionLocalResources({ stage, signingSecrets: {}, visibilityTimeoutSeconds: 30, emulatorEndpoint: endpoint }));
    projector = queues.get('sync-state-projector')!;
    erp = queues.get('erp-commands')!;
    workDir = mkdtempSync(path.join(tmpdir(), 'ops-dlq-'));
  }, 30_000);
  beforeEach(async () => {
    for (const queue of queues.values()) {
      await drain(queue.url);
      await drain(queue.deadLetterUrl);
    }
  });
  afterAll(() => sqs.destroy());

  describe('list', () => {
    it('shows every DLQ of the stage with its depth, oldest message age and source queue', async () => {
      // Prepare
      await deadLetter(projector, event('o-1'), 'validation', 'c-1');
      await deadLetter(projector, event('o-2'), 'validation', 'c-2');

      // Act
      const summaries = await listDlqs(sqs, stage);

      // Assess
      // One row per queue of the topology, in its order.
      expect(summaries.map((s) => [s.name, s.sourceQueue, s.depth])).toEqual(
        QUEUES.map((spec) => [resourceNames(stage).deadLetterQueue(spec), resourceNames(stage).queue(spec), spec.name === 'sync-state-projector' ? 2 : 0]),
      );
      const projectorRow = summaries.find((s) => s.name.endsWith('-sync-state-projector-dlq'))!;
      expect(projectorRow.oldestAgeSeconds).toBeGreaterThanOrEqual(0);
      expect(projectorRow.oldestAgeSeconds).toBeLessThan(60);
      expect(summaries.find((s) => s.name.endsWith('-service-desk-updater-dlq'))!.oldestAgeSeconds).toBeUndefined();
      expect(await depthOf(projector.deadLetterUrl)).toEqual({ visible: 2, hidden: 0 });
    });

    it('prints a table through the CLI', async () => {
      // Prepare
      await deadLetter(projector, event('o-1'), 'validation', 'c-1');

      // Act
      const { code, stdout } = await cli('ops', 'dlq', 'list', '--stage', stage);

      // Assess
      expect(code).toBe(0);
      expect(stdout.split('\n')[0]).toMatch(/^DLQ\s+DEPTH\s+IN FLIGHT\s+OLDEST\s+SOURCE QUEUE$/);
      expect(stdout).toMatch(new RegExp(`retail-sync-${stage}-sync-state-projector-dlq\\s+1\\s+0\\s+\\d+s\\s+retail-sync-${stage}-sync-state-projector`));
    });
  });

  describe('peek', () => {
    it('shows error class, attempts, failures, correlation id and a payload summary without consuming the messages', async () => {
      // Prepare
      await deadLetter(projector, event('o-1'), 'validation', 'c-1');
      await deadLetter(projector, event('o-2'), 'transient', 'c-2');

      // Act
      const first = await peekDlq(sqs, await target(projector));
      const second = await peekDlq(sqs, await target(projector));

      // Assess
      expect(first.map((m) => m.correlationId).sort()).toEqual(['c-1', 'c-2']);
      expect(second.map((m) => m.messageId).sort()).toEqual(first.map((m) => m.messageId).sort());
      const validation = first.find((m) => m.errorClass === 'validation')!;
      expect(validation).toMatchObject({
        errorMessage: 'validation failure of c-1',
        attempts: 3,
        firstFailureAt: '2026-11-27T10:00:00.000Z',
        lastFailureAt: '2026-11-27T10:05:00.000Z',
        summary: 'order.status.changed orderId=o-1',
        sourceQueue: projector.url,
      });
      expect(await depthOf(projector.deadLetterUrl)).toEqual({ visible: 2, hidden: 0 });
    });

    it('shows messages SQS moved after maxReceiveCount as "redrive" with their receive count', async () => {
      // Prepare: receive a message past the source queue's maxReceiveCount (5) so SQS moves it.
      await sqs.send(new SendMessageCommand({ QueueUrl: projector.url, MessageBody: event('o-9') }));
      for (let i = 0; i < 6; i++) await sqs.send(new ReceiveMessageCommand({ QueueUrl: projector.url, VisibilityTimeout: 0 }));

      // Act
      const [message, ...others] = await peekDlq(sqs, await target(projector));

      // Assess
      expect(others).toEqual([]);
      expect(message).toMatchObject({ errorClass: 'redrive', correlationId: 'corr-o-9', summary: 'order.status.changed orderId=o-9' });
      expect(message!.attempts).toBe(Number(message!.systemAttributes.ApproximateReceiveCount));
      expect(message!.attempts).toBeGreaterThanOrEqual(1);
    });

    it('keeps only the messages matching every filter, and at most --max', async () => {
      // Prepare
      await deadLetter(projector, event('o-1'), 'validation', 'c-1');
      await deadLetter(projector, event('o-2'), 'transient', 'c-2');
      await deadLetter(projector, event('o-3'), 'validation', 'c-3');
      const dlq = await target(projector);

      // Act
      const validation = await peekDlq(sqs, dlq, { filters: parseFilters(['errorClass=validation']) });
      const byAttribute = await peekDlq(sqs, dlq, { filters: parseFilters(['errorClass=validation', 'correlationId=c-3']) });
      const wildcard = await peekDlq(sqs, dlq, { filters: parseFilters(['errorMessage=*failure of c-2']) });
      const capped = await peekDlq(sqs, dlq, { max: 2 });

      // Assess
      expect(validation.map((m) => m.correlationId).sort()).toEqual(['c-1', 'c-3']);
      expect(byAttribute.map((m) => m.correlationId)).toEqual(['c-3']);
      expect(wildcard.map((m) => m.correlationId)).toEqual(['c-2']);
      expect(capped).toHaveLength(2);
      expect(await depthOf(projector.deadLetterUrl)).toEqual({ visible: 3, hidden: 0 });
    });

    it('prints JSON for scripts with --json', async () => {
      // Prepare
      await deadLetter(projector, event('o-1'), 'validation', 'c-1');

      // Act
      const { code, stdout } = await cli('ops', 'dlq', 'peek', 'sync-state-projector', '--stage', stage, '--json', '--filter', 'errorClass=validation');

      // Assess
      expect(code).toBe(0);
      expect(JSON.parse(stdout)).toEqual([expect.objectContaining({ errorClass: 'validation', correlationId: 'c-1', body: event('o-1') })]);
    });
  });

  describe('redrive', () => {
    it('moves the matching messages back to the source queue without our failure attributes, and leaves the others', async () => {
      // Prepare
      await deadLetter(projector, event('o-1'), 'transient', 'c-1');
      await deadLetter(projector, event('o-2'), 'validation', 'c-2');
      await deadLetter(projector, event('o-3'), 'transient', 'c-3');

      // Act
      const result = await redriveDlq(sqs, await target(projector), { filters: parseFilters(['errorClass=transient']), emulator: true });

      // Assess
      expect(result).toMatchObject({ mode: 'selective', moved: 2, scanned: 3, dryRun: false });
      const source = await contents(projector.url);
      expect(source.map((m) => m.Body).sort()).toEqual([event('o-1'), event('o-3')]);
      expect(source.map((m) => Object.keys(m.MessageAttributes ?? {}).sort())).toEqual([
        ['attemptsBeforeRedrive', 'firstReceivedBeforeRedrive'],
        ['attemptsBeforeRedrive', 'firstReceivedBeforeRedrive'],
      ]);
      expect(await bodiesIn(projector.deadLetterUrl)).toEqual([event('o-2')]);
    });

    it('keeps the message group of FIFO messages and gives them a deduplication id', async () => {
      // Prepare
      const command = (id: string) => JSON.stringify({ type: 'createSalesOrder', commandId: id });
      await deadLetter(erp, command('c-1'), 'erp-rejected', 'c-1', 'order-o-1');
      await deadLetter(erp, command('c-2'), 'erp-rejected', 'c-2', 'order-o-1');

      // Act
      const result = await redriveDlq(sqs, await target(erp), { emulator: true });

      // Assess
      expect(result.moved).toBe(2);
      const source = await contents(erp.url);
      expect(source.map((m) => m.Body)).toEqual([command('c-1'), command('c-2')]);
      expect(source.map((m) => m.Attributes!.MessageGroupId)).toEqual(['order-o-1', 'order-o-1']);
      expect(source.every((m) => m.Attributes!.MessageDeduplicationId!.startsWith('redrive-'))).toBe(true);
      expect(await bodiesIn(erp.deadLetterUrl)).toEqual([]);
    });

    it('moves nothing in a dry run and reports what would move', async () => {
      // Prepare
      await deadLetter(projector, event('o-1'), 'transient', 'c-1');
      await deadLetter(projector, event('o-2'), 'validation', 'c-2');

      // Act
      const { code, stdout } = await cli('ops', 'dlq', 'redrive', 'sync-state-projector', '--stage', stage, '--dry-run', '--filter', 'errorClass=transient');

      // Assess
      expect(code).toBe(0);
      expect(stdout).toContain(`Dry run: would move 1 of 2 message(s) from retail-sync-${stage}-sync-state-projector-dlq`);
      expect(stdout).toContain('correlation=c-1');
      expect(await bodiesIn(projector.url)).toEqual([]);
      expect(await depthOf(projector.deadLetterUrl)).toEqual({ visible: 2, hidden: 0 });
    });

    it('honours --max and --max-per-second through the CLI', async () => {
      // Prepare
      for (const id of ['o-1', 'o-2', 'o-3']) await deadLetter(projector, event(id), 'transient', id);
      const started = Date.now();

      // Act
      const { code, stdout } = await cli('ops', 'dlq', 'redrive', 'sync-state-projector', '--stage', stage, '--max', '2', '--max-per-second', '4');

      // Assess
      expect(code).toBe(0);
      expect(stdout).toContain(`Moved 2 message(s) from retail-sync-${stage}-sync-state-projector-dlq to retail-sync-${stage}-sync-state-projector`);
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
      expect((await bodiesIn(projector.url)).length).toBe(2);
      expect((await bodiesIn(projector.deadLetterUrl)).length).toBe(1);
    });

    it('moves each message that was in the DLQ once and reports those that fail again and come back, instead of looping', async () => {
      // Prepare
      const bodies = Array.from({ length: 21 }, (_, i) => event(`poison-${i}`));
      for (const [i, body] of bodies.entries()) await deadLetter(projector, body, 'validation', `p-${i}`);
      const failingAgain = new SQSClient({});
      const send = failingAgain.send.bind(failingAgain) as (command: unknown) => Promise<unknown>;
      const sentToSource: string[] = [];
      jest.spyOn(failingAgain, 'send').mockImplementation((async (command: SendMessageCommand) => {
        const result = await send(command);
        if (command instanceof SendMessageCommand && command.input.QueueUrl === projector.url) {
          // A consumer that fails on the message again dead-letters it as a new message.
          sentToSource.push(command.input.MessageBody!);
          await makeSqsMessageControl(sqs, projector.url, projector.deadLetterUrl).deadLetter({
            messageId: (result as { MessageId: string }).MessageId,
            body: command.input.MessageBody!,
            errorClass: 'validation',
            errorMessage: 'still invalid',
            receiveCount: 1,
            firstReceivedAt: new Date().toISOString(),
            failedAt: new Date().toISOString(),
            sourceQueue: projector.url,
          });
        }
        return result;
      }) as never);

      // Act
      const result = await redriveDlq(failingAgain, await target(projector), { emulator: true, max: 100, maxPerSecond: 1000 });

      // Assess
      expect(result).toMatchObject({ mode: 'selective', moved: 21, cameBack: 21, interrupted: false });
      expect(sentToSource.sort()).toEqual([...bodies].sort());
      expect(await bodiesIn(projector.deadLetterUrl)).toEqual([...bodies].sort());
      failingAgain.destroy();
    });

    it('stops when interrupted, leaving every message not moved in the DLQ', async () => {
      // Prepare
      const bodies = ['o-1', 'o-2', 'o-3', 'o-4'].map(event);
      for (const [i, body] of bodies.entries()) await deadLetter(projector, body, 'transient', `c-${i}`);
      const interrupt = new AbortController();
      const counting = new SQSClient({});
      const send = counting.send.bind(counting) as (command: unknown) => Promise<unknown>;
      let sends = 0;
      jest.spyOn(counting, 'send').mockImplementation((async (command: unknown) => {
        const result = await send(command);
        if (command instanceof SendMessageCommand && ++sends === 2) interrupt.abort();
        return result;
      }) as never);

      // Act
      const result = await redriveDlq(counting, await target(projector), { emulator: true, signal: interrupt.signal });

      // Assess
      expect(result).toMatchObject({ moved: 2, interrupted: true });
      expect(await bodiesIn(projector.url)).toHaveLength(2);
      expect(await depthOf(projector.deadLetterUrl)).toEqual({ visible: 2, hidden: 0 });
      counting.destroy();
    });

    it('keeps the attempts and the first failure of a redriven message that fails again', async () => {
      // Prepare
      await deadLetter(projector, event('o-1'), 'validation', 'c-1');
      await redriveDlq(sqs, await target(projector), { emulator: true });
      const { Messages: [redriven] = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: projector.url, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'] }),
      );
      const consume = makeSqsConsumer({
        handle: async () => {
          throw new ValidationError('still invalid');
        },
        control: makeSqsMessageControl(sqs, projector.url, projector.deadLetterUrl),
        sourceQueue: projector.url,
        logger: { info: jest.fn(), warn: jest.fn(), error: jest.fn(), appendKeys: jest.fn(), removeKeys: jest.fn() },
      });
      const record = {
        messageId: redriven!.MessageId!,
        receiptHandle: redriven!.ReceiptHandle!,
        body: redriven!.Body!,
        attributes: redriven!.Attributes!,
        messageAttributes: Object.fromEntries(
          Object.entries(redriven!.MessageAttributes ?? {}).map(([name, value]) => [name, { dataType: value.DataType!, stringValue: value.StringValue }]),
        ),
      } as unknown as SQSRecord;

      // Act
      await consume({ Records: [record] }, {} as Context);

      // Assess
      const [again] = await peekDlq(sqs, await target(projector), { waitTimeSeconds: 0 });
      expect(again).toMatchObject({ errorMessage: 'still invalid', attempts: 4, firstFailureAt: '2026-11-27T10:00:00.000Z' });
    });

    it('loses no message when a delete fails halfway: each one is in the DLQ or the source queue', async () => {
      // Prepare
      const bodies = ['o-1', 'o-2', 'o-3', 'o-4', 'o-5'].map(event);
      for (const [i, body] of bodies.entries()) await deadLetter(projector, body, 'transient', `c-${i}`);
      const faulty = new SQSClient({});
      const send = faulty.send.bind(faulty) as (command: unknown) => Promise<unknown>;
      let deletes = 0;
      jest.spyOn(faulty, 'send').mockImplementation((async (command: { constructor: { name: string } }) => {
        if (command.constructor.name === 'DeleteMessageCommand' && ++deletes === 3) throw Object.assign(new Error('connection reset'), { name: 'NetworkingError' });
        return send(command);
      }) as never);

      // Act
      const attempt = redriveDlq(faulty, await resolveDlq(faulty, stage, 'sync-state-projector'), { emulator: true });

      // Assess
      await expect(attempt).rejects.toThrow(OpsError);
      await expect(attempt).rejects.toThrow(/delete message .* \(it is now in both queues\)/);
      const source = await bodiesIn(projector.url);
      const dlq = await bodiesIn(projector.deadLetterUrl);
      expect(source).toHaveLength(3);
      expect(dlq).toHaveLength(3); // the third one is in both: a duplicate, not a loss
      expect(new Set([...source, ...dlq])).toEqual(new Set(bodies));
      faulty.destroy();
    });

    it('loses no message when the process dies after some sends: unfinished ones reappear in the DLQ', async () => {
      // Prepare
      const bodies = ['o-1', 'o-2', 'o-3', 'o-4'].map(event);
      for (const [i, body] of bodies.entries()) await deadLetter(projector, body, 'transient', `c-${i}`);
      const dying = new SQSClient({});
      const send = dying.send.bind(dying) as (command: unknown) => Promise<unknown>;
      let sends = 0;
      let dead = false;
      jest.spyOn(dying, 'send').mockImplementation((async (command: { constructor: { name: string } }) => {
        if (dead) throw new Error('process is gone'); // not even the cleanup reaches SQS
        const result = await send(command);
        if (command.constructor.name === 'SendMessageCommand' && ++sends === 2) dead = true;
        return result;
      }) as never);

      // Act
      const attempt = redriveDlq(dying, await resolveDlq(sqs, stage, 'sync-state-projector'), { emulator: true, visibilityTimeoutSeconds: 1 });
      await expect(attempt).rejects.toThrow();
      await eventually(() => depthOf(projector.deadLetterUrl), ({ hidden }) => hidden === 0);

      // Assess
      const source = await bodiesIn(projector.url);
      const dlq = await bodiesIn(projector.deadLetterUrl);
      expect(source).toHaveLength(2);
      expect(new Set([...source, ...dlq])).toEqual(new Set(bodies));
      dying.destroy();
    });
  });

  describe('export', () => {
    it('writes one JSON line per message with its body and attributes, without consuming them', async () => {
      // Prepare
      await deadLetter(projector, event('o-1'), 'validation', 'c-1');
      await deadLetter(projector, event('o-2'), 'transient', 'c-2');
      const out = path.join(workDir, 'export.jsonl');

      // Act
      const { code, stdout } = await cli('ops', 'dlq', 'export', 'sync-state-projector', '--stage', stage, '--out', out);

      // Assess
      expect(code).toBe(0);
      expect(stdout).toBe(`Exported 2 message(s) from retail-sync-${stage}-sync-state-projector-dlq to ${out}\n`);
      const lines = readFileSync(out, 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line));
      expect(lines.map((line) => line.body).sort()).toEqual([event('o-1'), event('o-2')]);
      expect(lines.find((line) => line.errorClass === 'validation').attributes).toMatchObject({ errorClass: 'validation', correlationId: 'c-1', attempts: '3' });
      expect(await depthOf(projector.deadLetterUrl)).toEqual({ visible: 2, hidden: 0 });
    });
  });

  describe('purge', () => {
    it('exports first and deletes nothing when the engineer does not confirm', async () => {
      // Prepare
      await deadLetter(projector, event('o-1'), 'validation', 'c-1');
      const out = path.join(workDir, 'purge-declined.jsonl');
      const questions: string[] = [];

      // Act
      const result = await purgeDlq(sqs, await target(projector), { exportTo: out, confirm: async (question) => (questions.push(question), false) });

      // Assess
      expect(result).toEqual({ matched: 1, exported: out, deleted: 0, confirmed: false });
      expect(questions).toEqual([`Delete 1 message(s) from retail-sync-${stage}-sync-state-projector-dlq in us-east-1 (exported to ${out})?`]);
      expect(readFileSync(out, 'utf8').trimEnd().split('\n')).toHaveLength(1);
      expect(await bodiesIn(projector.deadLetterUrl)).toEqual([event('o-1')]);
    });

    it('deletes the confirmed messages but not one that arrived while the engineer was deciding', async () => {
      // Prepare
      await deadLetter(projector, event('o-1'), 'validation', 'c-1');
      await deadLetter(projector, event('o-2'), 'validation', 'c-2');
      const confirm = async () => {
        await deadLetter(projector, event('o-late'), 'validation', 'c-late');
        return true;
      };

      // Act
      const result = await purgeDlq(sqs, await target(projector), { confirm });

      // Assess
      expect(result).toEqual({ matched: 2, deleted: 2, confirmed: true });
      expect(await bodiesIn(projector.deadLetterUrl)).toEqual([event('o-late')]);
    });

    it('purges with --yes --no-export without asking or writing a file', async () => {
      // Prepare
      await deadLetter(projector, event('o-1'), 'validation', 'c-1');
      await deadLetter(projector, event('o-2'), 'transient', 'c-2');
      const confirm = jest.fn(async () => false);
      const out: string[] = [];

      // Act
      const code = await run(['ops', 'dlq', 'purge', 'sync-state-projector', '--stage', stage, '--yes', '--no-export', '--filter', 'errorClass=transient'], {
        stdout: (text) => out.push(text),
        stderr: () => undefined,
        confirm,
        env: { AWS_ENDPOINT_URL: endpoint },
      });

      // Assess
      expect(code).toBe(0);
      expect(out.join('')).toBe(`Deleted 1 message(s) from retail-sync-${stage}-sync-state-projector-dlq\n`);
      expect(confirm).not.toHaveBeenCalled();
      expect(await bodiesIn(projector.deadLetterUrl)).toEqual([event('o-1')]);
    });

    it('asks through the injected prompt and exports to --out through the CLI', async () => {
      // Prepare
      await deadLetter(projector, event('o-1'), 'validation', 'c-1');
      const file = path.join(workDir, 'purge-cli.jsonl');
      const out: string[] = [];

      // Act
      const code = await run(['ops', 'dlq', 'purge', 'sync-state-projector', '--stage', stage, '--out', file], {
        stdout: (text) => out.push(text),
        stderr: () => undefined,
        confirm: async () => true,
        env: { AWS_ENDPOINT_URL: endpoint },
      });

      // Assess
      expect(code).toBe(0);
      expect(out.join('')).toBe(`Exported 1 message(s) to ${file}\nDeleted 1 message(s) from retail-sync-${stage}-sync-state-projector-dlq\n`);
      expect(existsSync(file)).toBe(true);
      expect(await bodiesIn(projector.deadLetterUrl)).toEqual([]);
    });
  });

  describe('errors', () => {
    it('names the known DLQs in one line and exits 2 for a queue the topology does not know', async () => {
      // Act
      const { code, stdout, stderr } = await cli('ops', 'dlq', 'peek', 'foo', '--stage', stage);

      // Assess
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toBe(
        `error: No DLQ named retail-sync-${stage}-foo-dlq in us-east-1: known DLQs: ` +
          `${QUEUES.map((spec) => resourceNames(stage).deadLetterQueue(spec)).join(', ')}\n`,
      );
    });

    it('exits 1 with a one-line error when the stage has no such queue in the region', async () => {
      // Act
      const { code, stderr } = await cli('ops', 'dlq', 'redrive', 'erp-commands', '--stage', 'nosuchstage');

      // Assess
      expect(code).toBe(1);
      expect(stderr).toBe('error: No queue of stage "nosuchstage" exists in us-east-1: is the stage deployed in this region (--region), or the local stack running?\n');
    });

    it('exits 2 for a malformed filter or option', async () => {
      // Act
      const badFilter = await cli('ops', 'dlq', 'peek', 'erp-commands', '--stage', stage, '--filter', 'errorClass');
      const badMax = await cli('ops', 'dlq', 'peek', 'erp-commands', '--stage', stage, '--max', 'many');

      // Assess
      expect(badFilter).toMatchObject({ code: 2, stderr: 'error: Invalid filter "errorClass": expected key=value, e.g. errorClass=validation\n' });
      expect(badMax.code).toBe(2);
      expect(badMax.stderr).toContain("option '--max <n>' argument 'many' is invalid");
    });
  });

  it('runs as `retail-sync ops dlq list` through the bin launcher', () => {
    // Act
    const result = spawnSync(path.join(PROJECT_ROOT, 'bin', 'retail-sync'), ['ops', 'dlq', 'list', '--stage', stage, '--json'], {
      cwd: tmpdir(),
      env: { ...process.env, AWS_ENDPOINT_URL: endpoint },
      encoding: 'utf8',
      timeout: 30_000,
    });

    // Assess
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout).map((s: { name: string }) => s.name)).toContain(`retail-sync-${stage}-erp-commands-dlq.fifo`);
  }, 30_000);
});
