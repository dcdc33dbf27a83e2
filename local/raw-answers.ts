import * as http from 'node:http';
import { gatewayProblem } from '../lib/gateway-problems';

/** A whole HTTP/1.1 response carrying a problem, for a socket the HTTP server has given up on. */
export const rawProblemResponse = (problem: ReturnType<typeof gatewayProblem>) => {
  const body = JSON.stringify(problem);
  return (
    `HTTP/1.1 ${problem.status} ${http.STATUS_CODES[problem.status] ?? 'Bad Request'}\r\n` +
    `content-type: application/problem+json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`
  );
};

/**
 * Answers, as problem+json on the raw socket, what never reaches the request listener: requests Node's
 * parser refuses (control characters, oversized headers, a malformed request line) and CONNECT, which Node
 * hands to a `connect` listener and otherwise closes without a word. API Gateway serves no CONNECT route:
 * it is an unmatched method, 404 like any other.
 */
export const answerOnRawSocket = (server: http.Server, log: (line: string) => void) => {
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    log(`refused a request Node's HTTP parser could not read: ${error.code ?? error.message}`);
    if (error.code === 'ECONNRESET' || !socket.writable) return void socket.destroy();
    socket.end(rawProblemResponse(gatewayProblem('DEFAULT_4XX', 'The request is not valid HTTP/1.1 (malformed request line, control characters or headers over 16 KB).')));
  });
  server.on('connect', (_request: http.IncomingMessage, socket) => {
    if (!socket.writable) return void socket.destroy();
    socket.end(rawProblemResponse(gatewayProblem('MISSING_AUTHENTICATION_TOKEN')));
  });
};
