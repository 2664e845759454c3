// A real Orthanc (Debian's /usr/sbin/Orthanc with the DICOMweb plugin) for the gateway tests: its own free loopback
// port, a throw-away storage folder, HTTP basic auth on (the gateway must add the configured credentials), the DICOM
// port off. Started and stopped by the tests only — never by the app.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ORTHANC_BIN = '/usr/sbin/Orthanc';
export const DICOMWEB_PLUGIN = ['/usr/share/orthanc/plugins/libOrthancDicomWeb.so', '/usr/lib/orthanc/libOrthancDicomWeb.so.1.7'].find((p) => existsSync(p));
export const hasOrthanc = existsSync(ORTHANC_BIN) && DICOMWEB_PLUGIN !== undefined;

export const ORTHANC_USER = 'bigbrain';
export const ORTHANC_PASSWORD = 'orthanc-test-secret';

/** A free loopback TCP port (closed again before it is returned). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface Orthanc {
  port: number;
  /** http://127.0.0.1:port */
  url: string;
  /** The DICOMweb root, http://127.0.0.1:port/dicom-web */
  dicomweb: string;
  /** Authorization header value for Orthanc's own REST API. */
  auth: string;
  /** POST /instances: one DICOM file into the archive; its Orthanc id. */
  upload(bytes: Uint8Array): Promise<string>;
  /** Stops the process (storage kept: start() again serves the same archive). */
  stop(): Promise<void>;
  /** Starts it again on the same port and storage. */
  start(): Promise<void>;
  /** Stops it and deletes its storage. */
  dispose(): Promise<void>;
}

export async function startOrthanc(): Promise<Orthanc> {
  if (!DICOMWEB_PLUGIN) throw new Error('the Orthanc DICOMweb plugin is not installed');
  const dir = mkdtempSync(join(tmpdir(), 'bigbrain-orthanc-'));
  const port = await freePort();
  const config = {
    Name: 'BIGBRAIN-TEST',
    StorageDirectory: join(dir, 'db'),
    IndexDirectory: join(dir, 'db'),
    HttpPort: port,
    DicomServerEnabled: false,
    DicomPort: await freePort(),
    RemoteAccessAllowed: false,
    AuthenticationEnabled: true,
    RegisteredUsers: { [ORTHANC_USER]: ORTHANC_PASSWORD },
    HttpCompressionEnabled: false,
    ConcurrentJobs: 1,
    HttpThreadsCount: 8,
    Plugins: [DICOMWEB_PLUGIN],
    DicomWeb: { Enable: true, Root: '/dicom-web/', EnableWado: false, Ssl: false, StudiesMetadata: 'Full', SeriesMetadata: 'Full' },
  };
  const configPath = join(dir, 'orthanc.json');
  writeFileSync(configPath, JSON.stringify(config));
  const url = `http://127.0.0.1:${port}`;
  const auth = `Basic ${Buffer.from(`${ORTHANC_USER}:${ORTHANC_PASSWORD}`).toString('base64')}`;
  let child: ChildProcess | undefined;
  let log = '';

  const start = async () => {
    log = '';
    const c = spawn(ORTHANC_BIN, [configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = c;
    c.stdout?.on('data', (d: Buffer) => { log = (log + d.toString()).slice(-4000); });
    c.stderr?.on('data', (d: Buffer) => { log = (log + d.toString()).slice(-4000); });
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (c.exitCode !== null) throw new Error(`Orthanc exited (${c.exitCode}):\n${log}`);
      try {
        const res = await fetch(`${url}/system`, { headers: { authorization: auth } });
        if (res.ok) { await res.arrayBuffer(); return; }
      } catch { /* not listening yet */ }
      if (Date.now() > deadline) throw new Error(`Orthanc did not answer within 30 s:\n${log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const stop = async () => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise<void>((r) => c.once('exit', () => r()));
    c.kill('SIGTERM');
    const timer = setTimeout(() => c.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  await start();
  return {
    port, url, dicomweb: `${url}/dicom-web`, auth,
    async upload(bytes) {
      const res = await fetch(`${url}/instances`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/dicom' }, body: Buffer.from(bytes) });
      const text = await res.text();
      if (!res.ok) throw new Error(`Orthanc refused the upload: ${res.status} ${text}`);
      return (JSON.parse(text) as { ID: string }).ID;
    },
    stop, start,
    async dispose() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
