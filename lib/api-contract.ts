/**
 * The HTTP contract of every route in `ROUTES`: parameters, request body and every status it can
 * answer, with the zod schema of each body. `lib/openapi.ts` turns it into the OpenAPI document; the
 * contract tests call the handlers and hold them to it. No CDK import: the local stack may load it.
 */
import { z, type ZodType } from 'zod';
import type { $ZodType } from 'zod/v4/core';
import { WEBHOOK_SOURCES } from '../functions/core/connectors/registry';
import {
  CustomerTimeline,
  HandshakeToken,
  Health,
  Inventory,
  OpenApiDocument,
  OrderSync,
  ResolutionStarted,
  WebhookAccepted,
  WorkflowStatus,
} from '../functions/core/http-api/responses';
import type { ProblemKind } from '../functions/core/problem-catalogue';
import { ResolutionRequestBody } from '../functions/core/workflows/refund-or-replacement';
import { CaseId } from '../functions/core/workflows/start-resolution';
import { WorkflowId } from '../functions/core/workflows/workflow-status';
import { GATEWAY_PROBLEMS } from './gateway-problems';
import { ROUTES, type RouteSpec } from './topology';

export type GatewayResponseType = keyof typeof GATEWAY_PROBLEMS;

export interface ResponseContract {
  description: string;
  /** A success body's schema and media type; an error's body is a problem of `problems`. */
  body?: { schema: ZodType; contentType: string };
  /** The catalogue types an error response carries. */
  problems?: ProblemKind[];
  /** The route's function answers it (the handler contract test must see it). */
  handler: boolean;
  /** API Gateway answers it, before or instead of the function. */
  gateway?: GatewayResponseType[];
  /** Response headers beside `content-type` (name -> schema). */
  headers?: Record<string, ZodType>;
}

/** A route being retired: it keeps answering until `sunset`, every response carrying `Deprecation` and `Sunset` (docs/api-policy.md). */
export interface RouteDeprecation {
  /** When it was deprecated (ISO 8601); sent as `Deprecation: @<unix seconds>` (RFC 9745). */
  since: string;
  /** When it stops answering (ISO 8601, at least 6 months after `since`); sent as an HTTP-date (RFC 8594). */
  sunset: string;
  /** The route that replaces it, sent as `Link: <…>; rel="successor-version"`. */
  successor?: string;
}

export interface RouteContract {
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  path?: z.ZodObject;
  query?: z.ZodObject;
  headers?: z.ZodObject;
  /** A request schema of the functions (`zod/mini`, functions/core/zod.ts). */
  requestBody?: { schema: $ZodType; contentType: string; description: string };
  /** What the route's function answers (statuses the gateway adds for every route come from `gatewayResponsesFor`). */
  responses: Record<number, Omit<ResponseContract, 'handler' | 'gateway'>>;
  deprecated?: RouteDeprecation;
}

const json = (schema: ZodType) => ({ schema, contentType: 'application/json' });

export const routeKey = (route: Pick<RouteSpec, 'method' | 'path'>) => `${route.method} ${route.path}`;

const problems = (description: string, ...kinds: ProblemKind[]) => ({ description, problems: kinds });
const internal = problems('Our fault (a dependency unavailable): nothing was accepted; retry later.', 'internal');

/**
 * Each route's contract, keyed `METHOD path` as in `ROUTES` (a test checks the two name the same routes).
 * Error statuses here are the function's; `gatewayResponsesFor` adds what API Gateway answers.
 */
