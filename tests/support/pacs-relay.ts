// A loopback TCP relay in front of a PACS (a real Orthanc) for the "stopped mid-series" tests. Plain by default;
// holdAfter(n) makes the next connections pass on at most n bytes of answer to the client and keep the rest back (as
// if the archive had stalled mid-series), resolving `held` once a connection is held. Whatever the upstream end does
// then — Orthanc stopped, or cut() — the client's connection is destroyed, never ended cleanly: the client sees an
// answer cut short, exactly as when the archive goes away mid-transfer.
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface PacsRelay {
  port: number;
  /** http://127.0.0.1:port */
  url: string;
  /** From now on, each open or new connection passes on at most `bytes` more answer bytes, then holds. */
  holdAfter(bytes: number): Promise<void>;
  /** Back to a plain relay for new connections. */
  plain(): void;
  /** Destroys every open connection (both ends). */
  cut(): void;
  close(): Promise<void>;
}

interface Pair { client: Socket; upstream: Socket; sinceArm: number; held: boolean }

export async function pacsRelay(upstreamPort: number): Promise<PacsRelay> {
  const open = new Set<Pair>();
  let hold: { bytes: number; resolve: () => void } | null = null;
  const server: Server = createServer((client) => {
    const upstream = connect(upstreamPort, '127.0.0.1');
    const pair: Pair = { client, upstream, sinceArm: 0, held: false };
    open.add(pair);
    client.on('data', (d) => upstream.write(d));
    upstream.on('data', (d: Buffer) => {
      if (pair.held) return; // kept back: the archive goes on sending, the client sees nothing more
      if (hold && pair.sinceArm + d.length >= hold.bytes) {
        client.write(d.subarray(0, Math.max(0, hold.bytes - pair.sinceArm)));
        pair.held = true;
        hold.resolve();
        return;
      }
      pair.sinceArm += d.length;
      client.write(d);
    });
    const end = () => {
      open.delete(pair);
      // An upstream that ended after a held answer: the client must see a cut, not a clean end.
      if (pair.held) client.destroy();
      else client.end();
      upstream.destroy();
    };
    upstream.on('end', end);
    upstream.on('error', () => { open.delete(pair); client.destroy(); });
    client.on('error', () => upstream.destroy());
    client.on('close', () => { open.delete(pair); upstream.destroy(); });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    holdAfter(bytes) {
      // Counted from now, on the connections already open (a pooled keep-alive one) as on new ones.
      for (const p of open) p.sinceArm = 0;
      return new Promise<void>((resolve) => { hold = { bytes, resolve }; });
    },
    plain() { hold = null; },
    cut() {
      for (const { client, upstream } of open) { client.destroy(); upstream.destroy(); }
      open.clear();
    },
    close() {
      for (const { client, upstream } of open) { client.destroy(); upstream.destroy(); }
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}
