/**
 * What keeps other sites out of a console that acts with the operator's AWS credentials:
 * - every request must name this server as its Host (127.0.0.1:<port> or localhost:<port>), so a DNS
 *   rebinding page (evil.example resolving to 127.0.0.1) is refused before anything is read;
 * - every state-changing request (any method but GET and HEAD) must come from the console's own page:
 *   an Origin, when sent, of this server, a `Sec-Fetch-Site` (when sent) of same-origin, a JSON body, and
 *   the per-process token the page got in its HTML (`x-console-token`), which no other site can read.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const TOKEN_HEADER = 'x-console-token';

export type Refusal = { status: 403 | 415; kind: 'foreign-host' | 'cross-origin' | 'missing-token' | 'unsupported-media-type'; detail: string };

const allowedHosts = (port: number) => [`127.0.0.1:${port}`, `localhost:${port}`];

const sameToken = (given: string | undefined, token: string) => {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
};

/** Why the request is refused, or undefined when it may go on. */
export const refusal = (request: IncomingMessage, port: number, token: string): Refusal | undefined => {
  const host = (request.headers.host ?? '').toLowerCase();
  if (!allowedHosts(port).includes(host)) {
    return { status: 403, kind: 'foreign-host', detail: `The console answers only requests to ${allowedHosts(port).join(' or ')}; this one was for "${host}"` };
  }
  const method = request.method ?? 'GET';
  if (method === 'GET' || method === 'HEAD') return undefined;
  const origin = request.headers.origin;
  if (origin !== undefined && !allowedHosts(port).map((allowed) => `http://${allowed}`).includes(origin.toLowerCase())) {
    return { status: 403, kind: 'cross-origin', detail: `A state change must come from the console's own page; this one came from "${origin}"` };
  }
  const fetchSite = request.headers['sec-fetch-site'];
  if (fetchSite !== undefined && fetchSite !== 'same-origin') {
    return { status: 403, kind: 'cross-origin', detail: `A state change must come from the console's own page; this one was ${fetchSite}` };
  }
  const tokenHeader = request.headers[TOKEN_HEADER];
  if (!sameToken(Array.isArray(tokenHeader) ? tokenHeader[0] : tokenHeader, token)) {
    return { status: 403, kind: 'missing-token', detail: `A state change needs the console's token in ${TOKEN_HEADER} (the console's page sends it); reload the page if the console was restarted` };
  }
  if (!/^application\/json\s*(;|$)/i.test(request.headers['content-type'] ?? '')) {
    return { status: 415, kind: 'unsupported-media-type', detail: 'A state change takes a JSON body: Content-Type: application/json' };
  }
  return undefined;
};
