import { request } from 'node:http';
import type { ConsoleOps } from '../../../ops/console/console-ops';
import { startConsoleServer, TOKEN_HEADER, type ConsoleServer } from '../../../ops/console/server';
import { UsageError } from '../../../ops/errors';

interface Answer {
  status: number;
  type: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw HTTP request (fetch may not set Host). */
const send = (port: number, method: string, path: string, headers: Record<string, string>, body?: string): Promise<Answer> =>
  new Promise((resolve, reject) => {
    const outgoing = request({ host: '127.0.0.1', port, method, path, headers: { host: `127.0.0.1:${port}`, ...headers } }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode!, type: String(response.headers['content-type']), headers: response.headers, body: text }));
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });

/** An ops library that records what was asked of it. */
const fakeOps = (calls: string[]): ConsoleOps =>
  ({
    stage: 'test',
    whoAmI: async () => 'local:tester',
    listDlqs: async () => [{ name: 'retail-sync-test-erp-commands-dlq.fifo', sourceQueue: 'retail-sync-test-erp-commands.fifo', exists: true, depth: 1 }],
    decideWorkflow: async (workflowId: string, action: string) => {
      calls.push(`${action} ${workflowId}`);
      return { workflowId, action, step: 'create-return', error: 'Erp.Permanent' };
    },
    exportDlq: async (queue: string, selection: { filters?: string[]; max?: number }) => {
      calls.push(`export ${queue} ${JSON.stringify(selection)}`);
      return { queue: `retail-sync-test-${queue}-dlq`, count: 2, jsonLines: '{"messageId":"m-1"}\n{"messageId":"m-2"}\n' };
    },
    // Moves one message, then waits until it is stopped, as a long selective redrive does.
    redriveDlq: async (queue: string, _selection: unknown, who: string, onProgress: (progress: unknown) => void, signal: AbortSignal) => {
      calls.push(`redrive ${queue} by ${who}`);
      onProgress({ scanned: 1, moved: 1, total: 5, cameBack: 0 });
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
      return { mode: 'selective', moved: 1, scanned: 1, dryRun: false, interrupted: signal.aborted, queue: `retail-sync-test-${queue}-dlq`, sourceQueue: `retail-sync-test-${queue}` };
    },
    purgeDlq: async (queue: string) => {
      calls.push(`purge ${queue}`);
      return { deleted: 1, confirmed: true, matched: 1, queue };
    },
    traceJourney: async (id: string) => {
      throw new UsageError(`"${id}" is no order`);
    },
    close: () => undefined,
  }) as unknown as ConsoleOps;

