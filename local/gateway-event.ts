import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent } from 'aws-lambda';

export interface GatewayRequest {
  /** The route's path template, e.g. `/v1/webhooks/{source}`. */
  resource: string;
  path: string;
  method: string;
  headers: Record<string, string>;
  pathParameters: Record<string, string>;
  query?: URLSearchParams;
  body: Buffer;
  stage: string;
}

/**
 * The proxy event API Gateway hands a function for one request, as the local gateway builds it: headers
 * single-valued, and the body base64-encoded byte for byte (the API declares every media type binary).
 *
 * @example
 * const event = gatewayEvent({ resource: '/v1/webhooks/{source}', path: '/v1/webhooks/erp', method: 'POST', headers, pathParameters: { source: 'erp' }, body: Buffer.from(rawBody), stage: 'local' });
 */
export const gatewayEvent = ({ resource, path, method, headers, pathParameters, query, body, stage }: GatewayRequest): APIGatewayProxyEvent => ({
  resource,
  path,
  httpMethod: method,
  headers,
  multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
  queryStringParameters: query?.size ? Object.fromEntries(query) : null,
  multiValueQueryStringParameters: null,
  pathParameters,
  stageVariables: null,
  requestContext: { requestId: randomUUID(), stage, httpMethod: method, path } as APIGatewayProxyEvent['requestContext'],
  body: body.length > 0 ? body.toString('base64') : null,
  isBase64Encoded: body.length > 0,
});
