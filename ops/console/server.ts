/**
 * The console's HTTP server: the page, its bundle, and a JSON API under /api that maps one to one onto
 * the ops library (through `ConsoleOps`). Bound to 127.0.0.1 only; requests are checked by `guard.ts`;
 * every error is application/problem+json (RFC 9457).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WorkflowState } from '../../functions/core/canonical/workflow';
import { PROBLEM_BASE } from '../../functions/core/problem-catalogue';
import type { Problem } from '../../functions/core/problem';
import { OpsError, UsageError } from '../errors';
import { parseSince } from '../reconcile';
import { UnknownTraceIdError } from '../trace';
import { DELAYED_KINDS, type DelayedKind } from '../delayed';
import { ConfirmationMismatchError, type ConsoleOps } from './console-ops';
import { refusal, TOKEN_HEADER } from './guard';
import { makeJobs } from './jobs';

export interface ConsoleAssets {
  js: string;
  css: string;
}

export interface ConsoleServerOptions {
  ops: ConsoleOps;
  /** The bundled front end (built once, at start). */
  assets: ConsoleAssets;
  /** 0 (default): a free port. */
  port?: number;
  /** The per-process token state-changing requests carry; random by default. */
  token?: string;
}

export interface ConsoleServer {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/** A problem the console answers itself (its own types: `console-…` under the product's base). */
class HttpProblem extends Error {
  constructor(readonly status: number, readonly kind: string, readonly title: string, detail: string) {
    super(detail);
  }
}

const badRequest = (detail: string) => new HttpProblem(400, 'validation', 'Invalid request', detail);

const toProblem = (error: unknown): Problem => {
  const problem = (status: number, kind: string, title: string, detail: string): Problem => ({ type: PROBLEM_BASE + kind, title, status, detail });
  if (error instanceof HttpProblem) return problem(error.status, error.kind, error.title, error.message);
  if (error instanceof UnknownTraceIdError) return problem(404, 'not-found', 'Not found', error.message);
  if (error instanceof ConfirmationMismatchError) return problem(400, 'console-confirmation', 'Confirmation does not match', error.message);
  if (error instanceof UsageError) return problem(400, 'validation', 'Invalid request', error.message);
  if (error instanceof OpsError) return problem(502, 'console-ops-failed', 'The operation failed', error.message);
  return problem(500, 'console-internal', 'Console error', `${(error as Error)?.name ?? 'Error'}: ${(error as Error)?.message ?? String(error)}`);
};

const SECURITY_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
};

const send = (response: ServerResponse, status: number, body: string, type: string, extra: Record<string, string> = {}) => {
  response.writeHead(status, { ...SECURITY_HEADERS, 'content-type': type, ...extra });
  response.end(body);
};
const sendJson = (response: ServerResponse, status: number, value: unknown) => send(response, status, JSON.stringify(value), 'application/json; charset=utf-8');
const sendProblem = (response: ServerResponse, problem: Problem) => send(response, problem.status, JSON.stringify(problem), 'application/problem+json');

