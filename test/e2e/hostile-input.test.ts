import { connect } from 'node:net';
import { randomUUID } from 'node:crypto';
import { GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import fc from 'fast-check';
import { clientStateFor } from '../../functions/core/connectors/business-central';
import { WEBHOOK_SOURCES } from '../../functions/core/connectors/registry';
import { FIREWALL_PROBLEMS } from '../../lib/gateway-problems';
import { signingSecretsFromEnvironment } from '../../local/dev-secrets';
import { SIM_COMPANY_ID } from '../../local/simulators/erp';
import { signDelivery } from '../../local/sign';
import { callerHeaders } from '../support/caller';
import { loadFixture } from '../support/fixtures';
import { startE2eStack, type E2eStack } from '../support/e2e-stack';

/**
 * Hostile input against the local stack over HTTP on loopback: generated requests to the webhook route
 * (every source) and the read and process routes (with and without the API key). Whatever is sent, the
 * stack answers below 500 with a problem document whose status is the HTTP status, keeps running, and
 * nothing a refused request carried reaches the bus or a dead-letter queue.
 *
 * Reproducible: a fixed seed (HOSTILE_SEED overrides it), printed on failure.
 */
const SEED = Number(process.env.HOSTILE_SEED ?? 20261127);
/** Requests sent concurrently per property run; runs × batch is the number of requests. */
const BATCH = 8;
const RUNS = Number(process.env.HOSTILE_RUNS ?? 640);

const SECRETS = signingSecretsFromEnvironment({});
const MAX_FUNCTION_BODY = 240 * 1024;
const PROBLEM_TYPE = /^https:\/\/retail-sync\.dev\/problems\/[a-z-]+$/;

// ---------------------------------------------------------------------------------------------------
// Requests

interface HttpRequest {
  via: 'fetch' | 'raw';
  method: string;
  /** Path and query as sent (already percent-encoded, or deliberately not). */
  target: string;
  /** Header pairs in order; a name may repeat. */
  headers: Array<[string, string]>;
  body?: Buffer;
  /** For `raw`: the whole request as bytes (built from the fields above unless given). */
  raw?: Buffer;
  /** What the generator meant, for the failure report. */
  label: string;
  /** The delivery id of a validly signed delivery (erp, 3pl, zendesk). */
  deliveryId?: string;
}

const utf8 = (text: string) => Buffer.from(text, 'utf8');

const deepJson = (depth: number, open = '[', close = ']') => open.repeat(depth) + close.repeat(depth);

// Values that break schemas: wrong types, empty, huge, control characters, lone surrogates, ids the id rule refuses.
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1.5, 1e21, -1e21, '', ' ', '\u0000', '\ud800', '\udfff', 'a\u0001b', '\u202e', '\ufeff', 'x'.repeat(300), 'é'.repeat(2000), [], {}, [[[[]]]]),
  fc.integer(),
  fc.double(),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: fc.constantFrom('\u0000', '\u001f', '\u007f', '\ud800', '\udc00', 'a', '"', '\\'), maxLength: 20 }),
  fc.jsonValue({ maxDepth: 3 }),
  fc.oneof(fc.integer({ min: 30, max: 40 }), fc.constantFrom(200, 1000)).map((depth) => JSON.parse(deepJson(depth))),
);

type Mutation = { kind: 'delete' | 'set' | 'add' | 'replace-all' | 'grow'; at: number; value: unknown; grow: number };
const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('delete', 'set', 'set', 'add', 'replace-all', 'grow'),
  at: fc.nat(),
  value: hostileValue,
  // A string that brings the body to around the function's limit.
  grow: fc.oneof(fc.integer({ min: -64, max: 64 }), fc.integer({ min: -20_000, max: 40_000 })),
});

/** Every path to a value in `root` (objects and arrays, 4 levels), the root's own keys first. */
const pathsIn = (root: unknown): string[][] => {
  const paths: string[][] = [];
  const visit = (value: unknown, path: string[]) => {
    if (path.length >= 4 || value === null || typeof value !== 'object') return;
    for (const key of Object.keys(value)) {
      paths.push([...path, key]);
      visit((value as Record<string, unknown>)[key], [...path, key]);
    }
  };
  visit(root, []);
  return paths;
};

/** Applies a mutation to a copy of `data`; the result is what gets signed. */
const mutated = (data: Record<string, unknown>, change: Mutation, sizeOf: (candidate: unknown) => number): unknown => {
  if (change.kind === 'replace-all') return change.value;
  if (data === null || typeof data !== 'object') return data;
  const copy = structuredClone(data) as Record<string, unknown>;
  const paths = pathsIn(copy);
  const path = paths.length > 0 ? paths[change.at % paths.length]! : ['orderId'];
  const parent = path.slice(0, -1).reduce<Record<string, unknown>>((node, key) => node[key] as Record<string, unknown>, copy);
  const key = path.at(-1)!;
  if (change.kind === 'delete') delete parent[key];
  else if (change.kind === 'set') parent[key] = change.value;
  else if (change.kind === 'add') parent[`x-${key}-${change.at % 7}`] = change.value;
  else {
    // Pad one field so the signed body is the function's limit plus `grow` bytes.
    parent[key] = '';
    const padding = Math.max(0, MAX_FUNCTION_BODY + change.grow - sizeOf(copy));
    parent[key] = 'p'.repeat(padding);
  }
  return copy;
};

