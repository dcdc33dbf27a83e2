import { ChangeMessageVisibilityBatchCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import { explainAwsError } from '../errors';
import { describeMessage, type DlqMessage } from './dlq-message';

export interface ScanOptions {
  /** How long scanned messages stay hidden while the operation runs (seconds). */
  visibilityTimeoutSeconds?: number;
  /** Long-poll wait per receive; 0 suits the emulator, 1 lets AWS answer from all its hosts. */
  waitTimeSeconds?: number;
}

const DEFAULT_VISIBILITY_SECONDS = 120;

export interface Received {
  message: Message;
  described: DlqMessage;
}

/**
 * Receives messages batch after batch, keeping each one hidden until `release`, so a scan sees every
 * message once. The caller must release (or delete) what it received; `release` gives messages back
 * at once (visibility 0). If the process dies, they come back by themselves after the visibility timeout.
 */
export const makeScanner = (sqs: SQSClient, url: string, options: ScanOptions = {}) => {
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
