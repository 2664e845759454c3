// Serves a fetch handler over Node HTTP; resolves once listening (port 0 = an ephemeral port).
import type { AddressInfo, Socket } from 'node:net';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';

export interface Listening {
  port: number;
  url: string;
  /** Stops accepting, lets in-flight requests finish, then resolves. */
  close(): Promise<void>;
}

export function listen(fetch: (req: Request) => Response | Promise<Response>, { port = 0, host = '127.0.0.1' } = {}): Promise<Listening> {
  return new Promise((resolve, reject) => {
    // A request without Host (HTTP/1.0 style) reaches the app, which answers JSON like every other mistake.
    const server = serve({ fetch, port, hostname: host, serverOptions: { requireHostHeader: false } }) as Server;
    server.once('error', reject);
    server.on('clientError', answerClientError);
    server.once('listening', () => {
      const actual = (server.address() as AddressInfo).port;
      resolve({
        port: actual,
        url: `http://${host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host}:${actual}`,
        close: () => new Promise<void>((done) => {
          server.close(() => done());
          server.closeIdleConnections();
        }),
      });
    });
  });
}

/**
 * Requests Node's HTTP parser rejects before they reach the app (headers over 16 KB, a malformed request
 * line or header, a bad Content-Length) still get a JSON error, like every other mistake.
 */
export function answerClientError(err: Error & { code?: string }, socket: Socket): void {
  // As Node's own handler: answer unless a response has already started on this socket.
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (!socket.writable || inFlight?.headersSent) {
    socket.destroy();
    return;
  }
  const [status, reason, code, message] = err.code === 'HPE_HEADER_OVERFLOW'
    ? [431, 'Request Header Fields Too Large', 'headers_too_large', 'The request headers are too large.']
    : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'Request Timeout', 'request_timeout', 'The request took too long to arrive.']
      : [400, 'Bad Request', 'bad_request', 'The HTTP request is malformed.'];
  const body = JSON.stringify({ error: message, code });
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}