export const ROUTE_CONTRACTS: Record<string, RouteContract> = {
  'POST /v1/webhooks/{source}': {
    operationId: 'receiveWebhook',
    tag: 'webhooks',
    summary: 'Receive a signed webhook from a sender',
    description:
      'Verifies the sender\'s signature, validates and maps the payload to canonical events and publishes them at least once per delivery id. Standard Webhooks senders (`erp`, `3pl`) sign with `webhook-id`, `webhook-timestamp` and `webhook-signature`; `shopify` with `X-Shopify-Hmac-Sha256`; `zendesk` with its signature and timestamp headers; `businesscentral` with the `clientState` of each notification.',
    path: z.object({ source: z.string().meta({ description: `The sender: ${WEBHOOK_SOURCES.join(', ')}.`, examples: ['erp'] }) }),
    query: z.object({
      validationToken: z.string().optional().meta({ description: 'Business Central\'s subscription handshake: echoed as text/plain, nothing is published.' }),
    }),
    headers: z.object({
      'webhook-id': z.string().optional().meta({ description: 'Standard Webhooks: the delivery id, stable across retries (the dedup key).' }),
      'webhook-timestamp': z.string().optional().meta({ description: 'Standard Webhooks: Unix seconds.' }),
      'webhook-signature': z.string().optional().meta({ description: 'Standard Webhooks: `v1,<base64 HMAC-SHA256>`, space-separated.' }),
    }),
    requestBody: { schema: z.record(z.string(), z.unknown()), contentType: 'application/json', description: "The sender's own payload (README, \"Sending a signed webhook\")." },
    responses: {
      200: { description: 'The Business Central subscription handshake: the `validationToken` echoed.', body: { schema: HandshakeToken, contentType: 'text/plain' } },
      202: { description: 'Accepted: the delivery\'s canonical events are on the bus (or were, for a duplicate).', body: json(WebhookAccepted) },
      400: problems('The body is not UTF-8 or not JSON, fails the sender\'s schema or maps to a canonical event its schema refuses (`errors` lists each field), contradicts its topic (Shopify), is nested more than 32 levels deep, or the handshake token is malformed.', 'validation'),
      401: problems('Missing signature headers, no matching signature, a timestamp more than 5 minutes off, or a Shopify delivery triggered more than 7 days ago.', 'signature-invalid'),
      404: problems('No sender of that name.', 'unknown-source'),
      409: {
        ...problems('The delivery id was used with a different body, or a duplicate arrived while the first is still processing (retry after `Retry-After`).', 'delivery-conflict', 'delivery-in-progress'),
        headers: { 'retry-after': z.string().optional().meta({ description: 'Seconds to wait (on `delivery-in-progress`).' }) },
      },
      413: problems('The body is over 240 KB.', 'payload-too-large'),
      415: problems('A body not declared `Content-Type: application/json`.', 'unsupported-media-type'),
      500: internal,
    },
  },
  'GET /v1/orders/{orderId}/sync': {
    operationId: 'getOrderSync',
    tag: 'reads',
    summary: "An order's authoritative sync state: the ERP's status and what the linked cases show",
    path: z.object({ orderId: z.string().meta({ examples: ['SO-1001'] }) }),
    responses: {
      200: { description: 'The sync state; a side never heard from is null.', body: json(OrderSync) },
      404: problems('An order never seen.', 'not-found'),
      500: internal,
    },
  },
  'GET /v1/customers/{customerId}/timeline': {
    operationId: 'getCustomerTimeline',
    tag: 'reads',
    summary: "A customer's orders, shipments, returns, refunds, invoices, cases, interactions and workflow milestones, newest first",
    path: z.object({ customerId: z.string().meta({ description: 'An email, `email:<address>` or `<system>:<id>`.', examples: ['ada@example.com'] }) }),
    query: z.object({
      limit: z.number().int().min(1).max(200).optional().meta({ description: 'Entries per page (default 50).' }),
      cursor: z.string().optional().meta({ description: 'The `nextCursor` of the previous page.' }),
    }),
    responses: {
      200: { description: 'A page of the timeline.', body: json(CustomerTimeline) },
      400: problems('`limit` is not a whole number from 1 to 200.', 'validation'),
      404: problems('No event has named the customer yet.', 'not-found'),
      500: internal,
    },
  },
  'GET /v1/inventory/{sku}': {
    operationId: 'getInventory',
    tag: 'reads',
    summary: 'Availability of a SKU per location, with staleness',
    path: z.object({ sku: z.string().meta({ examples: ['MUG-1'] }) }),
    query: z.object({ location: z.string().optional().meta({ description: 'Only this location.' }) }),
    responses: {
      200: { description: 'Availability; `stale` marks levels older than the stage\'s threshold.', body: json(Inventory) },
      404: problems('No level is known for the SKU (at that location).', 'not-found'),
      500: internal,
    },
  },
  'POST /v1/cases/{caseId}/resolutions': {
    operationId: 'startResolution',
    tag: 'workflows',
    summary: 'Start a refund-or-replacement workflow for a case',
    path: z.object({ caseId: CaseId }),
    requestBody: { schema: ResolutionRequestBody, contentType: 'application/json', description: 'Which lines of which order, why, and what the customer prefers.' },
    responses: {
      202: { description: 'Started (or started before by the same request: `started: false`); follow it at `statusUrl`.', body: json(ResolutionStarted) },
      400: problems('An invalid case id, or a body that is not JSON or fails the schema (`errors` lists each field).', 'validation'),
      415: problems('A body not declared `Content-Type: application/json`.', 'unsupported-media-type'),
      500: internal,
    },
  },
  'GET /v1/workflows/{workflowId}': {
    operationId: 'getWorkflow',
    tag: 'workflows',
    summary: 'Where a workflow stands: state, milestone, ERP documents and its history, oldest first',
    path: z.object({ workflowId: WorkflowId }),
    responses: {
      200: { description: 'The workflow.', body: json(WorkflowStatus) },
      400: problems('Not a workflow id.', 'validation'),
      404: problems('No such workflow has recorded its first milestone (it does within seconds of the 202).', 'not-found'),
      500: internal,
    },
  },
  'GET /v1/health': {
    operationId: 'getHealth',
    tag: 'operations',
    summary: 'The API and its functions answer (no dependency is called)',
    responses: { 200: { description: 'Up.', body: json(Health) } },
  },
  'GET /v1/openapi.json': {
    operationId: 'getOpenApiDocument',
    tag: 'operations',
    summary: 'This document',
    responses: { 200: { description: 'The OpenAPI 3.1 document of the /v1 API.', body: json(OpenApiDocument) } },
  },
};

