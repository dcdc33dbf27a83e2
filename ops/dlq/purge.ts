import { DeleteMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { auditTarget, type Auditor } from '../audit';
import { explainAwsError } from '../errors';
import { idsInBody, type DlqMessage } from './dlq-message';
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
  /** Who purges: an audit line for the DLQ and one per deleted message's order (or delivery). */
  audit?: Auditor;
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
  const deletedMessages: DlqMessage[] = [];
  const audited = async (error?: unknown) => {
    if (!options.audit) return;
    const detail = { matched: snapshot.length, deleted, ...(options.exportTo ? { exported: options.exportTo } : { exported: false }), ...(options.filters?.length ? { filters: options.filters.map((filter) => filter.text) } : {}), ...(error ? { error: (error as Error).message } : {}) };
    await options.audit.recordMany([
      { action: 'dlq.purge', target: auditTarget.dlq(target.name), detail, outcome: error ? 'failed' : 'ok' },
      ...deletedMessages.flatMap((message) => {
        const orderIds = [...idsInBody(message.body, ['orderId'])];
        const on = orderIds.length ? orderIds.map(auditTarget.order) : message.correlationId ? [auditTarget.delivery(message.correlationId)] : [];
        const about = { queue: target.name, messageId: message.messageId, errorClass: message.errorClass, ...(message.correlationId ? { correlationId: message.correlationId } : {}), summary: message.summary };
        return on.map((targetId) => ({ action: 'dlq.purge.message', target: targetId, detail: about, outcome: 'ok' as const }));
      }),
    ]);
  };
  const bySnapshot = new Map(snapshot.map((message) => [message.messageId, message]));
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
        deletedMessages.push(bySnapshot.get(message.MessageId!)!);
        deleted += 1;
      }
    }
  } catch (error) {
    await audited(error);
    throw error;
  } finally {
    await scanner.release();
  }
  await audited();
  return { ...base, deleted, confirmed: true };
};