const now = () => new Date().toISOString();
const shopifyBodies = ['orders__create', 'orders__cancelled', 'refunds__create', 'fulfillments__create', 'returns__request'].map((name) => {
  const fixture = loadFixture('shopify', name);
  return { topic: fixture.topic, body: JSON.parse(fixture.rawBody) as Record<string, unknown> };
});
const zendeskTicket = JSON.parse(loadFixture('zendesk', 'ticket.created').rawBody) as { type: string; detail: Record<string, unknown> };

/** A valid delivery of each source, as (type, data) for `signDelivery`. */
const validDeliveries = (): Array<{ source: string; type: string; data: Record<string, unknown> }> => [
  { source: 'erp', type: 'order.status.changed', data: { orderId: 'SO-HOSTILE-1', status: 'shipped', version: 2 } },
  { source: 'erp', type: 'inventory.level.changed', data: { sku: 'SKU-HOSTILE', location: 'DC1', available: 3 } },
  { source: '3pl', type: 'shipment.exception', data: { shipmentId: 'SH-H-1', orderId: 'SO-HOSTILE-2', carrier: 'DHL', exception: 'lost', lines: [{ sku: 'LAMP-RED', quantity: 1 }] } },
  { source: '3pl', type: 'shipment.dispatched', data: { shipmentId: 'SH-H-2', orderId: 'SO-HOSTILE-3', carrier: 'UPS', lines: [{ sku: 'MUG', quantity: 2 }] } },
  ...shopifyBodies.map(({ topic, body }) => ({ source: 'shopify', type: topic, data: body })),
  { source: 'zendesk', type: zendeskTicket.type, data: zendeskTicket.detail },
  {
    source: 'businesscentral',
    type: 'updated',
    data: { resource: `api/v2.0/companies(${SIM_COMPANY_ID})/salesOrders(00000000-0000-4000-8000-0000000000aa)`, subscriptionId: 'sub-hostile' },
  },
];

/** A validly signed delivery whose data was mutated before signing: it passes the signature and should fail the schema. */
const signedMutated: fc.Arbitrary<HttpRequest> = fc
  .record({
    base: fc.constantFrom(...validDeliveries()),
    changes: fc.array(mutation, { minLength: 1, maxLength: 3 }),
    typeChange: fc.option(fc.oneof(fc.constantFrom('order.created', 'nope', '', 'orders/updated', 'collection', 'zen:event-type:ticket.status_changed'), fc.string({ maxLength: 12 })), { freq: 6 }),
    headerChange: fc.option(fc.constantFrom('drop-content-type', 'text-plain', 'duplicate-signature', 'charset'), { freq: 8 }),
  })
  .map(({ base, changes, typeChange, headerChange }) => {
    const secret = SECRETS[base.source]![0]!;
    const type = typeChange ?? base.type;
    let body: string;
    let headers: Record<string, string>;
    let deliveryId: string | undefined;
    if (base.source === 'businesscentral') {
      // Business Central signs nothing: its notification carries the clientState derived from the secret and the resource.
      const notification = (JSON.parse(signDelivery(base.source, type, base.data, secret).body) as { value: Array<Record<string, unknown>> }).value[0]!;
      let mutatedNotification = notification as unknown;
      for (const change of changes) mutatedNotification = mutated(mutatedNotification as Record<string, unknown>, change, (candidate) => JSON.stringify({ value: [candidate] }).length);
      // The clientState stays the one of the original resource: a notification for another resource is one this
      // stack never subscribed to (refused 401). Signed anew, it would be accepted and then dead-lettered by the
      // erp-notifications consumer as "not a sales order of this ERP", by design.
      if (mutatedNotification && typeof mutatedNotification === 'object' && !Array.isArray(mutatedNotification)) {
        const record = mutatedNotification as Record<string, unknown>;
        if ('clientState' in record) record.clientState = clientStateFor(secret, String(base.data.resource));
      }
      body = JSON.stringify({ value: [mutatedNotification] });
      headers = { 'content-type': 'application/json' };
    } else {
      let data: unknown = base.data;
      const envelopeBytes = base.source === 'shopify' ? 0 : 200;
      for (const change of changes) data = mutated(data as Record<string, unknown>, change, (candidate) => JSON.stringify(candidate).length + envelopeBytes);
      // signDelivery spreads data into the envelope: a non-object is signed as it is, by hand.
      const id = `msg_${randomUUID().replace(/-/g, '')}`;
      const signed =
        data !== null && typeof data === 'object' && !Array.isArray(data)
          ? signDelivery(base.source, type, data as Record<string, unknown>, secret, { id })
          : signDelivery(base.source, type, { wrapped: data }, secret, { id });
      body = signed.body;
      headers = { ...signed.headers };
      if (base.source === 'erp' || base.source === '3pl') deliveryId = id;
      if (base.source === 'zendesk') deliveryId = id;
    }
    const pairs = Object.entries(headers) as Array<[string, string]>;
    let finalPairs = pairs;
    if (headerChange === 'drop-content-type') finalPairs = pairs.filter(([name]) => name !== 'content-type');
    if (headerChange === 'text-plain') finalPairs = pairs.map(([name, value]) => [name, name === 'content-type' ? 'text/plain' : value]);
    if (headerChange === 'charset') finalPairs = pairs.map(([name, value]) => [name, name === 'content-type' ? 'Application/JSON; charset=UTF-8' : value]);
    if (headerChange === 'duplicate-signature') finalPairs = [...pairs, ...pairs.filter(([name]) => /signature|hmac/.test(name))];
    return {
      via: 'fetch' as const,
      method: 'POST',
      target: `/v1/webhooks/${base.source}`,
      headers: finalPairs,
      body: utf8(body),
      label: `signed ${base.source} ${type} mutated ${changes.map((change) => change.kind).join('+')}${headerChange ? ` header ${headerChange}` : ''}`,
      deliveryId,
    };
  });

