import { DeleteMessageCommand, GetQueueAttributesCommand, SendMessageCommand, type Message, type MessageAttributeValue, type SQSClient } from '@aws-sdk/client-sqs';
import { REDRIVE_HISTORY_ATTRIBUTES } from '../../functions/core/ports/message-control';
import { makePacer } from '../../functions/core/pacer';
import { auditTarget, type Auditor, type AuditLine } from '../audit';
import { explainAwsError } from '../errors';
import { DEAD_LETTER_ATTRIBUTES, idsInBody, type DlqMessage } from './dlq-message';
import { matchesFilters, type Filter } from './filters';
import { redriveWithMoveTask } from './redrive-move-task';
import { makeScanner, type Received, type ScanOptions } from './scanner';
import { sourceUrlOf, type DlqTarget } from './targets';

export interface RedriveProgress {
  scanned: number;
  moved: number;
  /** Approximate number of messages in the DLQ when the redrive started (capped by max). */
  total: number;
  /** Moved messages that failed again and reached the DLQ during this run (left there). */
  cameBack: number;
}

export interface RedriveOptions extends ScanOptions {
  filters?: Filter[];
  max?: number;
  maxPerSecond?: number;
  dryRun?: boolean;
  /** The endpoint is an emulator (no StartMessageMoveTask there). */
  emulator?: boolean;
  onProgress?: (progress: RedriveProgress) => void;
  sleep?: (ms: number) => Promise<void>;
  /** Move task polling interval (ms). */
  pollIntervalMs?: number;
  /** Stops the redrive after the message being moved (Ctrl-C); the rest stays in the DLQ. */
  signal?: AbortSignal;
  now?: () => number;
  /** Who redrives: an audit line for the DLQ and one per moved message's order (or delivery); none in a dry run. */
  audit?: Auditor;
}

export interface RedriveResult {
  mode: 'selective' | 'move-task';
  moved: number;
  scanned: number;
  dryRun: boolean;
  /** In a dry run: the messages that would move. */
  wouldMove?: DlqMessage[];
  taskHandle?: string;
  status?: string;
  /** Selective redrive: moved messages that came back to the DLQ during the run. */
  cameBack?: number;
  /** Selective redrive: stopped by `signal` before the end. */
  interrupted?: boolean;
}

/**
 * Message attributes to forward to the source queue: the original ones without our failure notes, plus
 * the failure history (attempts so far, first failure) that a consumer carries on if it fails again.
 */
const forwardedAttributes = (message: Message, described: DlqMessage): Record<string, MessageAttributeValue> | undefined => {
  const entries = Object.entries(message.MessageAttributes ?? {}).filter(([key]) => !(DEAD_LETTER_ATTRIBUTES as readonly string[]).includes(key));
  const forwarded = {
    ...Object.fromEntries(entries),
    ...(described.attempts !== undefined ? { [REDRIVE_HISTORY_ATTRIBUTES.attempts]: { DataType: 'Number', StringValue: String(described.attempts) } } : {}),
    ...(described.firstFailureAt ? { [REDRIVE_HISTORY_ATTRIBUTES.firstReceivedAt]: { DataType: 'String', StringValue: described.firstFailureAt } } : {}),
  };
  return Object.keys(forwarded).length > 0 ? forwarded : undefined;
};

const approximateDepth = async (sqs: SQSClient, url: string): Promise<number> => {
  const { Attributes = {} } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }));
  return Number(Attributes.ApproximateNumberOfMessages ?? 0);
};

/** Whether a redrive can hand the whole DLQ to SQS's own move task. */
export const usesMoveTask = (options: RedriveOptions) => !options.emulator && !options.dryRun && (options.filters ?? []).length === 0 && options.max === undefined;

/**
 * Moves DLQ messages back to their source queue. Each message is sent to the source queue first and
 * only then deleted from the DLQ: a crash in between leaves a duplicate (absorbed by the consumers'
 * idempotency), never a loss. FIFO messages keep their group and get a deduplication id derived from
 * the DLQ message id, so a redrive repeated after a crash is deduplicated by SQS within 5 minutes.
 */
export const redriveDlq = async (sqs: SQSClient, target: DlqTarget, options: RedriveOptions = {}): Promise<RedriveResult> => {
  const moved: DlqMessage[] = [];
  const audited = async (result: RedriveResult | undefined, error?: unknown) => {
    if (!options.audit || options.dryRun) return;
    const detail = {
      source: target.sourceName,
      ...(options.filters?.length ? { filters: options.filters.map((filter) => filter.text) } : {}),
      ...(result ? { mode: result.mode, moved: result.moved, scanned: result.scanned, cameBack: result.cameBack ?? 0, ...(result.interrupted ? { interrupted: true } : {}) } : { moved: moved.length }),
      ...(error ? { error: (error as Error).message } : {}),
    };
    await options.audit.recordMany([
      { action: 'dlq.redrive', target: auditTarget.dlq(target.name), detail, outcome: error ? 'failed' : 'ok' },
      ...moved.flatMap((message) => redrivenMessageLines(target, message)),
    ]);
  };
  try {
    const result = usesMoveTask(options) ? await redriveWithMoveTask(sqs, target, options) : await redriveSelectively(sqs, target, options, moved);
    await audited(result);
    return result;
  } catch (error) {
    await audited(undefined, error);
    throw error;
  }
};

