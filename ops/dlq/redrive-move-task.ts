import { CancelMessageMoveTaskCommand, GetQueueAttributesCommand, ListMessageMoveTasksCommand, StartMessageMoveTaskCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { explainAwsError, OpsError } from '../errors';
import type { RedriveOptions, RedriveResult } from './redrive';
import { sourceUrlOf, type DlqTarget } from './targets';

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Sleeps, but wakes at once when `signal` aborts (Ctrl-C must not wait for the next poll). */
const interruptible = (sleep: (ms: number) => Promise<void>, signal: AbortSignal | undefined) => (ms: number) =>
  signal
    ? Promise.race([sleep(ms), new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })))])
    : sleep(ms);

const queueArnOf = async (sqs: SQSClient, url: string): Promise<string> => {
  const { Attributes = {} } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
  if (!Attributes.QueueArn) throw new OpsError(`SQS returned no ARN for ${url}`);
  return Attributes.QueueArn;
};

const FINISHED_TASK_STATUSES = ['COMPLETED', 'FAILED', 'CANCELLED'];

/**
 * Whole-queue redrive by SQS itself (StartMessageMoveTask), followed until it finishes. Interrupted
 * (Ctrl-C, `options.signal`), it cancels the task, so what was not moved yet stays in the DLQ.
 */
export const redriveWithMoveTask = async (sqs: SQSClient, target: DlqTarget, options: RedriveOptions): Promise<RedriveResult> => {
  const sleep = interruptible(options.sleep ?? defaultSleep, options.signal);
  const sourceUrl = await sourceUrlOf(sqs, target);
  try {
    const [sourceArn, destinationArn] = [await queueArnOf(sqs, target.url), await queueArnOf(sqs, sourceUrl)];
    const rate = options.maxPerSecond === undefined ? undefined : Math.min(500, Math.max(1, Math.floor(options.maxPerSecond)));
    const { TaskHandle } = await sqs.send(
      new StartMessageMoveTaskCommand({ SourceArn: sourceArn, DestinationArn: destinationArn, ...(rate ? { MaxNumberOfMessagesPerSecond: rate } : {}) }),
    );
    let status = 'RUNNING';
    let moved = 0;
    let total = 0;
    for (;;) {
      const { Results = [] } = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: sourceArn, MaxResults: 1 }));
      const task = Results.find((result) => !TaskHandle || !result.TaskHandle || result.TaskHandle === TaskHandle) ?? Results[0];
      status = task?.Status ?? status;
      moved = task?.ApproximateNumberOfMessagesMoved ?? moved;
      total = task?.ApproximateNumberOfMessagesToMove ?? total;
      options.onProgress?.({ scanned: moved, moved, total, cameBack: 0 });
      if (FINISHED_TASK_STATUSES.includes(status)) {
        if (status !== 'COMPLETED') throw new OpsError(`Move task ${TaskHandle ?? ''} on ${target.name} ended ${status}: ${task?.FailureReason ?? 'no reason given'} (${moved} moved)`);
        break;
      }
      if (options.signal?.aborted && TaskHandle) {
        const cancelled = await sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle }));
        moved = cancelled.ApproximateNumberOfMessagesMoved ?? moved;
        return { mode: 'move-task', moved, scanned: moved, dryRun: false, taskHandle: TaskHandle, status: 'CANCELLED', interrupted: true };
      }
      await sleep(options.pollIntervalMs ?? 2000);
    }
    return { mode: 'move-task', moved, scanned: moved, dryRun: false, taskHandle: TaskHandle, status };
  } catch (error) {
    throw explainAwsError(error, `redrive ${target.name} with a message move task`);
  }
};
