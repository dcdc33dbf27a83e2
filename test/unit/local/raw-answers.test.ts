import * as http from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { answerOnRawSocket } from '../../../local/raw-answers';

/** Writes bytes on a raw socket and reads everything until the server closes it. */
const exchange = (port: number, request: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.on('error', reject);
  });

describe('answers on the raw socket', () => {
  let server: http.Server;
  let port: number;

  beforeAll(async () => {
    server = http.createServer((_request, response) => response.end('listener'));
    answerOnRawSocket(server, () => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('answers CONNECT (which Node otherwise closes without a word) 404 problem+json, like any unmatched method', async () => {
    // Act
    const answer = await exchange(port, 'CONNECT /v1/webhooks/erp HTTP/1.1\r\nhost: x\r\n\r\n');

    // Assess
    expect(answer).toMatch(/^HTTP\/1\.1 404 /);
    expect(answer).toMatch(/\r\ncontent-type: application\/problem\+json\r\n/);
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toMatchObject({ type: expect.stringContaining('/problems/not-found'), status: 404 });
  });

  it("answers a request Node's parser refuses 400 problem+json", async () => {
    // Act
    const answer = await exchange(port, 'GET / HTTP/1.1\r\nhost: x\r\nx-bad: a\u0001b\r\n\r\n');

    // Assess
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toMatchObject({ status: 400 });
  });
});
