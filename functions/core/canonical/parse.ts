import type { z } from 'zod';
import { describeIssues, ValidationError } from '../errors';
import { eventBridgeEnvelope } from './events';

/** Parses a queue message body as JSON; `what` names it in the error ("The ERP command"). */
export const parseJsonBody = (body: string, what: string): unknown => {
  try {
    return JSON.parse(body);
  } catch {
    throw new ValidationError(`${what} is not JSON.`);
  }
};

/** Validates with a zod schema; a mismatch is a `ValidationError` whose message starts with `problem` and names each field. */
export const validated = <T extends z.ZodTypeAny>(schema: T, value: unknown, problem: string): z.infer<T> => {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = describeIssues(result.error.issues);
  throw new ValidationError(`${problem}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
};

/** Parses an SQS message body holding an EventBridge event whose detail must match `detailSchema`. */
export const parseEventBridgeMessage = <T extends z.ZodTypeAny>(body: string, detailSchema: T): z.infer<T> =>
  (validated(eventBridgeEnvelope(detailSchema), parseJsonBody(body, 'The message body'), 'The message is not a valid canonical event') as { detail: z.infer<T> }).detail;

/** Best-effort correlation id of a queued canonical event, for logs and DLQ attributes. */
export const correlationIdOfMessage = (body: string): string | undefined => {
  try {
    const id = JSON.parse(body)?.detail?.correlationId;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
};
