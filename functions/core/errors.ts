/**
 * Errors are values with meaning. HTTP status codes for them live in one table (`problem.ts`);
 * retry behaviour of queue consumers is decided from `retryable` and `retryAfterSeconds`.
 */
export abstract class DomainError extends Error {
  abstract readonly kind: string;
  readonly retryable: boolean = false;
  /** When set on a retryable error: how long to wait before the next try. */
  readonly retryAfterSeconds?: number;
  constructor(message: string, readonly context: Record<string, unknown> = {}) {
    super(message);
    this.name = new.target.name;
  }
}

export class UnknownSourceError extends DomainError { readonly kind = 'unknown-source'; }

export class SignatureInvalidError extends DomainError { readonly kind = 'signature-invalid'; }

export class ValidationError extends DomainError {
  readonly kind = 'validation';
  constructor(message: string, readonly issues: Array<{ path: string; message: string }> = []) {
    super(message, { issues });
  }
}

export class PayloadTooLargeError extends DomainError { readonly kind = 'payload-too-large'; }

/** A body in a media type the route does not take (every POST route takes `application/json`). */
export class UnsupportedMediaTypeError extends DomainError { readonly kind = 'unsupported-media-type'; }

export class NotFoundError extends DomainError { readonly kind = 'not-found'; }

/** A decision (retry, abandon) for a workflow that is not parked waiting for one. */
export class WorkflowNotParkedError extends DomainError { readonly kind = 'workflow-not-parked'; }

/** The same delivery id arrived with a different body: a sender bug we refuse rather than guess. */
export class DeliveryConflictError extends DomainError { readonly kind = 'delivery-conflict'; }

/** A duplicate of a delivery that is still being processed; the sender should retry shortly. */
export class DeliveryInProgressError extends DomainError { readonly kind = 'delivery-in-progress'; override readonly retryable = true; }

/** A downstream system asked us to slow down. */
export class RateLimitedError extends DomainError {
  readonly kind = 'rate-limited';
  override readonly retryable = true;
  constructor(message: string, override readonly retryAfterSeconds?: number, context: Record<string, unknown> = {}) {
    super(message, context);
  }
}

/** Not tried now on purpose (breaker open, rate budget spent): comes back later without counting as a failed attempt. */
export class DeferredError extends DomainError {
  readonly kind = 'deferred';
  override readonly retryable = true;
  constructor(message: string, override readonly retryAfterSeconds: number, context: Record<string, unknown> = {}) {
    super(message, context);
  }
}

/** A transient failure that kept happening past the retry bound. */
export class RetriesExhaustedError extends DomainError { readonly kind = 'retries-exhausted'; }

/** A downstream fault that may pass: 5xx, timeout, connection reset, optimistic-lock conflict. */
export class TransientError extends DomainError { readonly kind = 'transient'; override readonly retryable = true; }

/** A downstream refusal that will not change on retry: 4xx other than 408/409/429. */
export class PermanentError extends DomainError { readonly kind: string = 'permanent'; }

/** The ERP refused a replacement order because the item is not in stock: a permanent refusal the workflow answers with a refund. */
export class OutOfStockError extends PermanentError { override readonly kind = 'out-of-stock'; }

/** Converts zod issues to `{ path, message }` pairs a person can act on. */
export const describeIssues = (issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>) =>
  issues.map((issue) => ({ path: issue.path.map(String).join('.') || '(root)', message: issue.message }));
