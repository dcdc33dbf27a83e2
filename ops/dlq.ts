/**
 * Dead-letter queue operations for ops engineers, as plain functions over an SQSClient so the CLI and
 * the tests share them. Nothing here consumes a message unless the operation is meant to (redrive,
 * purge): reads receive with a visibility timeout and give the messages back (visibility 0) at the end.
 */
import { writeFile } from 'node:fs/promises';
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListMessageMoveTasksCommand,
  ListQueuesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  StartMessageMoveTaskCommand,
  type Message,
  type MessageAttributeValue,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { QUEUES, resourceNames, type QueueSpec } from '../lib/topology';
import { explainAwsError, isQueueMissing, OpsError, UsageError } from './errors';

/** Attributes our consumers attach when they dead-letter a message; not forwarded on redrive. */
export const DEAD_LETTER_ATTRIBUTES = [
  'errorClass',
  'errorMessage',
  'attempts',
  'firstReceivedAt',
  'failedAt',
  'sourceQueue',
  'originalMessageId',
  'correlationId',
  'details',
] as const;

/** Error class shown for messages SQS moved itself after maxReceiveCount (they carry no attributes). */
export const REDRIVE_ERROR_CLASS = 'redrive';


export interface DlqTarget {
  spec: QueueSpec;
  stage: string;
  region: string;
  name: string;
  url: string;
  sourceName: string;
  fifo: boolean;
}

export interface DlqMessage {
  messageId: string;
  body: string;
  errorClass: string;
  errorMessage?: string;
  attempts?: number;
  firstFailureAt?: string;
  lastFailureAt?: string;
  correlationId?: string;
  sourceQueue?: string;
  messageGroupId?: string;
  sentAt?: string;
  summary: string;
  /** Message attributes (string or number values as text). */
  attributes: Record<string, string>;
  /** SQS system attributes (SentTimestamp, ApproximateReceiveCount, MessageGroupId…). */
  systemAttributes: Record<string, string>;
}

export interface ScanOptions {
  /** How long scanned messages stay hidden while the operation runs (seconds). */
  visibilityTimeoutSeconds?: number;
  /** Long-poll wait per receive; 0 suits the emulator, 1 lets AWS answer from all its hosts. */
  waitTimeSeconds?: number;
}

const DEFAULT_VISIBILITY_SECONDS = 120;

export const regionOf = async (sqs: SQSClient): Promise<string> => {
  try {
    return await sqs.config.region();
  } catch {
    return 'an unknown region';
  }
};

// ---------------------------------------------------------------- resolving queues

/** Every DLQ name the topology defines for a stage. */
export const knownDeadLetterQueues = (stage: string) => QUEUES.map((spec) => resourceNames(stage).deadLetterQueue(spec));

const specFor = (stage: string, queue: string): QueueSpec | undefined => {
  const names = resourceNames(stage);
  return QUEUES.find((spec) => {
    const dlq = names.deadLetterQueue(spec);
    return [spec.name, `${spec.name}-dlq`, dlq, dlq.replace(/\.fifo$/, ''), names.queue(spec)].includes(queue);
  });
};

const displayName = (stage: string, queue: string) => {
  if (queue.startsWith('retail-sync-')) return queue;
  return `${resourceNames(stage).prefix}-${queue.endsWith('-dlq') ? queue : `${queue}-dlq`}`;
};

const queueUrlOf = async (sqs: SQSClient, name: string): Promise<string | undefined> => {
  try {
    return (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl;
  } catch (error) {
    if (isQueueMissing(error)) return undefined;
    throw explainAwsError(error, `look up queue ${name}`);
  }
};

/** DLQs of the stage that exist, for error messages. */
const existingDeadLetterQueues = async (sqs: SQSClient, stage: string): Promise<string[]> => {
  try {
    const { QueueUrls = [] } = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: `${resourceNames(stage).prefix}-` }));
    return QueueUrls.map((url) => url.split('/').pop()!).filter((name) => /-dlq(\.fifo)?$/.test(name));
  } catch {
    return [];
  }
};