// Bodies that are not what a sender sends.
const hostileBody: fc.Arbitrary<{ label: string; body: Buffer }> = fc.oneof(
  { weight: 4, arbitrary: fc.uint8Array({ maxLength: 2048 }).map((bytes) => ({ label: 'random bytes', body: Buffer.from(bytes) })) },
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.jsonValue({ maxDepth: 4 }), fc.constantFrom([0xc3, 0x28], [0xff], [0xfe, 0xff], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0xe2, 0x82], [0xf4, 0x90, 0x80, 0x80], [0x80]), fc.nat())
      .map(([value, bad, at]) => {
        const text = utf8(JSON.stringify({ type: 'order.status.changed', data: value, note: 'X' }));
        const cut = at % (text.length + 1);
        return { label: 'invalid UTF-8', body: Buffer.concat([text.subarray(0, cut), Buffer.from(bad), text.subarray(cut)]) };
      }),
  },
  {
    weight: 3,
    arbitrary: fc.tuple(fc.jsonValue({ maxDepth: 5 }), fc.nat()).map(([value, at]) => {
      const text = JSON.stringify({ type: 'order.status.changed', timestamp: now(), data: value });
      return { label: 'truncated JSON', body: utf8(text.slice(0, at % text.length)) };
    }),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.oneof(fc.integer({ min: 20, max: 200 }), fc.constantFrom(31, 32, 33, 1000, 10_000, 100_000)), fc.constantFrom(['[', ']'], ['{"a":', '}']))
      .map(([depth, [open, close]]) => ({ label: `nested ${depth}`, body: utf8(open!.repeat(depth) + (open === '[' ? '' : '1') + close!.repeat(depth)) })),
  },
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((value) => ({ label: 'JSON', body: utf8(JSON.stringify(value) ?? 'null') })) },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', 'null', '[]', '{}', '""', '\ufeff{}', '{"type":null}', '1e999', '{"a":1,"a":2}').map((text) => ({ label: 'tiny', body: utf8(text) })) },
  // Around the function's 240 KB limit.
  { weight: 2, arbitrary: fc.integer({ min: -3, max: 3 }).map((delta) => ({ label: `240 KB ${delta >= 0 ? '+' : ''}${delta}`, body: Buffer.alloc(MAX_FUNCTION_BODY + delta, 0x20) })) },
  // Just under the web ACL's limit (the function refuses it) and over it (a few: they are large).
  { weight: 1, arbitrary: fc.constantFrom(999_999, 1_000_000, 1_000_001, 1_500_000).map((size) => ({ label: `${size} bytes`, body: Buffer.alloc(size, 0x7b) })) },
);

const contentTypes: fc.Arbitrary<string | undefined> = fc.constantFrom(
  'application/json',
  'application/json',
  'application/json; charset=utf-8',
  'APPLICATION/JSON',
  'application/json;charset=latin1',
  'application/json; boundary=x; charset="utf-8"',
  'application/jsonx',
  'application/problem+json',
  'text/plain',
  'text/json',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=----x',
  '*/*',
  '',
  ';',
  undefined,
);

