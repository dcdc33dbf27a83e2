/**
 * The OpenAPI 3.1 document of the /v1 API, generated from `ROUTES` and their contracts (zod schemas)
 * by zod-openapi. `npm run openapi` writes it to docs/openapi.json, which the health function embeds
 * and serves at `GET /v1/openapi.json`.
 */
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject, type ZodOpenApiResponsesObject } from 'zod-openapi';
import { z } from 'zod';
import { Problem, problemOf } from '../functions/core/http-api/responses';
import { contractedRoutes, type RouteContract, type ResponseContract } from './api-contract';
import type { RouteSpec } from './topology';
import { version } from '../package.json';

/** The document's file, committed, served and compared with the released one. */
export const OPENAPI_DOCUMENT_PATH = 'docs/openapi.json';
/** The document of the last release: /v1 may only grow from it (docs/api-policy.md). */
export const RELEASED_OPENAPI_DOCUMENT_PATH = 'docs/openapi.released.json';

const SECURITY: Record<RouteSpec['authorization'], Array<Record<string, string[]>>> = {
  // Either, by stage (`readApiAuth`); locally always the key.
  caller: [{ sigv4: [] }, { apiKey: [] }],
  signature: [{ webhookSignature: [] }],
  none: [],
};

const deprecationHeaders = {
  deprecation: z.string().meta({ description: 'When the route was deprecated (RFC 9745: `@<unix seconds>`).' }),
  sunset: z.string().meta({ description: 'When the route stops answering (RFC 8594, an HTTP-date).' }),
};

const responseObject = (response: ResponseContract, contract: RouteContract) => {
  const headers = { ...response.headers, ...(contract.deprecated ? deprecationHeaders : {}) };
  const content = response.body
    ? { [response.body.contentType]: { schema: response.body.schema } }
    : { 'application/problem+json': { schema: problemOf(response.problems ?? ['internal']) } };
  return {
    description: response.description,
    ...(Object.keys(headers).length > 0 ? { headers: z.object(headers) } : {}),
    content,
    ...(response.gateway ? { 'x-gateway-responses': response.gateway } : {}),
  };
};

const operationOf = ({ route, contract, responses }: ReturnType<typeof contractedRoutes>[number]): ZodOpenApiOperationObject => ({
  operationId: contract.operationId,
  summary: contract.summary,
  ...(contract.description ? { description: contract.description } : {}),
  tags: [contract.tag],
  security: SECURITY[route.authorization],
  'x-authorization': route.authorization,
  ...(contract.deprecated ? { deprecated: true, 'x-sunset': contract.deprecated.sunset } : {}),
  requestParams: {
    ...(contract.path ? { path: contract.path } : {}),
    ...(contract.query ? { query: contract.query } : {}),
    ...(contract.headers ? { header: contract.headers } : {}),
  },
  ...(contract.requestBody
    ? { requestBody: { description: contract.requestBody.description, required: true, content: { [contract.requestBody.contentType]: { schema: contract.requestBody.schema } } } }
    : {}),
  responses: Object.fromEntries(
    Object.entries(responses)
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([status, response]) => [status, responseObject(response, contract)]),
  ) as ZodOpenApiResponsesObject,
});

/**
 * The OpenAPI document, the same on every run (docs/openapi.json is compared with it by a test).
 *
 * @example
 * const document = openApiDocument();
 * document.paths['/v1/orders/{orderId}/sync'].get.responses['404']; // the problem+json an unknown order gets
 */
export const openApiDocument = () => {
  const paths: ZodOpenApiPathsObject = {};
  for (const routed of contractedRoutes()) {
    paths[routed.route.path] = { ...paths[routed.route.path], [routed.route.method.toLowerCase()]: operationOf(routed) };
  }
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'Retail sync backbone',
      version,
      description:
        'Webhooks in, authoritative status out. /v1 changes only by addition; a route is retired with `Deprecation` and `Sunset` headers first (docs/api-policy.md). Every error is application/problem+json whose `type` is one of `components.schemas.ProblemType`.',
    },
    servers: [
      {
        url: 'https://{apiId}.execute-api.{region}.amazonaws.com/{stage}',
        variables: { apiId: { default: 'api-id' }, region: { default: 'eu-central-1' }, stage: { default: 'prod' } },
      },
      { url: 'http://127.0.0.1:3000', description: 'The local stack (npm start)' },
    ],
    tags: [
      { name: 'webhooks', description: 'Signed deliveries from the ERP, the 3PL, Shopify, Zendesk and Business Central' },
      { name: 'reads', description: 'What support tools read' },
      { name: 'workflows', description: 'Refund or replacement' },
      { name: 'operations', description: 'Health and this document' },
    ],
    paths,
    components: {
      schemas: { Problem },
      securitySchemes: {
        sigv4: {
          type: 'apiKey',
          name: 'Authorization',
          in: 'header',
          description: 'AWS Signature Version 4 (IAM) for execute-api, on a stage with readApiAuth "iam" (the default).',
          'x-amazon-apigateway-authtype': 'awsSigv4',
        },
        apiKey: {
          type: 'apiKey',
          name: 'x-api-key',
          in: 'header',
          description: 'An API key of the stage\'s usage plan, on a stage with readApiAuth "apiKey"; on the local stack one of API_KEYS (default local-dev-key).',
        },
        webhookSignature: {
          type: 'apiKey',
          name: 'webhook-signature',
          in: 'header',
          description: "The sender's signature, checked by the function (Standard Webhooks, or the sender's own scheme: see the operation).",
        },
      },
    },
  }, {
    // Responses grow by addition (docs/api-policy.md): clients must ignore fields they do not know, so
    // answered objects are documented open, while request bodies stay as strict as their schemas.
    override: (context) => {
      if (context.io === 'output' && context.jsonSchema.additionalProperties === false) delete context.jsonSchema.additionalProperties;
    },
  });
};

/** The document as written to docs/openapi.json. */
export const openApiDocumentText = () => JSON.stringify(openApiDocument(), null, 2) + '\n';
