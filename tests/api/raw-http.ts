// Raw HTTP/1.1 over a socket, for requests fetch refuses to send (absurd headers, broken framing).
import { connect } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Sends bytes as they are and parses the first response (Content-Length or read-to-close). */
export function rawRequest(port: number, request: string | Uint8Array, timeoutMs = 10_000): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => { socket.destroy(); reject(new Error('raw request timed out')); }, timeoutMs);
    let settled = false;
    /** The bytes after any interim (1xx) responses. */
    const final = () => {
      let text = Buffer.concat(chunks).toString('latin1');
      while (/^HTTP\/1\.1 1\d\d /.test(text) && text.includes('\r\n\r\n')) text = text.slice(text.indexOf('\r\n\r\n') + 4);
      return text;
    };
    const finish = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const text = final();
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) return reject(new Error(`no response (${text.length} bytes): ${JSON.stringify(text.slice(0, 200))}`));
      const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
      const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).trim().toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      const length = headers['content-length'] ? Number(headers['content-length']) : undefined;
      const rest = Buffer.from(text.slice(end + 4), 'latin1');
      let body = rest.toString('utf8');
      if (headers['transfer-encoding'] === 'chunked') body = dechunk(rest).toString('utf8');
      else if (length !== undefined) body = rest.subarray(0, length).toString('utf8');
      resolve({ status: Number(statusLine!.split(' ')[1]), headers, body });
    };
    socket.on('data', (d: Buffer) => {
      chunks.push(d);
      const text = final();
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) return;
      const len = /\r\ncontent-length:\s*(\d+)/i.exec(text.slice(0, end));
      if (len && Buffer.byteLength(text.slice(end + 4), 'latin1') >= Number(len[1])) { socket.destroy(); finish(); }
      else if (/\r\ntransfer-encoding:\s*chunked/i.test(text.slice(0, end)) && text.endsWith('0\r\n\r\n')) { socket.destroy(); finish(); }
    });
    socket.on('close', () => finish());
    socket.on('error', () => {}); // a reset after the answer is fine; no answer is reported by finish
    socket.write(request);
  });
}

function dechunk(buf: Buffer): Buffer {
  const out: Buffer[] = [];
  let i = 0;
  for (;;) {
    const eol = buf.indexOf('\r\n', i);
    if (eol < 0) break;
    const size = parseInt(buf.subarray(i, eol).toString('latin1'), 16);
    if (!size) break;
    out.push(buf.subarray(eol + 2, eol + 2 + size));
    i = eol + 2 + size + 2;
  }
  return Buffer.concat(out);
}
