import type { z } from 'zod';
import { describeIssues, ValidationError } from '../errors';
import { eventBridgeEnvelope } from './events';

/** Parses an SQS message body holding an EventBridge event whose detail must match `detailSchema`. */
export const parseEventBridgeMessage = <T extends z.ZodTypeAny>(body: string, detailSchema: T): z.infer<T> => {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new ValidationError('The message body is not JSON.');
  }
  const result = eventBridgeEnvelope(detailSchema).safeParse(json);
  if (!result.success) {
    const issues = describeIssues(result.error.issues);
    throw new ValidationError(`The message is not a valid canonical event: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
  }
  return (result.data as { detail: z.infer<T> }).detail;
};

/** Best-effort correlation id of a queued canonical event, for logs and DLQ attributes. */
export const correlationIdOfMessage = (body: string): string | undefined => {
  try {
    const id = JSON.parse(body)?.detail?.correlationId;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
};
