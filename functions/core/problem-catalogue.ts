/**
 * Every problem the HTTP API answers, under a stable `type` URI (RFC 9457). Clients branch on `type`,
 * never on `title` or `detail`, so a type, once released, keeps its URI and its meaning: a new kind of
 * problem is a new entry, never a renamed one. The OpenAPI document lists this catalogue
 * (`components.schemas.ProblemType`), and a test checks that every problem the functions and the gateway
 * can produce is here.
 */
export const PROBLEM_BASE = 'https://retail-sync.dev/problems/';

export interface ProblemTypeSpec {
  title: string;
  /** The statuses this type is answered with. */
  statuses: readonly number[];
  description: string;
}

export const PROBLEM_CATALOGUE = {
  validation: {
    title: 'Invalid request',
    statuses: [400],
    description: 'The body is not UTF-8 or not JSON, or fails the schema (also a signed body whose canonical event its schema refuses), or a path or query parameter is invalid; `errors` lists each field ({path, message}).',
  },
  'bad-request': {
    title: 'Bad request',
    statuses: [400],
    description: 'API Gateway refused the request before any function ran (a request type it added after this catalogue).',
  },
  'signature-invalid': {
    title: 'Signature verification failed',
    statuses: [401],
    description: 'A webhook without its signature headers, with no signature matching a current secret, with a timestamp more than 5 minutes off, or a Shopify delivery triggered more than 7 days ago.',
  },
  unauthorized: {
    title: 'Unauthorized',
    statuses: [401],
    description: 'A read or process route called without a valid API key in `x-api-key` (locally, and in AWS on a stage with `readApiAuth: apiKey`).',
  },
  'access-denied': {
    title: 'Access denied',
    statuses: [403],
    description: 'API Gateway refused a SigV4-signed request: the identity may not invoke the route, the signature is wrong or the credentials expired.',
  },
  'unknown-source': {
    title: 'Unknown webhook source',
    statuses: [404],
    description: 'The `{source}` of a webhook route is not a registered sender; `detail` lists the sources.',
  },
  'not-found': {
    title: 'Not found',
    statuses: [404],
    description:
      'An unknown order, customer, SKU or workflow; or a method and path no route serves (in AWS also a read route called without a SigV4 signature: API Gateway answers both alike).',
  },
  'delivery-conflict': {
    title: 'Delivery id reused with a different body',
    statuses: [409],
    description: 'The same delivery id (e.g. `webhook-id`) arrived before with a different body: a sender bug, refused rather than guessed.',
  },
  'delivery-in-progress': {
    title: 'Delivery is being processed',
    statuses: [409],
    description: 'A duplicate of a delivery still being processed; retry after the `Retry-After` seconds.',
  },
  'workflow-not-parked': {
    title: 'Workflow is not waiting for a decision',
    statuses: [409],
    description: 'A retry or abandon decision for a workflow that is not parked as an exception (the ops CLI answers it today; no /v1 route does).',
  },
  'payload-too-large': {
    title: 'Payload too large',
    statuses: [413],
    description: 'A webhook body over 240 KB (EventBridge carries at most 256 KB per event), or a `Content-Length` of 1,000,000 bytes or more (refused by the web ACL before any function runs).',
  },
  'unsupported-media-type': {
    title: 'Unsupported media type',
    statuses: [415],
    description: 'A POST body not declared `Content-Type: application/json` (webhooks and resolutions).',
  },
  'too-many-requests': {
    title: 'Too many requests',
    statuses: [429],
    description: 'Throttled: API Gateway per route (`webhookThrottle*`, `readThrottle*`), or on the webhook route the web ACL\'s per-IP rate rule; retry with backoff.',
  },
  internal: {
    title: 'Internal error',
    statuses: [500, 504],
    description: 'Our fault (a dependency unavailable, a function that failed or timed out): nothing was accepted; retry later.',
  },
} as const satisfies Record<string, ProblemTypeSpec>;

export type ProblemKind = keyof typeof PROBLEM_CATALOGUE;

export const PROBLEM_KINDS = Object.keys(PROBLEM_CATALOGUE) as ProblemKind[];

/** The stable `type` URI of a problem kind. */
export const problemType = (kind: ProblemKind) => PROBLEM_BASE + kind;

/** The kind a `type` URI names, when it is in the catalogue. */
export const problemKindOf = (type: string): ProblemKind | undefined => {
  const kind = type.startsWith(PROBLEM_BASE) ? type.slice(PROBLEM_BASE.length) : undefined;
  return kind !== undefined && kind in PROBLEM_CATALOGUE ? (kind as ProblemKind) : undefined;
};