const MAX_BODY = 64 * 1024;
const readJson = async (request: IncomingMessage): Promise<Record<string, unknown>> => {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new HttpProblem(413, 'payload-too-large', 'Payload too large', `A console request body is at most ${MAX_BODY} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    const value = JSON.parse(text) as unknown;
    if (!value || typeof value !== 'object' || Array.isArray(value)) throw badRequest('The body must be a JSON object');
    return value as Record<string, unknown>;
  } catch (error) {
    if (error instanceof HttpProblem) throw error;
    throw badRequest(`The body is not JSON: ${(error as Error).message}`);
  }
};

const positiveInt = (value: unknown, name: string): number | undefined => {
  if (value === undefined || value === null || value === '') return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) throw badRequest(`${name} must be a positive integer; got "${String(value)}"`);
  return parsed;
};
const positiveNumber = (value: unknown, name: string): number | undefined => {
  if (value === undefined || value === null || value === '') return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw badRequest(`${name} must be a positive number; got "${String(value)}"`);
  return parsed;
};
const stringList = (value: unknown, name: string): string[] => {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) throw badRequest(`${name} must be a list of strings`);
  return value as string[];
};
const requiredString = (value: unknown, name: string): string => {
  if (typeof value !== 'string' || value.trim() === '') throw badRequest(`${name} is required`);
  return value;
};

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };
const durationSeconds = (value: string | null, name: string): number | undefined => {
  if (!value) return undefined;
  const match = /^(\d+)([smhd])?$/.exec(value.trim());
  if (!match) throw badRequest(`${name} must be a duration such as 300, 90m, 2h or 1d; got "${value}"`);
  return Number(match[1]) * UNITS[match[2] ?? 's']!;
};

const indexHtml = (token: string, stage: string) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="console-token" content="${token}">
<meta name="console-stage" content="${stage.replace(/[^\w.-]/g, '')}">
<title>retail-sync console (${stage.replace(/[^\w.-]/g, '')})</title>
<link rel="stylesheet" href="/assets/console.css">
</head>
<body>
<div id="app"></div>
<noscript>The console needs JavaScript.</noscript>
<script type="module" src="/assets/console.js"></script>
</body>
</html>
`;

type Route = { method: string; pattern: RegExp; handle: (context: { request: IncomingMessage; response: ServerResponse; params: string[]; query: URLSearchParams }) => Promise<void> };

/**
 * Starts the console's server on 127.0.0.1.
 *
 * @example
 * const server = await startConsoleServer({ ops: makeConsoleOps({ stage: 'local' }, process.env), assets: await bundleConsole() });
 * console.log(server.url); // http://127.0.0.1:43127/
 */
export const startConsoleServer = async (options: ConsoleServerOptions): Promise<ConsoleServer> => {
  const { ops, assets } = options;
  const token = options.token ?? randomBytes(24).toString('base64url');
  const jobs = makeJobs();
  let port = 0;
  let who: Promise<string> | undefined;
  const operator = () => (who ??= ops.whoAmI().catch(() => 'unknown'));

  const routes: Route[] = [
    { method: 'GET', pattern: /^\/api\/whoami$/, handle: async ({ response }) => sendJson(response, 200, { who: await operator(), stage: ops.stage }) },
    { method: 'GET', pattern: /^\/api\/overview$/, handle: async ({ response }) => sendJson(response, 200, await ops.readOverview()) },
    {
      method: 'GET',
      pattern: /^\/api\/metrics$/,
      handle: async ({ response, query }) => {
        const hours = positiveInt(query.get('hours'), 'hours') ?? 6;
        if (hours > 168) throw badRequest('hours must be at most 168 (a week)');
        sendJson(response, 200, await ops.readMetricsHistory(hours));
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/delayed$/,
      handle: async ({ response, query }) => {
        const kinds = query.getAll('kind').filter(Boolean);
        const unknown = kinds.filter((kind) => !(DELAYED_KINDS as string[]).includes(kind));
        if (unknown.length) throw badRequest(`kind must be one of ${DELAYED_KINDS.join(', ')}; got "${unknown.join('", "')}"`);
        const minAgeSeconds = durationSeconds(query.get('minAge'), 'minAge');
        sendJson(response, 200, await ops.listDelayed({
          ...(kinds.length ? { kinds: kinds as DelayedKind[] } : {}),
          ...(minAgeSeconds !== undefined ? { minAgeSeconds } : {}),
          ...(query.get('region') ? { region: query.get('region')! } : {}),
          ...(query.get('brand') ? { brand: query.get('brand')! } : {}),
        }));
      },
    },
    { method: 'GET', pattern: /^\/api\/trace\/([^/]+)$/, handle: async ({ response, params }) => sendJson(response, 200, await ops.traceJourney(params[0]!)) },
    { method: 'GET', pattern: /^\/api\/dlqs$/, handle: async ({ response }) => sendJson(response, 200, await ops.listDlqs()) },
    {
      method: 'GET',
      pattern: /^\/api\/dlqs\/([^/]+)\/messages$/,
      handle: async ({ response, params, query }) =>
        sendJson(response, 200, await ops.peekDlq(params[0]!, { filters: query.getAll('filter').filter(Boolean), max: positiveInt(query.get('max'), 'max') })),
    },
    {
      method: 'GET',
      pattern: /^\/api\/dlqs\/([^/]+)\/export$/,
      handle: async ({ response, params, query }) => {
        const exported = await ops.exportDlq(params[0]!, { filters: query.getAll('filter').filter(Boolean), max: positiveInt(query.get('max'), 'max') });
        send(response, 200, exported.jsonLines, 'application/x-ndjson; charset=utf-8', {
          'content-disposition': `attachment; filename="${exported.queue}-${new Date().toISOString().replace(/[:.]/g, '-')}.jsonl"`,
          'x-exported-count': String(exported.count),
        });
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/dlqs\/([^/]+)\/redrive$/,
      handle: async ({ request, response, params }) => {
        const body = await readJson(request);
        const queue = params[0]!;
        const selection = {
          filters: stringList(body.filters, 'filters'),
          max: positiveInt(body.max, 'max'),
          maxPerSecond: positiveNumber(body.maxPerSecond, 'maxPerSecond'),
          dryRun: body.dryRun === true,
        };
        const busy = jobs.running('redrive', queue);
        if (busy) throw new HttpProblem(409, 'console-busy', 'A redrive of this queue is running', `Redrive ${busy.id} of ${queue} is still running: follow it at /api/jobs/${busy.id}`);
        const acting = await operator();
        const job = jobs.start('redrive', queue, (report, signal) => ops.redriveDlq(queue, selection, acting, report, signal));
        sendJson(response, 202, { jobId: job.id, statusUrl: `/api/jobs/${job.id}`, eventsUrl: `/api/jobs/${job.id}/events` });
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/dlqs\/([^/]+)\/purge$/,
      handle: async ({ request, response, params }) => {
        const body = await readJson(request);
        const confirmation = requiredString(body.confirm, 'confirm (the queue name, typed)');
        const exportTo = body.exportTo === undefined ? undefined : requiredString(body.exportTo, 'exportTo');
        sendJson(response, 200, await ops.purgeDlq(params[0]!, { filters: stringList(body.filters, 'filters'), ...(exportTo ? { exportTo } : {}) }, confirmation, await operator()));
      },
    },
    { method: 'GET', pattern: /^\/api\/jobs\/([^/]+)$/, handle: async ({ response, params }) => sendJson(response, 200, jobOrThrow(params[0]!)) },
    {
      method: 'POST',
      pattern: /^\/api\/jobs\/([^/]+)\/cancel$/,
      handle: async ({ response, params }) => {
        jobOrThrow(params[0]!);
        sendJson(response, 202, jobs.cancel(params[0]!));
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/jobs\/([^/]+)\/events$/,
      handle: async ({ request, response, params }) => {
        const job = jobOrThrow(params[0]!);
        response.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/event-stream', connection: 'keep-alive' });
        const push = (state: unknown) => response.write(`data: ${JSON.stringify(state)}\n\n`);
        push(job);
        if (job.state !== 'running') return void response.end();
        const unsubscribe = jobs.subscribe(job.id, (update) => {
          push(update);
          if (update.state !== 'running') response.end();
        });
        request.on('close', unsubscribe);
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/workflows$/,
      handle: async ({ response, query }) => {
        const states = query.getAll('state').filter(Boolean);
        const known = WorkflowState.options as string[];
        const unknown = states.filter((state) => !known.includes(state));
        if (unknown.length) throw badRequest(`state must be one of ${known.join(', ')}; got "${unknown.join('", "')}"`);
        sendJson(response, 200, await ops.listWorkflows((states.length ? states : ['running', 'waiting-for-return', 'exception']) as WorkflowState[], positiveInt(query.get('limit'), 'limit') ?? 50));
      },
    },
    { method: 'GET', pattern: /^\/api\/workflows\/([^/]+)$/, handle: async ({ response, params }) => sendJson(response, 200, await ops.showWorkflow(params[0]!)) },
    {
      method: 'POST',
      pattern: /^\/api\/workflows\/([^/]+)\/(retry|abandon)$/,
      handle: async ({ request, response, params }) => {
        await readJson(request);
        sendJson(response, 200, await ops.decideWorkflow(params[0]!, params[1] as 'retry' | 'abandon', await operator()));
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/reconciliations$/,
      handle: async ({ request, response }) => {
        const body = await readJson(request);
        const now = new Date();
        const since = parseSince(requiredString(body.since, 'since'), 'since', now);
        const until = body.until === undefined || body.until === '' ? now : parseSince(requiredString(body.until, 'until'), 'until', now);
        if (since >= until) throw badRequest('since must be before until');
        const outcome = await ops.requestReconciliation({ since, until, repair: body.repair !== false }, await operator());
        sendJson(response, 202, { ...outcome, statusUrl: `/api/reconciliations/${outcome.runId}` });
      },
    },
    { method: 'GET', pattern: /^\/api\/reconciliations\/([^/]+)$/, handle: async ({ response, params }) => sendJson(response, 200, await ops.reconciliationRun(params[0]!)) },
  ];

  const jobOrThrow = (id: string) => {
    const job = jobs.get(id);
    if (!job) throw new HttpProblem(404, 'not-found', 'Not found', `No job ${id} in this console (jobs live as long as the console runs)`);
    return job;
  };

  const server = createServer(async (request, response) => {
    try {
      const refused = refusal(request, port, token);
      if (refused) {
        return sendProblem(response, { type: PROBLEM_BASE + `console-${refused.kind}`, title: refused.status === 415 ? 'Unsupported media type' : 'Forbidden', status: refused.status, detail: refused.detail });
      }
      const url = new URL(request.url ?? '/', `http://127.0.0.1:${port}`);
      const method = request.method ?? 'GET';
      if (!url.pathname.startsWith('/api/')) {
        if (method !== 'GET' && method !== 'HEAD') throw new HttpProblem(405, 'not-found', 'Method not allowed', `${method} ${url.pathname} is not served`);
        if (url.pathname === '/' || url.pathname === '/index.html') return send(response, 200, indexHtml(token, ops.stage), 'text/html; charset=utf-8');
        if (url.pathname === '/assets/console.js') return send(response, 200, assets.js, 'text/javascript; charset=utf-8');
        if (url.pathname === '/assets/console.css') return send(response, 200, assets.css, 'text/css; charset=utf-8');
        throw new HttpProblem(404, 'not-found', 'Not found', `No page at ${url.pathname}: the console's pages are under / (e.g. /#/dlqs)`);
      }
      const matching = routes.filter((route) => route.pattern.test(url.pathname));
      const route = matching.find((candidate) => candidate.method === method);
      if (!route) {
        if (matching.length) throw new HttpProblem(405, 'not-found', 'Method not allowed', `${method} ${url.pathname} is not served; use ${matching.map((candidate) => candidate.method).join(' or ')}`);
        throw new HttpProblem(404, 'not-found', 'Not found', `No API route ${url.pathname}`);
      }
      let params: string[];
      try {
        params = route.pattern.exec(url.pathname)!.slice(1).map((param) => decodeURIComponent(param));
      } catch {
        throw badRequest(`The path ${url.pathname} is not valid percent-encoding`);
      }
      await route.handle({ request, response, params, query: url.searchParams });
    } catch (error) {
      if (response.headersSent) return void response.end();
      sendProblem(response, toProblem(error));
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    token,
    async close() {
      jobs.cancelAll();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};

export { TOKEN_HEADER };