// Header values fetch accepts: no NUL, CR or LF, latin-1; control characters and DEL included.
const fetchableHeaderValue = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: fc.integer({ min: 1, max: 0xff }).filter((code) => code !== 10 && code !== 13).map((code) => String.fromCharCode(code)), maxLength: 40 }),
  fc.constantFrom('v1,', 'v1,AAAA', 'v1,' + 'A'.repeat(44), 'v2,xyz', 'msg_1', '0', '-1', '99999999999', 'now', '1970-01-01T00:00:00Z', '2999-01-01T00:00:00Z', 'x'.repeat(4000)),
);
const webhookHeaderNames = [
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
  'x-shopify-hmac-sha256',
  'x-shopify-topic',
  'x-shopify-webhook-id',
  'x-shopify-triggered-at',
  'x-zendesk-webhook-signature',
  'x-zendesk-webhook-signature-timestamp',
  'content-type',
  'content-encoding',
  'x-api-key',
  'x-forwarded-for',
  'transfer-encoding-x',
];
const extraHeaders = fc.array(fc.tuple(fc.oneof(fc.constantFrom(...webhookHeaderNames), fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/)), fetchableHeaderValue), { maxLength: 5 });

const goodSource = fc.constantFrom(...WEBHOOK_SOURCES);
const pathSegment: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.stringMatching(/^[A-Za-z0-9._~-]{1,24}$/) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 24 }).map(encodeURIComponent) },
  // Malformed percent-encoding.
  { weight: 3, arbitrary: fc.constantFrom('%', '%E0', '%zz', '%C3%28', '%ED%A0%80', '%C0%AF', '%FF', 'a%2', '%%', '%E2%82', '%F4%90%80%80', '%00', '%0A', '%2F', '%u0041') },
  { weight: 1, arbitrary: fc.constantFrom('SO-1001', 'a'.repeat(3000), '%20', 'email%40example.com', 'shopify%3A123', '..', '.') },
);
const webhookSource = fc.oneof({ weight: 5, arbitrary: goodSource }, { weight: 1, arbitrary: pathSegment });

/** A hostile request to the webhook route. */
const hostileWebhook: fc.Arbitrary<HttpRequest> = fc
  .record({ source: webhookSource, body: hostileBody, contentType: contentTypes, duplicateType: fc.boolean(), headers: extraHeaders, query: fc.option(fc.constantFrom('?validationToken=tok', '?validationToken=', '?validationToken=%E0', '?a=%zz', '?validationToken=' + 'v'.repeat(500))) })
  .map(({ source, body, contentType, duplicateType, headers, query }) => ({
    via: 'fetch' as const,
    method: 'POST',
    target: `/v1/webhooks/${source}${query ?? ''}`,
    headers: [
      ...(contentType === undefined ? [] : ([['content-type', contentType]] as Array<[string, string]>)),
      ...(duplicateType && contentType !== undefined ? ([['content-type', 'text/plain']] as Array<[string, string]>) : []),
      ...headers,
    ],
    body: body.body,
    label: `webhook ${source} ${body.label} (${body.body.length} bytes) as ${contentType ?? 'no type'}${duplicateType ? ' twice' : ''}`,
  }));

const apiKeyHeaders: fc.Arbitrary<{ label: string; headers: Array<[string, string]> }> = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ label: 'key', headers: Object.entries(callerHeaders) as Array<[string, string]> }) },
  { weight: 3, arbitrary: fc.constant({ label: 'no key', headers: [] as Array<[string, string]> }) },
  { weight: 1, arbitrary: fetchableHeaderValue.map((value) => ({ label: 'wrong key', headers: [['x-api-key', value]] as Array<[string, string]> })) },
  { weight: 1, arbitrary: fc.constant({ label: 'key twice', headers: [['x-api-key', callerHeaders['x-api-key']], ['x-api-key', callerHeaders['x-api-key']]] as Array<[string, string]> }) },
  { weight: 1, arbitrary: fc.constant({ label: 'key in another header', headers: [['authorization', `Bearer ${callerHeaders['x-api-key']}`]] as Array<[string, string]> }) },
);

const queryValue = fc.oneof(fc.constantFrom('0', '1', '50', '200', '201', '-1', '1.5', '1e2', 'abc', '', '%E0', '%zz', '9'.repeat(30), 'NaN', ' 5'), fc.string({ maxLength: 60 }).map(encodeURIComponent));
const cursor = fc.oneof(
  fc.string({ maxLength: 80 }).map(encodeURIComponent),
  fc.jsonValue({ maxDepth: 2 }).map((value) => encodeURIComponent(Buffer.from(JSON.stringify(value) ?? 'null').toString('base64url'))),
  fc.uint8Array({ maxLength: 60 }).map((bytes) => encodeURIComponent(Buffer.from(bytes).toString('base64'))),
  fc.constantFrom('%E0', '%', 'eyJ9', 'e30', 'eyJwayI6MX0'),
);

