import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { QUEUES, resourceNames } from '../../lib/topology';
import { explainAwsError } from '../errors';
import { peekDlq } from './peek';
import type { ScanOptions } from './scanner';
import { queueUrlOf } from './targets';

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
