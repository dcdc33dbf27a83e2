import { problemType, type ProblemKind } from '../functions/core/problem-catalogue';

/**
 * What API Gateway itself answers (before any function runs), as the same problem+json the functions
 * answer: `type`, `title`, a numeric `status` and a `detail`. Shared by the CDK API and the local
 * gateway so both answer alike. No CDK import: the local stack loads it too.
 */
export interface GatewayProblem {
  status: number;
  title: string;
  /** Fixed text; when absent the gateway's own message (`$context.error.messageString`) is used. */
  detail?: string;
  /** The problem's `type` in the catalogue (`functions/core/problem-catalogue.ts`). */
  kind: ProblemKind;
}

/** The detail of an unknown route, in AWS and locally. */
export const UNKNOWN_ROUTE_DETAIL =
  'No route matches this method and path. (In AWS a read route called without a SigV4 signature answers the same: API Gateway cannot tell the two apart.)';

/**
 * One entry per gateway response type, each with the status it is sent with. A REST API answers an
 * unmatched method or path with MISSING_AUTHENTICATION_TOKEN (403 by default): it is answered 404 here,
 * as documented. DEFAULT_4XX and DEFAULT_5XX only catch types added to API Gateway after this list.
 */
export const GATEWAY_PROBLEMS: Record<string, GatewayProblem> = {
  MISSING_AUTHENTICATION_TOKEN: { status: 404, title: 'Not found', detail: UNKNOWN_ROUTE_DETAIL, kind: 'not-found' },
  RESOURCE_NOT_FOUND: { status: 404, title: 'Not found', kind: 'not-found' },
  ACCESS_DENIED: { status: 403, title: 'Access denied', kind: 'access-denied' },
  EXPIRED_TOKEN: { status: 403, title: 'Expired token', kind: 'access-denied' },
  INVALID_SIGNATURE: { status: 403, title: 'Invalid signature', kind: 'access-denied' },
  INVALID_API_KEY: { status: 403, title: 'Invalid API key', kind: 'access-denied' },
  WAF_FILTERED: { status: 403, title: 'Refused by the web application firewall', kind: 'access-denied' },
  UNAUTHORIZED: { status: 401, title: 'Unauthorized', kind: 'unauthorized' },
  BAD_REQUEST_BODY: { status: 400, title: 'Invalid request', kind: 'validation' },
  BAD_REQUEST_PARAMETERS: { status: 400, title: 'Invalid request', kind: 'validation' },
  REQUEST_TOO_LARGE: { status: 413, title: 'Payload too large', kind: 'payload-too-large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported media type', kind: 'unsupported-media-type' },
  THROTTLED: { status: 429, title: 'Too many requests', kind: 'too-many-requests' },
  QUOTA_EXCEEDED: { status: 429, title: 'Quota exceeded', kind: 'too-many-requests' },
  DEFAULT_4XX: { status: 400, title: 'Bad request', kind: 'bad-request' },
  API_CONFIGURATION_ERROR: { status: 500, title: 'Internal error', kind: 'internal' },
  AUTHORIZER_CONFIGURATION_ERROR: { status: 500, title: 'Internal error', kind: 'internal' },
  AUTHORIZER_FAILURE: { status: 500, title: 'Internal error', kind: 'internal' },
  INTEGRATION_FAILURE: { status: 504, title: 'Integration failure', kind: 'internal' },
  INTEGRATION_TIMEOUT: { status: 504, title: 'Integration timeout', kind: 'internal' },
  DEFAULT_5XX: { status: 500, title: 'Internal error', kind: 'internal' },
};

/**
 * The gateway response body template of a problem. Gateway response templates are plain variable
 * substitution (no VTL), and `$context.error.messageString` is already a quoted JSON string, so it is
 * written without quotes; the status is a literal number.
 */
export const gatewayProblemTemplate = (problem: GatewayProblem): string =>
  `{"type":${JSON.stringify(problemType(problem.kind))},"title":${JSON.stringify(problem.title)},"status":${problem.status},` +
  `"detail":${problem.detail === undefined ? '$context.error.messageString' : JSON.stringify(problem.detail)}}`;

/** The same problem as a document, for the local gateway. */
export const gatewayProblem = (responseType: keyof typeof GATEWAY_PROBLEMS, detail?: string) => {
  const problem = GATEWAY_PROBLEMS[responseType]!;
  return { type: problemType(problem.kind), title: problem.title, status: problem.status, detail: problem.detail ?? detail ?? problem.title };
};