/** A request to a read or process route, or to no route at all. */
const hostileRead: fc.Arbitrary<HttpRequest> = fc
  .record({
    route: fc.constantFrom('sync', 'timeline', 'inventory', 'workflow', 'resolutions', 'health', 'openapi', 'unknown'),
    id: pathSegment,
    query: fc.array(fc.tuple(fc.constantFrom('limit', 'cursor', 'location', 'limit', 'x', ''), fc.oneof(queryValue, cursor)), { maxLength: 3 }),
    key: apiKeyHeaders,
    method: fc.oneof({ weight: 8, arbitrary: fc.constant('default') }, { weight: 2, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD', 'get', 'FOO', 'PROPFIND') }),
    body: fc.option(hostileBody.filter(({ body }) => body.length < 300_000), { freq: 2 }),
    contentType: contentTypes,
    headers: extraHeaders,
    trailingSlash: fc.boolean(),
  })
  .map(({ route, id, query, key, method, body, contentType, headers, trailingSlash }) => {
    const path = {
      sync: `/v1/orders/${id}/sync`,
      timeline: `/v1/customers/${id}/timeline`,
      inventory: `/v1/inventory/${id}`,
      workflow: `/v1/workflows/${id}`,
      resolutions: `/v1/cases/${id}/resolutions`,
      health: '/v1/health',
      openapi: '/v1/openapi.json',
      unknown: `/${id}`,
    }[route];
    const chosen = method === 'default' ? (route === 'resolutions' ? 'POST' : 'GET') : method;
    const search = query.length > 0 ? '?' + query.map(([name, value]) => `${name}=${value}`).join('&') : '';
    const sendsBody = chosen !== 'GET' && chosen !== 'HEAD' && chosen !== 'get';
    return {
      via: 'fetch' as const,
      method: chosen,
      target: path + (trailingSlash ? '/' : '') + search,
      headers: [...key.headers, ...(contentType === undefined ? [] : ([['content-type', contentType]] as Array<[string, string]>)), ...headers],
      body: sendsBody ? (body?.body ?? utf8('{"orderId":"SO-1","lines":[],"preferred":"refund","requestedBy":"x"}')) : undefined,
      label: `${chosen} ${route} (${key.label})${sendsBody ? ` ${body?.label ?? 'resolution-like'}` : ''}`,
    };
  });

/** What fetch refuses to send, on a raw socket: control characters, bad request lines, conflicting framing. */
const rawRequest: fc.Arbitrary<HttpRequest> = fc
  .record({
    shape: fc.constantFrom('header-control', 'method', 'request-line', 'framing', 'huge-length', 'path-bytes', 'header-name', 'version'),
    control: fc.constantFrom('\u0000', '\u0001', '\u0007', '\u001b', '\u007f', '\r', '\n ', '\r\n ', '\u0008', '\u00ff'),
    target: fc.constantFrom('/v1/webhooks/erp', '/v1/webhooks/shopify', '/v1/orders/SO-1/sync', '/v1/health', '/v1/inventory/X'),
    value: fc.string({ maxLength: 20 }).map((text) => text.replace(/[\r\n]/g, '')),
    pick: fc.nat(),
  })
  .map(({ shape, control, target, value, pick }) => {
    const body = '{"type":"order.status.changed"}';
    const standard = `host: 127.0.0.1\r\ncontent-type: application/json\r\nx-api-key: ${callerHeaders['x-api-key']}\r\nconnection: close\r\n`;
    const withBody = (head: string) => `${head}content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    const choose = <T>(items: T[]) => items[pick % items.length]!;
    let text: string;
    if (shape === 'header-control') text = withBody(`POST ${target} HTTP/1.1\r\n${standard}x-note: a${control}${value}\r\n`);
    else if (shape === 'method') text = withBody(`${choose(['CONNECT', 'TRACE', 'TRACK', 'G ET', 'GET\t', '', 'POST POST', 'pOsT', 'M'.repeat(100), 'DELETE'])} ${target} HTTP/1.1\r\n${standard}`);
    else if (shape === 'request-line') text = choose(['NOT HTTP AT ALL\r\n\r\n', `GET ${target}\r\n\r\n`, `GET  ${target}  HTTP/1.1\r\n${standard}\r\n`, `\r\n\r\nGET ${target} HTTP/1.1\r\n${standard}\r\n`, `GET http://[::1 HTTP/1.1\r\n${standard}\r\n`, `GET * HTTP/1.1\r\n${standard}\r\n`, `GET ${target}#frag HTTP/1.1\r\n${standard}\r\n`, `GET ${target}\u0000 HTTP/1.1\r\n${standard}\r\n`]);
    else if (shape === 'framing')
      text = choose([
        `POST ${target} HTTP/1.1\r\n${standard}content-length: 5\r\ncontent-length: 7\r\n\r\n{"a":1}`,
        `POST ${target} HTTP/1.1\r\n${standard}content-length: ${body.length}\r\ntransfer-encoding: chunked\r\n\r\n${body}`,
        `POST ${target} HTTP/1.1\r\n${standard}transfer-encoding: chunked\r\n\r\nzz\r\n${body}\r\n0\r\n\r\n`,
        `POST ${target} HTTP/1.1\r\n${standard}transfer-encoding: chunked\r\n\r\n${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`,
        `POST ${target} HTTP/1.1\r\n${standard}transfer-encoding: gzip, chunked\r\n\r\n0\r\n\r\n`,
        `POST ${target} HTTP/1.1\r\n${standard}content-length: -1\r\n\r\n`,
        `POST ${target} HTTP/1.1\r\n${standard}content-length: 1a\r\n\r\n`,
        `POST ${target} HTTP/1.1\r\n${standard}content-length: 2\r\n\r\n${body}`,
      ]);
    else if (shape === 'huge-length') text = `POST ${target} HTTP/1.1\r\n${standard}content-length: ${choose(['1000000', '5000000', '99999999999', ' 1000000', '0001000'])}\r\n\r\n`;
    else if (shape === 'path-bytes') text = withBody(`POST ${target}/${choose(['é', ' x', '\u00ff', '"', '<>', '\\', '{}', '|'])} HTTP/1.1\r\n${standard}`);
    else if (shape === 'header-name') text = withBody(`POST ${target} HTTP/1.1\r\n${standard}${choose(['x note', 'x:note', '(x)', 'x\u0001', ' leading', 'é'])}: v\r\n`);
    else text = withBody(`POST ${target} ${choose(['HTTP/1.0', 'HTTP/2.0', 'HTTP/0.9', 'HTTP/1.1x', 'HTTPS/1.1', 'http/1.1'])}\r\n${standard}`);
    return { via: 'raw' as const, method: 'RAW', target, headers: [], raw: Buffer.from(text, 'latin1'), label: `raw ${shape} ${JSON.stringify(text.slice(0, 60))}` };
  });

const hostileRequest: fc.Arbitrary<HttpRequest> = fc
  .oneof({ weight: 9, arbitrary: hostileWebhook }, { weight: 5, arbitrary: signedMutated }, { weight: 7, arbitrary: hostileRead }, { weight: 1, arbitrary: rawRequest })
  // A counterexample prints as what was meant, not as a quarter of a megabyte of bytes.
  .map((request) => Object.assign(request, { [fc.toStringMethod]: () => `${request.label} ${request.method} ${request.target} (${(request.raw ?? request.body)?.length ?? 0} bytes)` }));

// ---------------------------------------------------------------------------------------------------
// Sending

interface Answer {
  status: number;
  contentType: string | undefined;
  text: string;
  head?: boolean;
}

/** Sends bytes on a raw socket and reads the first whole HTTP response (or what arrives before the server closes). */
const rawExchange = (url: string, request: Buffer): Promise<Answer> =>
  new Promise((resolve, reject) => {
    const { hostname, port } = new URL(url);
    const chunks: Buffer[] = [];
    let done = false;
    const complete = (closed = false): Answer | undefined => {
      const data = Buffer.concat(chunks);
      const end = data.indexOf('\r\n\r\n');
      if (end < 0) return undefined;
      const head = data.subarray(0, end).toString('latin1');
      const rest = data.subarray(end + 4);
      const length = /\r\ncontent-length: *(\d+)/i.exec(head);
      let body: Buffer | undefined;
      if (length) body = rest.length >= Number(length[1]) ? rest.subarray(0, Number(length[1])) : undefined;
      else if (/\r\ntransfer-encoding: *chunked/i.test(head)) {
        if (!rest.includes('\r\n0\r\n\r\n') && !rest.subarray(0, 5).equals(Buffer.from('0\r\n\r\n'))) return undefined;
        const parts: Buffer[] = [];
        for (let offset = 0; ; ) {
          const line = rest.indexOf('\r\n', offset);
          const size = parseInt(rest.subarray(offset, line).toString('latin1'), 16);
          if (!size) break;
          parts.push(rest.subarray(line + 2, line + 2 + size));
          offset = line + 2 + size + 2;
        }
        body = Buffer.concat(parts);
      } else if (closed) body = rest; // an HTTP/1.0 answer ends with the connection
      else return undefined;
      if (!body) return undefined;
      return { status: Number(head.split(' ')[1]), contentType: /\r\ncontent-type: *([^\r]+)/i.exec(head)?.[1], text: body.toString('utf8') };
    };
    const finish = (error?: Error) => {
      if (done) return;
      const answer = complete(true);
      done = true;
      socket.destroy();
      if (answer) resolve(answer);
      else reject(error ?? new Error(`no complete answer; got ${JSON.stringify(Buffer.concat(chunks).toString('latin1').slice(0, 300))}`));
    };
    const socket = connect(Number(port), hostname, () => socket.write(request));
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      if (complete()) finish();
    });
    socket.on('end', () => finish());
    socket.on('close', () => finish());
    // A reset after the answer arrived is fine; before it, it is no answer.
    socket.on('error', (error) => finish(error));
    socket.setTimeout(10_000, () => finish(new Error('timed out')));
  });

