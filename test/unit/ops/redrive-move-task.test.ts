import {
  CancelMessageMoveTaskCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import type { AuditLine, Auditor } from '../../../ops/audit';
import { run } from '../../../ops/cli';
import { redriveDlq, resolveDlq, usesMoveTask } from '../../../ops/dlq';
import { OpsError } from '../../../ops/errors';

const REGION = 'eu-west-1';
const ACCOUNT = '111122223333';
const urlOf = (name: string) => `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${name}`;
const arnOf = (name: string) => `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`;
const DLQ = 'retail-sync-prod-sync-state-projector-dlq';
const SOURCE = 'retail-sync-prod-sync-state-projector';

describe('redrive with an SQS message move task', () => {
  const sqsMock = mockClient(SQSClient);
  let sqs: SQSClient;
  const noSleep = async () => undefined;
  /** What the CLI's redrives audited, in memory. */
  let audited: Array<Omit<AuditLine, 'at' | 'who'>>;
  const auditor: Auditor = {
    who: 'arn:aws:iam::123456789012:user/ops',
    record: async (line) => void audited.push(line),
    recordMany: async (lines) => void audited.push(...lines),
    problems: [],
  };

  beforeEach(() => {
    audited = [];
    sqsMock.reset();
    sqs = new SQSClient({ region: REGION, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    sqsMock.on(GetQueueUrlCommand).callsFake(({ QueueName }: { QueueName: string }) => ({ QueueUrl: urlOf(QueueName) }));
    sqsMock.on(GetQueueAttributesCommand).callsFake(({ QueueUrl }: { QueueUrl: string }) => ({ Attributes: { QueueArn: arnOf(QueueUrl.split('/').pop()!) } }));
    sqsMock.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 'task-1' });
  });
  afterAll(() => sqsMock.restore());

  it('hands an unfiltered redrive against AWS to SQS and follows the task until it completes', async () => {
    // Prepare
    sqsMock
      .on(ListMessageMoveTasksCommand)
      .resolvesOnce({ Results: [{ TaskHandle: 'task-1', Status: 'RUNNING', ApproximateNumberOfMessagesMoved: 4, ApproximateNumberOfMessagesToMove: 10 }] })
      .resolves({ Results: [{ TaskHandle: 'task-1', Status: 'COMPLETED', ApproximateNumberOfMessagesMoved: 10, ApproximateNumberOfMessagesToMove: 10 }] });
    const progress: number[] = [];

    // Act
    const result = await redriveDlq(sqs, await resolveDlq(sqs, 'prod', 'sync-state-projector'), {
      maxPerSecond: 50,
      sleep: noSleep,
      onProgress: ({ moved }) => progress.push(moved),
    });

    // Assess
    expect(result).toEqual({ mode: 'move-task', moved: 10, scanned: 10, dryRun: false, taskHandle: 'task-1', status: 'COMPLETED' });
    expect(sqsMock.commandCalls(StartMessageMoveTaskCommand).map((call) => call.args[0].input)).toEqual([
      { SourceArn: arnOf(DLQ), DestinationArn: arnOf(SOURCE), MaxNumberOfMessagesPerSecond: 50 },
    ]);
    expect(progress).toEqual([4, 10]);
    expect(sqsMock.commandCalls(ReceiveMessageCommand)).toHaveLength(0);
    expect(sqsMock.commandCalls(SendMessageCommand)).toHaveLength(0);
  });

  it('cancels the move task on Ctrl-C at once, leaving what was not moved in the DLQ', async () => {
    // Prepare
    sqsMock.on(ListMessageMoveTasksCommand).resolves({ Results: [{ TaskHandle: 'task-1', Status: 'RUNNING', ApproximateNumberOfMessagesMoved: 4, ApproximateNumberOfMessagesToMove: 10 }] });
    sqsMock.on(CancelMessageMoveTaskCommand).resolves({ ApproximateNumberOfMessagesMoved: 5 });
    const interrupt = new AbortController();
    // A poll interval nobody would wait out: the interrupt must wake the wait.
    const longSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

    // Act
    const result = await redriveDlq(sqs, await resolveDlq(sqs, 'prod', 'sync-state-projector'), {
      sleep: longSleep,
      pollIntervalMs: 3_600_000,
      signal: interrupt.signal,
      onProgress: () => interrupt.abort(),
    });

    // Assess
    expect(result).toEqual({ mode: 'move-task', moved: 5, scanned: 5, dryRun: false, taskHandle: 'task-1', status: 'CANCELLED', interrupted: true });
    expect(sqsMock.commandCalls(CancelMessageMoveTaskCommand).map((call) => call.args[0].input)).toEqual([{ TaskHandle: 'task-1' }]);
  });

  it('reports a failed move task as a runtime error with its reason', async () => {
    // Prepare
    sqsMock.on(ListMessageMoveTasksCommand).resolves({ Results: [{ TaskHandle: 'task-1', Status: 'FAILED', FailureReason: 'AccessDenied on destination', ApproximateNumberOfMessagesMoved: 3 }] });

    // Act
    const attempt = redriveDlq(sqs, await resolveDlq(sqs, 'prod', 'sync-state-projector'), { sleep: noSleep });

    // Assess
    await expect(attempt).rejects.toThrow(OpsError);
    await expect(attempt).rejects.toThrow(`Move task task-1 on ${DLQ} ended FAILED: AccessDenied on destination (3 moved)`);
  });

  it('uses the move task only without filter, max or dry run, and never against an emulator', () => {
    // Act & Assess
    expect(usesMoveTask({})).toBe(true);
    expect(usesMoveTask({ maxPerSecond: 10 })).toBe(true);
    expect(usesMoveTask({ emulator: true })).toBe(false);
    expect(usesMoveTask({ dryRun: true })).toBe(false);
    expect(usesMoveTask({ max: 5 })).toBe(false);
    expect(usesMoveTask({ filters: [{ key: 'errorClass', pattern: /^x$/, text: 'errorClass=x' }] })).toBe(false);
  });

  it('picks the move task from the CLI when no endpoint is configured, and scans when one is', async () => {
    // Prepare
    sqsMock.on(ListMessageMoveTasksCommand).resolves({ Results: [{ TaskHandle: 'task-1', Status: 'COMPLETED', ApproximateNumberOfMessagesMoved: 2 }] });
    sqsMock.on(ReceiveMessageCommand).resolves({ Messages: [] });
    const io = (env: NodeJS.ProcessEnv, out: string[], err: string[]) => ({
      stdout: (text: string) => out.push(text),
      stderr: (text: string) => err.push(text),
      progress: false,
      env,
      makeClient: () => sqs,
      makeAuditor: async () => auditor,
    });
    const [awsOut, awsErr, localOut] = [[], [], []] as string[][];

    // Act
    const onAws = await run(['ops', 'dlq', 'redrive', 'sync-state-projector', '--stage', 'prod', '--region', REGION], io({}, awsOut, awsErr));
    const onEmulator = await run(['ops', 'dlq', 'redrive', 'sync-state-projector', '--stage', 'prod'], io({ AWS_ENDPOINT_URL: 'http://127.0.0.1:5000' }, localOut, []));

    // Assess
    expect(onAws).toBe(0);
    expect(awsErr.join('')).toBe(`Starting an SQS message move task from ${DLQ} to ${SOURCE}\n`);
    expect(awsOut.join('')).toBe(`Moved 2 message(s) from ${DLQ} to ${SOURCE} (move task task-1)\n`);
    expect(onEmulator).toBe(0);
    expect(localOut.join('')).toBe(`Moved 0 message(s) from ${DLQ} to ${SOURCE} (0 scanned)\n`);
    expect(sqsMock.commandCalls(StartMessageMoveTaskCommand)).toHaveLength(1);
    // Each redrive is audited: the move task's, and the scan's that moved nothing.
    expect(audited.map((line) => [line.action, line.target, line.detail?.mode])).toEqual([
      ['dlq.redrive', `dlq:${DLQ}`, 'move-task'],
      ['dlq.redrive', `dlq:${DLQ}`, 'selective'],
    ]);
  });

  it('explains a missing permission in one line and exits 1', async () => {
    // Prepare
    sqsMock.on(StartMessageMoveTaskCommand).rejects(Object.assign(new Error('User is not authorized to perform: sqs:StartMessageMoveTask'), { name: 'AccessDenied' }));
    const err: string[] = [];

    // Act
    const code = await run(['ops', 'dlq', 'redrive', 'sync-state-projector', '--stage', 'prod'], {
      stdout: () => undefined,
      stderr: (text) => err.push(text),
      progress: false,
      env: {},
      makeClient: () => sqs,
      makeAuditor: async () => auditor,
    });

    // Assess
    expect(code).toBe(1);
    expect(err.join('').split('\n').filter(Boolean).pop()).toBe(
      `error: Permission denied to redrive ${DLQ} with a message move task: User is not authorized to perform: sqs:StartMessageMoveTask`,
    );
  });
});
