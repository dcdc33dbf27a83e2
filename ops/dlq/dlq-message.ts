/** How a dead-lettered SQS message reads: its failure history (attributes our consumers attach) and a payload summary. */
import type { Message, MessageAttributeValue } from '@aws-sdk/client-sqs';
import { REDRIVE_HISTORY_ATTRIBUTES } from '../../functions/core/ports/message-control';

/** Attributes our consumers (and redrives) attach to a failed message; not forwarded as they are on redrive. */
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
  REDRIVE_HISTORY_ATTRIBUTES.attempts,
  REDRIVE_HISTORY_ATTRIBUTES.firstReceivedAt,
] as const;

/** Error class shown for messages SQS moved itself after maxReceiveCount (they carry no attributes). */
export const REDRIVE_ERROR_CLASS = 'redrive';

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
  // A message SQS itself moved after maxReceiveCount has only the history an earlier redrive carried.
  const attemptsBefore = Number(attributes[REDRIVE_HISTORY_ATTRIBUTES.attempts] ?? 0) || 0;
  const attempts = attributes.attempts ?? (receiveCount !== undefined && /^\d+$/.test(receiveCount) ? String(Number(receiveCount) + attemptsBefore) : undefined);
  const described: DlqMessage = {
    messageId: message.MessageId ?? '',
    body,
    errorClass: attributes.errorClass ?? REDRIVE_ERROR_CLASS,
    errorMessage: attributes.errorMessage,
    attempts: attempts !== undefined && /^\d+$/.test(attempts) ? Number(attempts) : undefined,
    firstFailureAt: attributes.firstReceivedAt ?? attributes[REDRIVE_HISTORY_ATTRIBUTES.firstReceivedAt] ?? isoFromEpochMs(systemAttributes.ApproximateFirstReceiveTimestamp),
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

/** Every string a message body holds under one of `keys` (the envelope, `detail`, `data`, a command's fields). */
export const idsInBody = (body: string, keys: string[]): Set<string> => {
  const found = new Set<string>();
  const walk = (value: unknown, depth: number) => {
    if (!value || typeof value !== 'object' || depth > 4) return;
    for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
      if (keys.includes(key) && typeof inner === 'string') found.add(inner);
      else walk(inner, depth + 1);
    }
  };
  try {
    walk(JSON.parse(body), 0);
  } catch {
    // Not JSON: nothing to match but the correlation id attribute.
  }
  return found;
};