const send = async (base: string, request: HttpRequest): Promise<Answer> => {
  if (request.via === 'raw') return rawExchange(base, request.raw!);
  const headers = new Headers();
  try {
    for (const [name, value] of request.headers) headers.append(name, value);
  } catch {
    // A header fetch refuses (e.g. a value it will not carry): the same request on a raw socket.
    return rawExchange(base, rawBytes(request));
  }
  let response: Response;
  try {
    response = await fetch(base + request.target, { method: request.method, headers, body: request.body, redirect: 'manual' });
  } catch (error) {
    // undici refuses some headers only when it sends them (e.g. a control character it will not write): raw socket.
    if ((error as { cause?: { code?: string } }).cause?.code === 'UND_ERR_INVALID_ARG') return rawExchange(base, rawBytes(request));
    throw error;
  }
  return { status: response.status, contentType: response.headers.get('content-type') ?? undefined, text: await response.text(), head: request.method.toUpperCase() === 'HEAD' };
};

const rawBytes = (request: HttpRequest) => {
  const head = [`${request.method} ${request.target} HTTP/1.1`, 'host: 127.0.0.1', 'connection: close', ...request.headers.map(([name, value]) => `${name}: ${value}`)];
  if (request.body) head.push(`content-length: ${request.body.length}`);
  return Buffer.concat([Buffer.from(head.join('\r\n') + '\r\n\r\n', 'latin1'), request.body ?? Buffer.alloc(0)]);
};

