import type * as z from '../zod';
import { describeIssues, ValidationError } from '../errors';
import { eventBridgeEnvelope } from './events';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes a body's bytes as UTF-8, refusing (400) bytes that are not: a lenient decode would replace them
 * and so change the text after its signature was checked. Text (a body the gateway passed as text) is
 * returned as it is.
 */
export const decodeUtf8 = (body: Uint8Array | string, what = 'The body'): string => {
  if (typeof body === 'string') return body;
  try {
    return strictUtf8.decode(body);
  } catch {
    throw new ValidationError(`${what} is not valid UTF-8.`);
  }
};

/** Parses text as JSON; `what` names the text in the `ValidationError` ("The ERP command is not valid JSON: …"). */
export const parseJson = (text: string, what = 'The body'): unknown => {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ValidationError(`${what} is not valid JSON: ${(error as Error).message}.`);
  }
};

export interface ValidationOptions {
  /** Starts the error message (default: "The payload does not match the expected schema"). */
  problem?: string;
  /** Where the value sits in a larger document, prefixed to each field path ("data"). */
  at?: string;
}

/**
 * Validates with a zod schema. A mismatch is a `ValidationError` (a 400, or a dead-letter without retry)
 * whose message starts with `problem` and names each field.
 *
 * @example
 * const command = validated(ErpCommand, json, { problem: 'Invalid ERP command' });
 */
export const validated = <T extends z.ZodMiniType>(schema: T, value: unknown, { problem = 'The payload does not match the expected schema', at }: ValidationOptions = {}): z.infer<T> => {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = describeIssues(result.error.issues).map((issue) => (at ? { ...issue, path: issue.path === '(root)' ? at : `${at}.${issue.path}` } : issue));
  throw new ValidationError(`${problem}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
};

/** Parses text as JSON, then validates it: the one way a message or body becomes a typed value. */
export const parseJsonAs = <T extends z.ZodMiniType>(schema: T, text: string, what: string, options: ValidationOptions = {}): z.infer<T> =>
  validated(schema, parseJson(text, what), options);

/** Parses an SQS message body holding an EventBridge event whose detail must match `detailSchema`. */
export const parseEventBridgeMessage = <T extends z.ZodMiniType>(body: string, detailSchema: T): z.infer<T> =>
  (parseJsonAs(eventBridgeEnvelope(detailSchema), body, 'The message body', { problem: 'The message is not a valid canonical event' }) as { detail: z.infer<T> }).detail;

/** Best-effort correlation id of a queued canonical event, for logs and DLQ attributes. */
export const correlationIdOfMessage = (body: string): string | undefined => {
  try {
    const id = JSON.parse(body)?.detail?.correlationId;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
};
