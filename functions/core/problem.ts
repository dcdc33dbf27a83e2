import {
  DeliveryConflictError,
  DeliveryInProgressError,
  DomainError,
  NotFoundError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  SignatureInvalidError,
  UnknownSourceError,
  ValidationError,
  WorkflowNotParkedError,
} from './errors';
import { PROBLEM_BASE, problemType } from './problem-catalogue';

/** An RFC 9457 problem details document. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  [extension: string]: unknown;
}

/**
 * The one table from error meaning to HTTP status. Each error's `kind` is its problem `type` under
 * `PROBLEM_BASE`, an entry of the problem catalogue (checked by a test).
 */
export const STATUS_BY_ERROR: ReadonlyArray<[new (...args: never[]) => DomainError, number, string]> = [
  [UnknownSourceError, 404, 'Unknown webhook source'],
  [NotFoundError, 404, 'Not found'],
  [SignatureInvalidError, 401, 'Signature verification failed'],
  [ValidationError, 400, 'Invalid request'],
  [PayloadTooLargeError, 413, 'Payload too large'],
  [UnsupportedMediaTypeError, 415, 'Unsupported media type'],
  [DeliveryConflictError, 409, 'Delivery id reused with a different body'],
  [DeliveryInProgressError, 409, 'Delivery is being processed'],
  [WorkflowNotParkedError, 409, 'Workflow is not waiting for a decision'],
];

export interface HttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export const problemResponse = (problem: Problem, headers: Record<string, string> = {}): HttpResponse => ({
  statusCode: problem.status,
  headers: { 'content-type': 'application/problem+json', ...headers },
  body: JSON.stringify(problem),
});

/**
 * Maps an error to a problem response. Errors the table does not know are server faults:
 * the sender gets a 500 without internals, so it retries, and we log the cause.
 */
const toProblem = (error: unknown, instance?: string): Problem => {
  for (const [ErrorClass, status, title] of STATUS_BY_ERROR) {
    if (error instanceof ErrorClass) {
      const problem: Problem = { type: PROBLEM_BASE + error.kind, title, status, detail: error.message };
      if (instance) problem.instance = instance;
      if (error instanceof ValidationError && error.issues.length > 0) problem.errors = error.issues;
      return problem;
    }
  }
  return {
    type: problemType('internal'),
    title: 'Internal error',
    status: 500,
    detail: 'The request could not be processed now; it was not accepted. Retry later.',
    ...(instance ? { instance } : {}),
  };
};

export const errorResponse = (error: unknown, instance?: string): HttpResponse => {
  const problem = toProblem(error, instance);
  const headers: Record<string, string> = error instanceof DeliveryInProgressError ? { 'retry-after': '2' } : {};
  return problemResponse(problem, headers);
};

export const jsonResponse = (statusCode: number, body: unknown): HttpResponse => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});
