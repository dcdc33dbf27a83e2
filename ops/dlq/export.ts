import { writeFile } from 'node:fs/promises';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DlqMessage } from './dlq-message';
import { peekDlq, type PeekOptions } from './peek';
import type { DlqTarget } from './targets';

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
