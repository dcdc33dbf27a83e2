import { DeleteMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { explainAwsError } from '../errors';
import { exportDlq } from './export';
import type { Filter } from './filters';
import { peekDlq } from './peek';
import { makeScanner, type Received, type ScanOptions } from './scanner';
import type { DlqTarget } from './targets';

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
