import { UnsupportedMediaTypeError } from './errors';

/**
 * Refuses a body that is not declared `application/json` (parameters such as `charset` are fine). A
 * request without a body is left to its route: Business Central's handshake POST carries none.
 * Checked in the functions, not by API Gateway: with a Lambda proxy integration the gateway passes
 * every content type through, and a request validator only validates bodies whose type has a model.
 *
 * @example
 * requireJsonBody({ 'Content-Type': 'application/json; charset=utf-8' }, '{}'); // passes
 * requireJsonBody({ 'content-type': 'text/plain' }, '{}'); // throws UnsupportedMediaTypeError (415)
 */
export const requireJsonBody = (headers: Readonly<Record<string, string | undefined>>, rawBody: string | Uint8Array): void => {
  if (rawBody.length === 0) return;
  // API Gateway passes header names as the client spelled them.
  const contentType = Object.entries(headers).find(([name]) => name.toLowerCase() === 'content-type')?.[1];
  const mediaType = contentType?.split(';')[0]!.trim().toLowerCase();
  if (mediaType !== 'application/json') {
    throw new UnsupportedMediaTypeError(
      `The body is ${contentType ? `declared "${contentType}"` : 'sent without a Content-Type'}; this route takes application/json.`,
    );
  }
};