// ---------------------------------------------------------------------------------------------------
// The property

/** Why an answer breaks the contract, or undefined when it keeps it. */
const contractBreach = (answer: Answer): string | undefined => {
  if (!Number.isInteger(answer.status) || answer.status >= 500) return `status ${answer.status}`;
  if (answer.status < 400) return undefined;
  // The web ACL's 413 is the one documented exception: WAF cannot set problem+json, so it is application/json.
  const firewall = answer.status === 413 && answer.contentType === 'application/json';
  if (answer.contentType !== 'application/problem+json' && !firewall) return `content-type ${answer.contentType}`;
  if (answer.head) return undefined;
  let problem: Record<string, unknown>;
  try {
    problem = JSON.parse(answer.text) as Record<string, unknown>;
  } catch {
    return 'body is not JSON';
  }
  if (firewall) return JSON.stringify(problem) === JSON.stringify(FIREWALL_PROBLEMS.bodyTooLarge) ? undefined : 'not the web ACL problem';
  if (typeof problem !== 'object' || problem === null) return 'body is not an object';
  if (typeof problem.status !== 'number' || problem.status !== answer.status) return `problem status ${JSON.stringify(problem.status)}`;
  if (typeof problem.type !== 'string' || !PROBLEM_TYPE.test(problem.type)) return `problem type ${JSON.stringify(problem.type)}`;
  if (typeof problem.title !== 'string' || typeof problem.detail !== 'string') return 'problem without title or detail';
  return undefined;
};