/** The audit lines of one moved message: one per order its body names, else one for its delivery. */
const redrivenMessageLines = (target: DlqTarget, message: DlqMessage): Array<Omit<AuditLine, 'at' | 'who'>> => {
  const detail = { queue: target.name, messageId: message.messageId, errorClass: message.errorClass, ...(message.correlationId ? { correlationId: message.correlationId } : {}), summary: message.summary };
  const orderIds = [...idsInBody(message.body, ['orderId'])];
  const targets = orderIds.length ? orderIds.map(auditTarget.order) : message.correlationId ? [auditTarget.delivery(message.correlationId)] : [];
  return targets.map((on) => ({ action: 'dlq.redrive.message', target: on, detail, outcome: 'ok' as const }));
};

const redriveSelectively = async (sqs: SQSClient, target: DlqTarget, options: RedriveOptions, moved: DlqMessage[]): Promise<RedriveResult> => {
  const sourceUrl = await sourceUrlOf(sqs, target);
  const filters = options.filters ?? [];
  const max = options.max ?? Number.POSITIVE_INFINITY;
  const pace = options.maxPerSecond ? makePacer({ perSecond: options.maxPerSecond, sleep: options.sleep }) : async () => undefined;
  const depth = await approximateDepth(sqs, target.url).catch((error) => {
    throw explainAwsError(error, `read the attributes of ${target.name}`);
  });
  const progress: RedriveProgress = { scanned: 0, moved: 0, total: Math.min(depth, max), cameBack: 0 };
  const wouldMove: DlqMessage[] = [];
  // Only the messages already in the DLQ when the run began are moved, each once: a moved message that
  // fails again comes back as a new message (new id, new SentTimestamp) and would otherwise loop forever.
  const startedAt = (options.now ?? Date.now)();
  const sentIds = new Set<string>();
  const isInterrupted = () => Boolean(options.signal?.aborted);
  const scanner = makeScanner(sqs, target.url, options);
  try {
    let batch: Received[] | undefined;
    while (progress.moved + wouldMove.length < max && !isInterrupted() && (batch = await scanner.next())) {
      for (const { message, described } of batch) {
        if (isInterrupted()) break;
        progress.scanned += 1;
        const cameBack = sentIds.has(described.messageId) || (described.attributes.originalMessageId !== undefined && sentIds.has(described.attributes.originalMessageId));
        if (cameBack) progress.cameBack += 1;
        const arrivedDuringRun = Number(described.systemAttributes.SentTimestamp) >= startedAt;
        if (cameBack || arrivedDuringRun || progress.moved + wouldMove.length >= max || !matchesFilters(described, filters)) {
          options.onProgress?.({ ...progress });
          continue;
        }
        if (options.dryRun) {
          wouldMove.push(described);
          options.onProgress?.({ ...progress });
          continue;
        }
        await pace();
        if (isInterrupted()) break;
        try {
          const { MessageId } = await sqs.send(
            new SendMessageCommand({
              QueueUrl: sourceUrl,
              MessageBody: message.Body ?? '',
              MessageAttributes: forwardedAttributes(message, described),
              ...(target.fifo
                ? { MessageGroupId: described.messageGroupId ?? 'redrive', MessageDeduplicationId: `redrive-${message.MessageId}` }
                : {}),
            }),
          );
          sentIds.add(message.MessageId!);
          if (MessageId) sentIds.add(MessageId);
        } catch (error) {
          throw explainAwsError(error, `send message ${message.MessageId} to ${target.sourceName}`);
        }
        try {
          await sqs.send(new DeleteMessageCommand({ QueueUrl: target.url, ReceiptHandle: message.ReceiptHandle }));
        } catch (error) {
          throw explainAwsError(error, `delete message ${message.MessageId} from ${target.name} (it is now in both queues)`);
        }
        scanner.forget(message.MessageId!);
        moved.push(described);
        progress.moved += 1;
        options.onProgress?.({ ...progress });
      }
    }
  } finally {
    await scanner.release();
  }
  return {
    mode: 'selective',
    moved: progress.moved,
    scanned: progress.scanned,
    dryRun: Boolean(options.dryRun),
    ...(options.dryRun ? { wouldMove } : {}),
    cameBack: progress.cameBack,
    interrupted: isInterrupted(),
  };
};
