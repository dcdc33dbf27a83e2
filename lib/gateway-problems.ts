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

/** The detail of a read or process route called without a valid API key (stages with `readApiAuth: apiKey`, and locally). */
export const API_KEY_DETAIL = 'This route needs an API key of this stage in the x-api-key header.';

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
  // A missing or unknown key is a caller not authenticated: 401, as the local gateway answers it.
  INVALID_API_KEY: { status: 401, title: 'Unauthorized', detail: API_KEY_DETAIL, kind: 'unauthorized' },
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

/**
 * A Content-Length with more digits than this (1,000,000 bytes or more) is refused by the web ACL
 * before API Gateway: the gateway takes 10 MB but a synchronous Lambda invoke at most 6 MB, so bodies in
 * between would fail at the integration as a 5xx no gateway response can tell apart. Far above the
 * largest body a function accepts (240 KB), so nothing a function would take is refused.
 */
export const FIREWALL_MAX_CONTENT_LENGTH_DIGITS = 6;

/**
 * What the web ACL answers when a rule blocks, shared by the CDK web ACL and the local gateway. A WAF
 * custom response cannot set `content-type` beyond its body types, so these go out as `application/json`.
 */
export const FIREWALL_PROBLEMS = {
  bodyTooLarge: {
    type: problemType('payload-too-large'),
    title: 'Payload too large',
    status: 413,
    detail: 'The body is 1,000,000 bytes or more (Content-Length); it is refused before any function runs. A webhook may be at most 240 KB.',
  },
  rateLimited: {
    type: problemType('too-many-requests'),
    title: 'Too many requests',
    status: 429,
    detail: 'Too many webhook requests from this address in the last minutes; retry later with backoff.',
  },
} as const;
export type FirewallProblem = keyof typeof FIREWALL_PROBLEMS;

/** Whether the web ACL refuses a request with this Content-Length as too large for a Lambda invoke. */
export const exceedsInvokeLimit = (contentLength: string | undefined) => (contentLength ?? '').trim().length > FIREWALL_MAX_CONTENT_LENGTH_DIGITS;