/**
 * Finds a stage's DLQ from a short name (`erp-commands`), a DLQ name or the source queue's name.
 * Unknown to the topology: UsageError. Known but absent from the account/region: OpsError.
 */
export const resolveDlq = async (sqs: SQSClient, stage: string, queue: string): Promise<DlqTarget> => {
  const region = await regionOf(sqs);
  const spec = specFor(stage, queue);
  if (!spec) {
    throw new UsageError(`No DLQ named ${displayName(stage, queue)} in ${region}: known DLQs: ${knownDeadLetterQueues(stage).join(', ')}`);
  }
  const names = resourceNames(stage);
  const name = names.deadLetterQueue(spec);
  const url = await queueUrlOf(sqs, name);
  if (!url) {
    const existing = await existingDeadLetterQueues(sqs, stage);
    throw new OpsError(`No DLQ named ${name} in ${region}: known DLQs: ${existing.length > 0 ? existing.join(', ') : `none for stage "${stage}"`}`);
  }
  return { spec, stage, region, name, url, sourceName: names.queue(spec), fifo: Boolean(spec.fifo) };
};

const sourceUrlOf = async (sqs: SQSClient, target: DlqTarget): Promise<string> => {
  const url = await queueUrlOf(sqs, target.sourceName);
  if (!url) throw new OpsError(`No source queue named ${target.sourceName} in ${target.region} for ${target.name}`);
  return url;
};

// ---------------------------------------------------------------- reading messages

const attributeText = (value: MessageAttributeValue) => value.StringValue ?? (value.BinaryValue ? Buffer.from(value.BinaryValue).toString('base64') : '');

const isoFromEpochMs = (value: string | undefined) => (value && /^\d+$/.test(value) ? new Date(Number(value)).toISOString() : value);

/** One-line summary of a payload: the event type and the ids it carries, else the start of the body. */
export const summarizePayload = (body: string, maxChars = 100): string => {
  const clip = (text: string) => (text.length > maxChars ? `${text.slice(0, maxChars - 1)}…` : text);
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return clip(body.replace(/\s+/g, ' ').trim());
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) return clip(JSON.stringify(json));
  const record = json as Record<string, unknown>;
  const inner = (record.detail && typeof record.detail === 'object' ? record.detail : record) as Record<string, unknown>;
  const kind = record['detail-type'] ?? inner.type ?? inner.kind;
  const ids = Object.entries(inner)
    .filter(([key, value]) => /id$/i.test(key) && key !== 'correlationId' && (typeof value === 'string' || typeof value === 'number'))
    .slice(0, 3)
    .map(([key, value]) => `${key}=${value}`);
  const parts = [typeof kind === 'string' ? kind : undefined, ...ids].filter(Boolean);
  return clip(parts.length > 0 ? parts.join(' ') : JSON.stringify(record));
};