describe('hostile input', () => {
  let e2e: E2eStack;

  beforeAll(async () => {
    e2e = await startE2eStack('hostile', { signingSecrets: SECRETS });
  }, 60_000);
  afterAll(async () => {
    await e2e?.stop();
  });

  it(`answers ${RUNS * BATCH} generated requests below 500 with problem documents, lets nothing refused reach the bus or a DLQ, and keeps running`, async () => {
    // Prepare
    const counts: Record<string, number> = {};
    const statuses: Record<number, number> = {};
    const accepted = { eventIds: new Set<string>(), workflowIds: new Set<string>(), deliveryIds: new Set<string>() };
    const refusedDeliveryIds = new Set<string>();
    const started = Date.now();

    // Act + Assess (per request)
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(hostileRequest, { minLength: BATCH, maxLength: BATCH }), async (requests) => {
          const answers = await Promise.all(
            requests.map(async (request) => {
              try {
                return await send(e2e.stack.url, request);
              } catch (error) {
                throw new Error(`${request.label}: no answer (${(error as Error).message}; ${String((error as Error).cause ?? '')})`);
              }
            }),
          );
          answers.forEach((answer, index) => {
            const request = requests[index]!;
            const statusClass = `${String(answer.status)[0]}xx`;
            counts[statusClass] = (counts[statusClass] ?? 0) + 1;
            statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
            const breach = contractBreach(answer);
            if (breach) throw new Error(`${request.label} -> ${answer.status} ${answer.contentType}: ${breach}\n${answer.text.slice(0, 500)}`);
            if (answer.status >= 200 && answer.status < 300) {
              const body = (() => {
                try {
                  return JSON.parse(answer.text) as { eventId?: string; workflowId?: string };
                } catch {
                  return {};
                }
              })();
              if (body.eventId) accepted.eventIds.add(body.eventId);
              if (body.workflowId) accepted.workflowIds.add(body.workflowId);
              if (request.deliveryId) accepted.deliveryIds.add(request.deliveryId);
            } else if (request.deliveryId) refusedDeliveryIds.add(request.deliveryId);
          });
        }),
        { seed: SEED, numRuns: RUNS, endOnFailure: true },
      );
    } catch (error) {
      console.error(`hostile-input failed with seed ${SEED} (HOSTILE_SEED=${SEED} reproduces it)`);
      throw error;
    }

    // Assess (after the run): the bus, the queues and the stack.
    // Let what was published travel: drain the observer until it stays empty.
    const events: Awaited<ReturnType<E2eStack['observer']['drain']>> = [];
    for (let quiet = 0; quiet < 3; ) {
      const drained = await e2e.observer.drain();
      events.push(...drained);
      quiet = drained.length === 0 ? quiet + 1 : 0;
      if (drained.length === 0) await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    // Every event must come from an accepted request: its event id was answered, or it follows one (same correlation).
    const acceptedCorrelations = new Set([...accepted.deliveryIds, ...events.filter((event) => accepted.eventIds.has(event.detail.eventId)).map((event) => (event.detail as { correlationId?: string }).correlationId)]);
    const unexplained = events.filter((event) => {
      const detail = event.detail as { eventId: string; correlationId?: string; data?: { workflowId?: string } };
      return !accepted.eventIds.has(detail.eventId) && !acceptedCorrelations.has(detail.correlationId) && !accepted.workflowIds.has(detail.data?.workflowId ?? '');
    });
    const fromRefused = events.filter((event) => refusedDeliveryIds.has((event.detail as { correlationId?: string }).correlationId ?? '') && !accepted.deliveryIds.has((event.detail as { correlationId?: string }).correlationId ?? ''));

    // Every consumer queue drains (a consumer failing on what was accepted would keep its message) and every DLQ stays empty.
    const depth = async (url: string) => {
      const { Attributes = {} } = await e2e.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
      return Number(Attributes.ApproximateNumberOfMessages ?? 0) + Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0);
    };
    const queues = [...e2e.stack.resources.queues.values()];
    const deadline = Date.now() + 20_000;
    let backlog: Array<[string, number]> = [];
    do {
      backlog = (await Promise.all(queues.map(async (queue) => [queue.spec.name, await depth(queue.url)] as [string, number]))).filter(([, n]) => n > 0);
      if (backlog.length > 0) await new Promise((resolve) => setTimeout(resolve, 500));
    } while (backlog.length > 0 && Date.now() < deadline);
    const deadLetters = (await Promise.all(queues.map(async (queue) => [`${queue.spec.name}-dlq`, await depth(queue.deadLetterUrl)] as [string, number]))).filter(([, n]) => n > 0);
    // What a dead-letter queue holds, for the failure report.
    const deadLettered = await Promise.all(
      queues
        .filter((queue) => deadLetters.some(([name]) => name === `${queue.spec.name}-dlq`))
        .map(async (queue) => {
          const { Messages = [] } = await e2e.sqs.send(new ReceiveMessageCommand({ QueueUrl: queue.deadLetterUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], VisibilityTimeout: 0 }));
          return Messages.map((message) => `${queue.spec.name}-dlq: ${JSON.stringify(message.MessageAttributes ?? {}).slice(0, 600)} ${message.Body?.slice(0, 600)}`);
        }),
    );
    const health = await fetch(`${e2e.stack.url}/v1/health`);

    const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
    console.log(
      `hostile-input (seed ${SEED}): ${total} requests in ${((Date.now() - started) / 1000).toFixed(1)} s; by class ${JSON.stringify(counts)}; by status ${JSON.stringify(statuses)}; ` +
        `${accepted.eventIds.size} accepted deliveries, ${refusedDeliveryIds.size} refused signed deliveries, ${events.length} events on the bus`,
    );
    expect(total).toBe(RUNS * BATCH);
    expect(counts['5xx'] ?? 0).toBe(0);
    expect(unexplained.map((event) => `${event['detail-type']} ${JSON.stringify(event.detail).slice(0, 300)}`)).toEqual([]);
    expect(fromRefused.map((event) => event['detail-type'])).toEqual([]);
    expect(backlog).toEqual([]);
    expect({ deadLetters, deadLettered: deadLettered.flat() }).toEqual({ deadLetters: [], deadLettered: [] });
    expect(health.status).toBe(200);
  }, 300_000);
});
