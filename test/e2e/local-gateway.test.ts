import { connect } from 'node:net';
import { createHmac, randomUUID } from 'node:crypto';
import { signingSecretsFromEnvironment } from '../../local/dev-secrets';
import { FIREWALL_PROBLEMS } from '../../lib/gateway-problems';
import { startE2eStack, type E2eStack } from '../support/e2e-stack';

/** Sends bytes as they are on a raw socket (no client library tidies them up) and reads the whole answer. */
const rawExchange = (url: string, request: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const { hostname, port } = new URL(url);
    const socket = connect(Number(port), hostname, () => socket.write(request));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.on('error', reject);
    socket.setTimeout(5_000, () => socket.destroy(new Error(`no complete answer; got: ${Buffer.concat(chunks).toString('utf8')}`)));
  });

/** Standard Webhooks headers for a body given as bytes (the library signs strings). */
const signedBytes = (secret: string, body: Buffer) => {
  const id = `msg_${randomUUID().replace(/-/g, '')}`;
  const timestamp = String(Math.floor(Date.now() / 1000));
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const signature = createHmac('sha256', key).update(Buffer.concat([Buffer.from(`${id}.${timestamp}.`), body])).digest('base64');
  return { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${signature}` };
};

/** A chunked body's data. */
const dechunked = (body: string) => {
  let data = '';
  for (let rest = body; ; ) {
    const size = parseInt(rest, 16);
    if (!size) return data;
    const start = rest.indexOf('\r\n') + 2;
    data += rest.slice(start, start + size);
    rest = rest.slice(start + size + 2);
  }
};

/** Status, content type and problem of a raw HTTP/1.1 answer. */
const parsed = (answer: string) => {
  const head = answer.slice(0, answer.indexOf('\r\n\r\n'));
  const body = answer.slice(head.length + 4);
  const problem = JSON.parse(/transfer-encoding: chunked/i.test(head) ? dechunked(body) : body) as Record<string, unknown>;
  return { status: Number(head.split(' ')[1]), contentType: /content-type: ([^\r]+)/i.exec(head)?.[1], problem };
};

describe('the local gateway answers like API Gateway and never dies', () => {
  let e2e: E2eStack;

  beforeAll(async () => {
    e2e = await startE2eStack('gateway', { signingSecrets: signingSecretsFromEnvironment({}) });
  });
  afterAll(() => e2e.stop());

  const healthy = async () => expect((await fetch(`${e2e.stack.url}/v1/health`)).status).toBe(200);

  it('answers malformed percent-encoding in the path with a 400 problem', async () => {
    // Act
    const answer = parsed(await rawExchange(e2e.stack.url, 'POST /v1/webhooks/%E0 HTTP/1.1\r\nhost: x\r\ncontent-length: 0\r\nconnection: close\r\n\r\n'));

    // Assess
    expect(answer).toMatchObject({ status: 400, contentType: 'application/problem+json', problem: { status: 400, title: 'Invalid request' } });
    await healthy();
  });

  it('answers an invalid absolute URL in the request line with a 400 problem and keeps running', async () => {
    // Act
    const answer = parsed(await rawExchange(e2e.stack.url, 'GET http://[::1 HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n'));

    // Assess
    expect(answer).toMatchObject({ status: 400, contentType: 'application/problem+json', problem: { status: 400 } });
    await healthy();
  });

  it.each([
    ['a control character in a header', 'GET /v1/health HTTP/1.1\r\nhost: x\r\nx-bad: a\u0001b\r\n\r\n'],
    ['headers over 16 KB', `GET /v1/health HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`],
    ['a malformed request line', 'NOT HTTP AT ALL\r\n\r\n'],
  ])("answers a request Node's parser refuses (%s) with a 400 problem", async (_case, request) => {
    // Act
    const answer = parsed(await rawExchange(e2e.stack.url, request));

    // Assess
    expect(answer).toMatchObject({ status: 400, contentType: 'application/problem+json', problem: { type: expect.stringContaining('/problems/'), status: 400, detail: expect.any(String) } });
    await healthy();
  });

  it("refuses a body of 1,000,000 bytes or more with the web ACL's 413, before any route or function", async () => {
    // Act
    const refused = await fetch(`${e2e.stack.url}/v1/webhooks/erp`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.alloc(7 * 1024 * 1024, 0x20) });

    // Assess
    expect(refused.status).toBe(413);
    expect(refused.headers.get('content-type')).toBe('application/json');
    expect(await refused.json()).toEqual(FIREWALL_PROBLEMS.bodyTooLarge);
  });

  it('leaves a body just under 1,000,000 bytes to the function, which refuses it over 240 KB as problem+json', async () => {
    // Act
    const refused = await fetch(`${e2e.stack.url}/v1/webhooks/erp`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.alloc(999_999, 0x20) });

    // Assess
    expect(refused.status).toBe(413);
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    expect(await refused.json()).toMatchObject({ status: 413, detail: expect.stringContaining('999999 bytes') });
  });

  it('refuses a webhook body that is not application/json with a 415 problem', async () => {
    // Act
    const refused = await fetch(`${e2e.stack.url}/v1/webhooks/erp`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' });

    // Assess
    expect(refused.status).toBe(415);
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    expect(await refused.json()).toMatchObject({ title: 'Unsupported media type', status: 415 });
  });

  it("still answers Business Central's handshake, a POST with no body and no JSON content type", async () => {
    // Act
    const handshake = await fetch(`${e2e.stack.url}/v1/webhooks/businesscentral?validationToken=tok-1`, { method: 'POST', headers: { 'content-type': 'text/plain' } });

    // Assess
    expect(handshake.status).toBe(200);
    expect(await handshake.text()).toBe('tok-1');
  });

  it('passes the bytes a sender signed: a validly signed body that is not UTF-8 is a 400, a valid one is accepted', async () => {
    // Prepare: the signature covers the raw bytes, an invalid UTF-8 sequence (0xC3 0x28) included.
    const secret = signingSecretsFromEnvironment({}).erp![0]!;
    const envelope = (note: string) => `{"type":"order.status.changed","timestamp":"${new Date().toISOString()}","data":{"orderId":"SO-UTF8","status":"shipped","version":1,"occurredAt":"${new Date().toISOString()}","note":"${note}"}}`;
    const [before, after] = envelope('MARK').split('MARK');
    const invalid = Buffer.concat([Buffer.from(before!), Buffer.from([0xc3, 0x28]), Buffer.from(after!)]);
    const valid = Buffer.from(envelope('crème brûlée'));
    const send = (body: Buffer) =>
      fetch(`${e2e.stack.url}/v1/webhooks/erp`, { method: 'POST', headers: signedBytes(secret, body), body });

    // Act
    const [refused, accepted] = [await send(invalid), await send(valid)];

    // Assess
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ status: 400, detail: expect.stringContaining('UTF-8') });
    expect(accepted.status).toBe(202);
  });
});