const correlationIdOfBody = (body: string): string | undefined => {
  try {
    const id = JSON.parse(body)?.detail?.correlationId ?? JSON.parse(body)?.correlationId;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
};

/** Reads a received SQS message as a DLQ entry, for messages with or without our dead-letter attributes. */
export const describeMessage = (message: Message): DlqMessage => {
  const attributes = Object.fromEntries(Object.entries(message.MessageAttributes ?? {}).map(([key, value]) => [key, attributeText(value)]));
  const systemAttributes: Record<string, string> = { ...(message.Attributes ?? {}) };
  const body = message.Body ?? '';
  const receiveCount = systemAttributes.ApproximateReceiveCount;
  const attempts = attributes.attempts ?? receiveCount;
  const described: DlqMessage = {
    messageId: message.MessageId ?? '',
    body,
    errorClass: attributes.errorClass ?? REDRIVE_ERROR_CLASS,
    errorMessage: attributes.errorMessage,
    attempts: attempts !== undefined && /^\d+$/.test(attempts) ? Number(attempts) : undefined,
    firstFailureAt: attributes.firstReceivedAt ?? isoFromEpochMs(systemAttributes.ApproximateFirstReceiveTimestamp),
    lastFailureAt: attributes.failedAt,
    correlationId: attributes.correlationId ?? correlationIdOfBody(body),
    sourceQueue: attributes.sourceQueue,
    messageGroupId: systemAttributes.MessageGroupId,
    sentAt: isoFromEpochMs(systemAttributes.SentTimestamp),
    summary: summarizePayload(body),
    attributes,
    systemAttributes,
  };
  for (const key of Object.keys(described) as Array<keyof DlqMessage>) if (described[key] === undefined) delete described[key];
  return described;
};

// ---------------------------------------------------------------- filters

export interface Filter {
  key: string;
  pattern: RegExp;
  text: string;
}

/** Parses `key=value` filters; `*` in the value matches any text. */
export const parseFilters = (specs: string[] = []): Filter[] =>
  specs.map((text) => {
    const at = text.indexOf('=');
    if (at <= 0) throw new UsageError(`Invalid filter "${text}": expected key=value, e.g. errorClass=validation`);
    const key = text.slice(0, at).trim();
    const value = text.slice(at + 1);
    const pattern = new RegExp(`^${value.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's');
    return { key, pattern, text };
  });

/** Whether a message has every filtered key (errorClass, correlationId, any message or system attribute…). */
export const matchesFilters = (message: DlqMessage, filters: Filter[]): boolean =>
  filters.every(({ key, pattern }) => {
    const own = (message as unknown as Record<string, unknown>)[key];
    const value = own !== undefined && typeof own !== 'object' ? String(own) : (message.attributes[key] ?? message.systemAttributes[key]);
    return value !== undefined && pattern.test(value);
  });

// ---------------------------------------------------------------- scanning

interface Received {
  message: Message;
  described: DlqMessage;
}

/**
 * Receives messages batch after batch, keeping each one hidden until `release`, so a scan sees every
 * message once. The caller must release (or delete) what it received; `release` gives messages back
 * at once (visibility 0). If the process dies, they come back by themselves after the visibility timeout.
 */
const makeScanner = (sqs: SQSClient, url: string, options: ScanOptions = {}) => {
  const visibilityTimeout = options.visibilityTimeoutSeconds ?? DEFAULT_VISIBILITY_SECONDS;
  const waitTimeSeconds = options.waitTimeSeconds ?? 0;
  const held = new Map<string, string>(); // messageId -> receipt handle
  const seen = new Set<string>();
  let emptyReceives = 0;

  return {
    /** Next batch of unseen messages, or undefined when the queue has nothing more to show. */
    async next(): Promise<Received[] | undefined> {
      // Short polls (emulator) are exhaustive; long polls may come back empty once on a busy AWS queue.
      while (emptyReceives < (waitTimeSeconds > 0 ? 2 : 1)) {
        let messages: Message[];
        try {
          ({ Messages: messages = [] } = await sqs.send(
            new ReceiveMessageCommand({
              QueueUrl: url,
              MaxNumberOfMessages: 10,
              VisibilityTimeout: visibilityTimeout,
              WaitTimeSeconds: waitTimeSeconds,
              MessageAttributeNames: ['All'],
              MessageSystemAttributeNames: ['All'],
            }),
          ));
        } catch (error) {
          throw explainAwsError(error, `receive messages from ${url.split('/').pop()}`);
        }
        const fresh = messages.filter((message) => {
          held.set(message.MessageId!, message.ReceiptHandle!);
          if (seen.has(message.MessageId!)) return false;
          seen.add(message.MessageId!);
          return true;
        });
        if (fresh.length === 0) {
          emptyReceives += 1;
          continue;
        }
        emptyReceives = 0;
        return fresh.map((message) => ({ message, described: describeMessage(message) }));
      }
      return undefined;
    },
    /** The message left the queue (deleted): nothing to give back. */
    forget(messageId: string) {
      held.delete(messageId);
    },
    /** Makes every message still held visible again, best effort (never throws). */
    async release(): Promise<void> {
      const entries = [...held.entries()];
      held.clear();
      for (let i = 0; i < entries.length; i += 10) {
        await sqs
          .send(
            new ChangeMessageVisibilityBatchCommand({
              QueueUrl: url,
              Entries: entries.slice(i, i + 10).map(([, handle], index) => ({ Id: String(index), ReceiptHandle: handle, VisibilityTimeout: 0 })),
            }),
          )
          .catch(() => undefined);
      }
    },
  };
};

export interface PeekOptions extends ScanOptions {
  filters?: Filter[];
  /** Stop after this many matching messages. */
  max?: number;
}

/** Matching messages of a DLQ, without consuming them (they are visible again when this returns). */
export const peekDlq = async (sqs: SQSClient, target: Pick<DlqTarget, 'url'>, options: PeekOptions = {}): Promise<DlqMessage[]> => {
  const scanner = makeScanner(sqs, target.url, options);
  const found: DlqMessage[] = [];
  const max = options.max ?? Number.POSITIVE_INFINITY;
  try {
    let batch: Received[] | undefined;
    while (found.length < max && (batch = await scanner.next())) {
      for (const { described } of batch) if (found.length < max && matchesFilters(described, options.filters ?? [])) found.push(described);
    }
  } finally {
    await scanner.release();
  }
  return found;
};

// ---------------------------------------------------------------- list

export interface DlqSummary {
  name: string;
  sourceQueue: string;
  exists: boolean;
  /** Visible messages (ApproximateNumberOfMessages). */
  depth?: number;
  inFlight?: number;
  /** Age of the oldest message, from the SentTimestamp of up to `peekLimit` peeked messages. */
  oldestAgeSeconds?: number;
  oldestSentAt?: string;
  /** True when the DLQ holds more messages than were peeked, so the oldest may be older. */
  oldestIsLowerBound?: boolean;
}

/** Every DLQ of a stage with its depth, oldest message age and source queue. */
export const listDlqs = async (sqs: SQSClient, stage: string, options: ScanOptions & { peekLimit?: number; now?: () => number } = {}): Promise<DlqSummary[]> => {
  const names = resourceNames(stage);
  const now = options.now ?? Date.now;
  const summaries: DlqSummary[] = [];
  for (const spec of QUEUES) {
    const name = names.deadLetterQueue(spec);
    const sourceQueue = names.queue(spec);
    const url = await queueUrlOf(sqs, name);
    if (!url) {
      summaries.push({ name, sourceQueue, exists: false });
      continue;
    }
    let attributes: Record<string, string>;
    try {
      attributes =
        (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] })))
          .Attributes ?? {};
    } catch (error) {
      throw explainAwsError(error, `read the attributes of ${name}`);
    }
    const depth = Number(attributes.ApproximateNumberOfMessages ?? 0);
    const summary: DlqSummary = { name, sourceQueue, exists: true, depth, inFlight: Number(attributes.ApproximateNumberOfMessagesNotVisible ?? 0) };
    if (depth > 0) {
      const peekLimit = options.peekLimit ?? 100;
      const peeked = await peekDlq(sqs, { url }, { ...options, max: peekLimit });
      const sent = peeked.map((message) => Number(message.systemAttributes.SentTimestamp)).filter((value) => Number.isFinite(value));
      if (sent.length > 0) {
        const oldest = Math.min(...sent);
        summary.oldestSentAt = new Date(oldest).toISOString();
        summary.oldestAgeSeconds = Math.max(0, Math.round((now() - oldest) / 1000));
        summary.oldestIsLowerBound = depth > peeked.length && peeked.length >= peekLimit;
      }
    }
    summaries.push(summary);
  }
  return summaries;
};

// ---------------------------------------------------------------- export

export interface ExportOptions extends PeekOptions {
  out: string;
}

/** One JSON line per message: what `export` writes and what an engineer can replay from. */
export const exportLine = (message: DlqMessage) =>
  JSON.stringify({
    messageId: message.messageId,
    body: message.body,
    errorClass: message.errorClass,
    attempts: message.attempts,
    firstFailureAt: message.firstFailureAt,
    lastFailureAt: message.lastFailureAt,
    correlationId: message.correlationId,
    messageGroupId: message.messageGroupId,
    attributes: message.attributes,
    systemAttributes: message.systemAttributes,
  });

/** Writes the matching messages to a JSON Lines file without consuming them. */
export const exportDlq = async (sqs: SQSClient, target: Pick<DlqTarget, 'url'>, options: ExportOptions): Promise<{ count: number; file: string; messages: DlqMessage[] }> => {
  const messages = await peekDlq(sqs, target, options);
  await writeFile(options.out, messages.map((message) => exportLine(message) + '\n').join(''), 'utf8');
  return { count: messages.length, file: options.out, messages };
};

// ---------------------------------------------------------------- redrive

export interface RedriveProgress {
  scanned: number;
  moved: number;
  /** Approximate number of messages in the DLQ when the redrive started (capped by max). */
  total: number;
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
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Spaces calls so that at most `perSecond` happen per second. */
export const makePacer = (perSecond: number | undefined, sleep: (ms: number) => Promise<void> = defaultSleep) => {
  if (!perSecond || perSecond <= 0) return async () => undefined;
  const interval = 1000 / perSecond;
  let nextAt = 0;
  return async () => {
    const now = Date.now();
    if (nextAt > now) await sleep(nextAt - now);
    nextAt = Math.max(now, nextAt) + interval;
  };
};

/** Message attributes to forward to the source queue: the original ones, without our failure notes. */
const forwardedAttributes = (message: Message) => {
  const entries = Object.entries(message.MessageAttributes ?? {}).filter(([key]) => !(DEAD_LETTER_ATTRIBUTES as readonly string[]).includes(key));
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
};

const approximateDepth = async (sqs: SQSClient, url: string): Promise<number> => {
  const { Attributes = {} } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }));
  return Number(Attributes.ApproximateNumberOfMessages ?? 0);
};

const queueArnOf = async (sqs: SQSClient, url: string): Promise<string> => {
  const { Attributes = {} } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
  if (!Attributes.QueueArn) throw new OpsError(`SQS returned no ARN for ${url}`);
  return Attributes.QueueArn;
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
  if (usesMoveTask(options)) return redriveWithMoveTask(sqs, target, options);
  const sourceUrl = await sourceUrlOf(sqs, target);
  const filters = options.filters ?? [];
  const max = options.max ?? Number.POSITIVE_INFINITY;
  const pace = makePacer(options.maxPerSecond, options.sleep);
  const depth = await approximateDepth(sqs, target.url).catch((error) => {
    throw explainAwsError(error, `read the attributes of ${target.name}`);
  });
  const progress: RedriveProgress = { scanned: 0, moved: 0, total: Math.min(depth, max) };
  const wouldMove: DlqMessage[] = [];
  const scanner = makeScanner(sqs, target.url, options);
  try {
    let batch: Received[] | undefined;
    while (progress.moved + wouldMove.length < max && (batch = await scanner.next())) {
      for (const { message, described } of batch) {
        progress.scanned += 1;
        if (progress.moved + wouldMove.length >= max || !matchesFilters(described, filters)) {
          options.onProgress?.({ ...progress });
          continue;
        }
        if (options.dryRun) {
          wouldMove.push(described);
          options.onProgress?.({ ...progress });
          continue;
        }
        await pace();
        try {
          await sqs.send(
            new SendMessageCommand({
              QueueUrl: sourceUrl,
              MessageBody: message.Body ?? '',
              MessageAttributes: forwardedAttributes(message),
              ...(target.fifo
                ? { MessageGroupId: described.messageGroupId ?? 'redrive', MessageDeduplicationId: `redrive-${message.MessageId}` }
                : {}),
            }),
          );
        } catch (error) {
          throw explainAwsError(error, `send message ${message.MessageId} to ${target.sourceName}`);
        }
        try {
          await sqs.send(new DeleteMessageCommand({ QueueUrl: target.url, ReceiptHandle: message.ReceiptHandle }));
        } catch (error) {
          throw explainAwsError(error, `delete message ${message.MessageId} from ${target.name} (it is now in both queues)`);
        }
        scanner.forget(message.MessageId!);
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
  };
};

const FINISHED_TASK_STATUSES = ['COMPLETED', 'FAILED', 'CANCELLED'];

/** Whole-queue redrive by SQS itself (StartMessageMoveTask), followed until it finishes. */
const redriveWithMoveTask = async (sqs: SQSClient, target: DlqTarget, options: RedriveOptions): Promise<RedriveResult> => {
  const sleep = options.sleep ?? defaultSleep;
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
      options.onProgress?.({ scanned: moved, moved, total });
      if (FINISHED_TASK_STATUSES.includes(status)) {
        if (status !== 'COMPLETED') throw new OpsError(`Move task ${TaskHandle ?? ''} on ${target.name} ended ${status}: ${task?.FailureReason ?? 'no reason given'} (${moved} moved)`);
        break;
      }
      await sleep(options.pollIntervalMs ?? 2000);
    }
    return { mode: 'move-task', moved, scanned: moved, dryRun: false, taskHandle: TaskHandle, status };
  } catch (error) {
    throw explainAwsError(error, `redrive ${target.name} with a message move task`);
  }
};

// ---------------------------------------------------------------- purge

export interface PurgeOptions extends ScanOptions {
  filters?: Filter[];
  /** Export the messages to this JSON Lines file before deleting them; none when undefined. */
  exportTo?: string;
  /** Skip the confirmation. */
  yes?: boolean;
  /** Asks the engineer; resolves true to go ahead. */
  confirm: (question: string) => Promise<boolean>;
}

export interface PurgeResult {
  deleted: number;
  confirmed: boolean;
  exported?: string;
  /** Messages seen when the purge started (only these are deleted). */
  matched: number;
}

/**
 * Deletes the DLQ's (matching) messages. It deletes exactly the messages it exported and was asked to
 * confirm, never one that arrived in the meantime (unlike PurgeQueue).
 */
export const purgeDlq = async (sqs: SQSClient, target: DlqTarget, options: PurgeOptions): Promise<PurgeResult> => {
  const snapshot = options.exportTo
    ? (await exportDlq(sqs, target, { ...options, out: options.exportTo })).messages
    : await peekDlq(sqs, target, options);
  const base = { matched: snapshot.length, ...(options.exportTo ? { exported: options.exportTo } : {}) };
  if (snapshot.length === 0) return { ...base, deleted: 0, confirmed: true };
  const question = `Delete ${snapshot.length} message(s) from ${target.name} in ${target.region}${options.exportTo ? ` (exported to ${options.exportTo})` : ' (NOT exported)'}?`;
  if (!options.yes && !(await options.confirm(question))) return { ...base, deleted: 0, confirmed: false };

  const wanted = new Set(snapshot.map((message) => message.messageId));
  const scanner = makeScanner(sqs, target.url, options);
  let deleted = 0;
  try {
    let batch: Received[] | undefined;
    while (wanted.size > 0 && (batch = await scanner.next())) {
      for (const { message } of batch) {
        if (!wanted.has(message.MessageId!)) continue;
        try {
          await sqs.send(new DeleteMessageCommand({ QueueUrl: target.url, ReceiptHandle: message.ReceiptHandle }));
        } catch (error) {
          throw explainAwsError(error, `delete message ${message.MessageId} from ${target.name}`);
        }
        scanner.forget(message.MessageId!);
        wanted.delete(message.MessageId!);
        deleted += 1;
      }
    }
  } finally {
    await scanner.release();
  }
  return { ...base, deleted, confirmed: true };
};
