import type { APIGatewayProxyEvent } from 'aws-lambda';

/**
 * A request's body as API Gateway hands it over. The API declares every media type binary, so a body
 * arrives base64-encoded, byte for byte as sent: signatures are checked on those bytes and the text is
 * decoded strictly after (a body that is not UTF-8 is a 400, not a mangled string). Text when a caller
 * (a test, an older local gateway) passes it unencoded.
 */
export const requestBodyOf = (event: Pick<APIGatewayProxyEvent, 'body' | 'isBase64Encoded'>): Uint8Array | string =>
  event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64') : (event.body ?? '');