describe('the console server', () => {
  let server: ConsoleServer;
  const calls: string[] = [];
  const sameOrigin = () => ({ origin: `http://127.0.0.1:${server.port}`, 'content-type': 'application/json', [TOKEN_HEADER]: server.token });

  beforeAll(async () => {
    server = await startConsoleServer({ ops: fakeOps(calls), assets: { js: 'console.log(1)', css: 'body{}' }, token: 'the-token' });
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(() => calls.splice(0));

  it('listens on 127.0.0.1 only, on a free port', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(server.port).toBeGreaterThan(0);
  });

  it('serves the page with its token, and the API, to its own host', async () => {
    // Act
    const page = await send(server.port, 'GET', '/', {});
    const dlqs = await send(server.port, 'GET', '/api/dlqs', { host: `localhost:${server.port}` });

    // Assess
    expect(page.status).toBe(200);
    expect(page.body).toContain('<meta name="console-token" content="the-token">');
    expect(dlqs.status).toBe(200);
    expect(JSON.parse(dlqs.body)).toHaveLength(1);
  });

  it('refuses a request for a foreign Host (DNS rebinding) before reading anything', async () => {
    // Act
    const answer = await send(server.port, 'GET', '/api/dlqs', { host: `evil.example:${server.port}` });

    // Assess
    expect(answer.status).toBe(403);
    expect(answer.type).toBe('application/problem+json');
    expect(JSON.parse(answer.body)).toMatchObject({ type: 'https://retail-sync.dev/problems/console-foreign-host', status: 403, detail: expect.stringContaining('evil.example') });
  });

  it('refuses a state change from another origin, even with the token', async () => {
    // Act
    const answer = await send(server.port, 'POST', '/api/workflows/rr-1/abandon', { ...sameOrigin(), origin: 'https://evil.example' }, '{}');

    // Assess
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.body)).toMatchObject({ type: 'https://retail-sync.dev/problems/console-cross-origin', detail: expect.stringContaining('https://evil.example') });
    expect(calls).toEqual([]);
  });

  it('refuses a cross-site state change a browser marks with Sec-Fetch-Site', async () => {
    // Act
    const answer = await send(server.port, 'POST', '/api/workflows/rr-1/abandon', { ...sameOrigin(), 'sec-fetch-site': 'cross-site' }, '{}');

    // Assess
    expect(answer.status).toBe(403);
    expect(calls).toEqual([]);
  });

  it('refuses a state change without the token, or with a form body', async () => {
    // Act
    const { [TOKEN_HEADER]: _token, ...withoutToken } = sameOrigin();
    const noToken = await send(server.port, 'POST', '/api/workflows/rr-1/retry', withoutToken, '{}');
    const wrongToken = await send(server.port, 'POST', '/api/workflows/rr-1/retry', { ...sameOrigin(), [TOKEN_HEADER]: 'the-tokem' }, '{}');
    const form = await send(server.port, 'POST', '/api/workflows/rr-1/retry', { ...sameOrigin(), 'content-type': 'application/x-www-form-urlencoded' }, 'a=1');

    // Assess
    expect([noToken.status, wrongToken.status, form.status]).toEqual([403, 403, 415]);
    expect(JSON.parse(noToken.body).type).toBe('https://retail-sync.dev/problems/console-missing-token');
    expect(calls).toEqual([]);
  });

  it('carries out a state change from its own page', async () => {
    // Act
    const answer = await send(server.port, 'POST', '/api/workflows/rr-1/retry', sameOrigin(), '{}');

    // Assess
    expect(answer.status).toBe(200);
    expect(calls).toEqual(['retry rr-1']);
  });

  it('needs the typed queue name to purge', async () => {
    // Act
    const without = await send(server.port, 'POST', '/api/dlqs/erp-commands/purge', sameOrigin(), '{}');

    // Assess
    expect(without.status).toBe(400);
    expect(JSON.parse(without.body)).toMatchObject({ type: 'https://retail-sync.dev/problems/validation', detail: 'confirm (the queue name, typed) is required' });
    expect(calls).toEqual([]);
  });

  it('downloads a DLQ export as a JSON Lines attachment, with the count and the selection passed on', async () => {
    // Act
    const answer = await send(server.port, 'GET', '/api/dlqs/erp-commands/export?filter=type%3Drefund&max=10', {});

    // Assess
    expect(answer.status).toBe(200);
    expect(answer.type).toBe('application/x-ndjson; charset=utf-8');
    expect(answer.headers['content-disposition']).toMatch(/^attachment; filename="retail-sync-test-erp-commands-dlq-\d{4}-\d{2}-\d{2}T[\d-]+Z\.jsonl"$/);
    expect(answer.headers['x-exported-count']).toBe('2');
    expect(answer.body.trim().split('\n').map((line) => JSON.parse(line).messageId)).toEqual(['m-1', 'm-2']);
    expect(calls).toEqual(['export erp-commands {"filters":["type=refund"],"max":10}']);
  });

  it('stops a running redrive when asked, and refuses a second redrive of the queue meanwhile', async () => {
    // Prepare
    const started = await send(server.port, 'POST', '/api/dlqs/erp-commands/redrive', sameOrigin(), '{}');
    const { jobId, statusUrl } = JSON.parse(started.body) as { jobId: string; statusUrl: string };
    const second = await send(server.port, 'POST', '/api/dlqs/erp-commands/redrive', sameOrigin(), '{}');

    // Act
    const stop = await send(server.port, 'POST', `/api/jobs/${jobId}/cancel`, sameOrigin(), '{}');
    let job: { state: string; progress?: { moved: number }; result?: { interrupted?: boolean; moved: number } } = { state: 'running' };
    for (let poll = 0; poll < 50 && job.state === 'running'; poll++) {
      job = JSON.parse((await send(server.port, 'GET', statusUrl, {})).body);
      if (job.state === 'running') await new Promise((resolve) => setTimeout(resolve, 10));
    }

    // Assess
    expect(started.status).toBe(202);
    expect(second.status).toBe(409);
    expect(JSON.parse(second.body).detail).toBe(`Redrive ${jobId} of erp-commands is still running: follow it at /api/jobs/${jobId}`);
    expect(stop.status).toBe(202);
    expect(job).toMatchObject({ state: 'done', progress: { moved: 1 }, result: { interrupted: true, moved: 1 } });
    expect(calls).toEqual(['redrive erp-commands by local:tester']);
  });

  it('answers problem+json for an unknown id, an unknown route, bad JSON and a bad number', async () => {
    // Act
    const trace = await send(server.port, 'GET', '/api/trace/SO-NONE', {});
    const route = await send(server.port, 'GET', '/api/nothing', {});
    const json = await send(server.port, 'POST', '/api/workflows/rr-1/retry', sameOrigin(), '{not json');
    const number = await send(server.port, 'GET', '/api/dlqs/erp-commands/messages?max=-1', {});

    // Assess
    expect([trace.status, route.status, json.status, number.status]).toEqual([400, 404, 400, 400]);
    for (const answer of [trace, route, json, number]) expect(answer.type).toBe('application/problem+json');
    expect(JSON.parse(number.body).detail).toBe('max must be a positive integer; got "-1"');
  });
});