type GatewayResponseContract = { description: string; problems: ProblemKind[]; gateway: GatewayResponseType[] };

/** What API Gateway answers a caller it does not know: by key (stages with readApiAuth "apiKey", and locally) or by SigV4 ("iam"). */
const CALLER_RESPONSES: Record<number, GatewayResponseContract> = {
  401: { description: 'No valid API key in x-api-key (a stage with readApiAuth "apiKey", and the local stack).', problems: ['unauthorized'], gateway: ['INVALID_API_KEY'] },
  403: { description: 'API Gateway refused the SigV4 signature (a stage with readApiAuth "iam"): the identity may not invoke the route, the signature is wrong or expired.', problems: ['access-denied'], gateway: ['ACCESS_DENIED', 'INVALID_SIGNATURE', 'EXPIRED_TOKEN'] },
  404: { description: 'No SigV4 signature on a stage with readApiAuth "iam" (API Gateway answers it like an unknown route).', problems: ['not-found'], gateway: ['MISSING_AUTHENTICATION_TOKEN'] },
};

/** What API Gateway itself answers on a route: on every route an oversize body, throttling and its own faults; on IAM routes a refused or missing SigV4 signature. */
export const gatewayResponsesFor = (route: Pick<RouteSpec, 'authorization'>): Record<number, GatewayResponseContract> => ({
  ...(route.authorization === 'caller' ? CALLER_RESPONSES : {}),
  413: { description: 'A body over API Gateway\'s 10 MB; and the web ACL refuses a Content-Length of 1,000,000 bytes or more before any route runs.', problems: ['payload-too-large'], gateway: ['REQUEST_TOO_LARGE'] },
  429: { description: 'Throttled (per route: the stage settings webhookThrottle* and readThrottle*; on the webhook route also the web ACL\'s per-IP rate rule): retry with backoff.', problems: ['too-many-requests'], gateway: ['THROTTLED'] },
  500: { description: 'API Gateway could not run the function.', problems: ['internal'], gateway: ['API_CONFIGURATION_ERROR', 'DEFAULT_5XX'] },
  504: { description: 'The function failed or timed out.', problems: ['internal'], gateway: ['INTEGRATION_FAILURE', 'INTEGRATION_TIMEOUT'] },
});

/** Every response a route can give: its function's and API Gateway's, merged per status. */
export const responsesOf = (route: RouteSpec): Record<number, ResponseContract> => {
  const contract = ROUTE_CONTRACTS[routeKey(route)];
  if (!contract) throw new Error(`No contract for ${routeKey(route)}: add it to ROUTE_CONTRACTS`);
  const responses: Record<number, ResponseContract> = {};
  for (const [status, response] of Object.entries(contract.responses)) responses[Number(status)] = { ...response, handler: true };
  for (const [status, response] of Object.entries(gatewayResponsesFor(route))) {
    const own = responses[Number(status)];
    responses[Number(status)] = own
      ? { ...own, description: `${own.description} Or: ${response.description}`, problems: [...new Set([...(own.problems ?? []), ...response.problems])], gateway: response.gateway }
      : { ...response, handler: false };
  }
  return responses;
};

/** The routes in `ROUTES` order, each with its contract. */
export const contractedRoutes = () => ROUTES.map((route) => ({ route, contract: ROUTE_CONTRACTS[routeKey(route)]!, responses: responsesOf(route) }));
