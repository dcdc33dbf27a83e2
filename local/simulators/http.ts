import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SimRequest {
  method: string;
  /** The path the routes match: without the prefix the server strips (`base`). */
  path: string;
  /** The prefix stripped from the path (`serveJson`'s `stripPrefix`), or ''. */
  base: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: unknown;
  params: Record<string, string>;
  /** When the request's head arrived (epoch ms), before its body was read: when an API's rate limiter counts it. */
  receivedAt: number;
}

export interface SimResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Route = [method: string, pattern: RegExp, handle: (request: SimRequest) => SimResponse | Promise<SimResponse>];

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

const readBody = (request: http.IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });

/**
 * A tiny JSON HTTP server on loopback for the simulators of external systems. `stripPrefix` takes an
 * optional leading part off every path before routing (Business Central's `/v2.0/{tenant}/…/companies({id})`).
 */
export const serveJson = async (routes: Route[], port = 0, stripPrefix?: RegExp): Promise<RunningServer> => {
  const server = http.createServer(async (request, response) => {
    const receivedAt = Date.now();
    const url = new URL(request.url ?? '/', 'http://localhost');
    const base = (stripPrefix && stripPrefix.exec(url.pathname)?.[0]) || '';
    const pathname = url.pathname.slice(base.length) || '/';
    const send = ({ status, body, headers }: SimResponse) => {
      response.writeHead(status, { 'content-type': 'application/json', ...headers });
      response.end(body === undefined ? '' : JSON.stringify(body));
    };
    try {
      const raw = await readBody(request);
      let body: unknown;
      try {
        // OAuth token requests are form-encoded; everything else is JSON (also when curl -d labels it a form).
        const form = /application\/x-www-form-urlencoded/.test(request.headers['content-type'] ?? '') && !/^\s*[[{]/.test(raw);
        body = form ? Object.fromEntries(new URLSearchParams(raw)) : raw ? JSON.parse(raw) : undefined;
      } catch {
        return send({ status: 400, body: { error: 'InvalidJSON' } });
      }
      for (const [method, pattern, handle] of routes) {
        const match = pattern.exec(pathname);
        if (method === request.method && match) {
          return send(await handle({ method, path: pathname, base, query: url.searchParams, headers: request.headers, body, params: match.groups ?? {}, receivedAt }));
        }
      }
      send({ status: 404, body: { error: 'RecordNotFound', description: `No route ${request.method} ${pathname}` } });
    } catch (error) {
      send({ status: 500, body: { error: 'SimulatorFault', description: String(error) } });
    }
  });
  // As a real API keeps its connections: with 1 s here, undici (which gives a connection up 1 s before
  // the server's keep-alive hint) opened a new connection for nearly every request, and the connect
  // made ERP sends reach the simulator later after the gate's check (docs/performance.md, ERP pipeline).
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: boundPort } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${boundPort}`,
    port: boundPort,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
