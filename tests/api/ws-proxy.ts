// A tiny WebSocket→TCP relay, the local stand-in for Neon's proxy: the Neon driver always speaks WebSocket.
// Each connection to ws://127.0.0.1:PORT/v1?address=host:port is piped to that TCP address.
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';

export interface WsProxy {
  /** Value for neonConfig.wsProxy / DATABASE_WS_PROXY (no protocol). */
  address: string;
  port: number;
  close(): Promise<void>;
}

/** port 0 = any free port; pass a port to bring a stopped proxy back where its clients expect it. */
export function startWsProxy(port = 0): Promise<WsProxy> {
  return new Promise((resolve, reject) => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port });
    wss.on('error', reject);
    wss.on('connection', (socket, req) => {
      const target = new URL(req.url ?? '/', 'http://proxy').searchParams.get('address') ?? '';
      const [host, port] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
      const tcp = connect({ host, port });
      tcp.on('data', (chunk) => socket.send(chunk));
      tcp.on('close', () => socket.close());
      tcp.on('error', () => socket.close());
      socket.on('message', (data) => tcp.write(data as Buffer));
      socket.on('close', () => tcp.destroy());
      socket.on('error', () => tcp.destroy());
    });
    wss.on('listening', () => {
      const { port } = wss.address() as AddressInfo;
      resolve({
        address: `127.0.0.1:${port}/v1`,
        port,
        close: () => new Promise((done) => {
          for (const client of wss.clients) client.terminate();
          wss.close(() => done());
        }),
      });
    });
  });
}
