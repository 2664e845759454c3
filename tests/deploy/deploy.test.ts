// deploy/: the Kubernetes manifests and the Dockerfile agree with the app, and the Dockerfile's stages,
// replayed outside Docker (no Docker engine here), give a runtime folder that starts, answers /health,
// /authorization and /detect with production dependencies only, writes nothing beside its database, and
// exits 0 on SIGTERM.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { loadConfig } from '../../api/config.ts';
import type { Db } from '../../api/db/types.ts';
import { MODEL_FILE, MODEL_SHA256 } from '../../models/core/model.ts';
import { POSTGRES_URL, postgresDatabase } from '../api/drivers.ts';
import { makeApp } from '../api/helpers.ts';
import { colourNoisePng, realImages } from '../api/images.ts';
import { available } from '../support/skip.ts';
import { copyArgs, dockerignore, envOf, execForm, parseDockerfile, type Stage } from './dockerfile.ts';
import { linkNodeModules, replayStage, snapshot, type Replayed, WORKDIR } from './replay.ts';
import { startImageServer } from './run-image.ts';

const REPO = resolve(import.meta.dirname, '../..');
const DEPLOY = join(REPO, 'deploy');
const K8S = join(DEPLOY, 'k8s');

// ---- the manifests ------------------------------------------------------------------------------------

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const yamlDocs = (file: string): Obj[] =>
  parseAllDocuments(readFileSync(file, 'utf8')).map((d) => {
    if (d.errors.length) throw new Error(`${file}: ${d.errors.map((e) => e.message).join('; ')}`);
    return d.toJS() as Obj;
  });

const kustomization = yamlDocs(join(K8S, 'kustomization.yaml'))[0]!;
const resources: Obj[] = (kustomization.resources as string[]).flatMap((f) => yamlDocs(join(K8S, f)));
const one = (kind: string): Obj => {
  const found = resources.filter((r) => r.kind === kind);
  expect(found, `exactly one ${kind} in the kustomization`).toHaveLength(1);
  return found[0]!;
};
const deployment = one('Deployment');
const pod = deployment.spec.template.spec as Obj;
const containers = pod.containers as Obj[];
const container = containers[0]!;
const env = container.env as { name: string; value?: string; valueFrom?: Obj }[];
/**
 * The manifest's plain values, as the process would see them (the Secret stands in as a URL); an optional Secret
 * (the PACS's) is absent unless `secrets` gives its keys.
 */
const manifestEnv = (secrets: Record<string, string> = {}): Record<string, string> =>
  Object.fromEntries(env.flatMap((e) => {
    if (e.value !== undefined) return [[e.name, e.value]];
    const ref = e.valueFrom?.secretKeyRef as Obj | undefined;
    if (ref?.optional) return ref.key in secrets ? [[e.name, secrets[ref.key]!]] : [];
    return [[e.name, e.name === 'DATABASE_URL' ? 'postgresql://u:p@db.example/bigbrain' : 'secret']];
  }));

/** Every environment variable name loadConfig reads (it is the only reader of process.env). */
function namesLoadConfigReads(): Set<string> {
  const seen = new Set<string>();
  const spy = new Proxy({} as Record<string, string | undefined>, {
    get(_, key) {
      if (typeof key === 'string') seen.add(key);
      // A PACS root, so that the PACS settings behind it are read too.
      return key === 'DICOMWEB_URL' ? 'http://pacs.example/dicom-web' : undefined;
    },
  });
  loadConfig(spy, '/');
  return seen;
}

/** nginx size ("10m", "512k", "1g", bytes) in bytes. */
function nginxSize(s: string): number {
  const m = /^(\d+)([kmg]?)$/i.exec(s.trim());
  if (!m) throw new Error(`not an nginx size: ${s}`);
  return Number(m[1]) * 1024 ** ' kmg'.indexOf((m[2] || ' ').toLowerCase());
}

const dockerText = readFileSync(join(DEPLOY, 'Dockerfile'), 'utf8');
const { stages } = parseDockerfile(dockerText);
const stage = (name: string): Stage => {
  const s = stages.find((x) => x.name === name);
  if (!s) throw new Error(`no stage "${name}" in deploy/Dockerfile`);
  return s;
};
const imageEnv = (s: Stage): Record<string, string> => Object.assign({}, ...s.instructions.filter((i) => i.cmd === 'ENV').map(envOf));
const ignored = dockerignore(readFileSync(join(DEPLOY, 'Dockerfile.dockerignore'), 'utf8'));

/** A database double for probe checks: answers, or fails the way an unreachable server does. */
function probeDb() {
  const state = { down: false };
  const db: Db = {
    driver: 'neon',
    async query<T>() {
      if (state.down) throw Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:5432'), { code: 'ECONNREFUSED' });
      return [{ ok: 1 }] as T[];
    },
    async transaction(fn) {
      return fn(db);
    },
    async close() {},
  };
  return { db, state };
}

describe('Kubernetes manifests (deploy/k8s) agree with the app', () => {
  it('every file is valid YAML; the example Secret is not applied by the kustomization', () => {
    for (const f of readdirSync(K8S).filter((n) => /\.ya?ml$/.test(n))) expect(() => yamlDocs(join(K8S, f))).not.toThrow();
    expect(kustomization.resources).not.toContain('secret.example.yaml');
    expect(resources.map((r) => r.kind).sort()).toEqual(['Deployment', 'HorizontalPodAutoscaler', 'Ingress', 'NetworkPolicy', 'PodDisruptionBudget', 'Service']);
  });

  it('every environment variable the manifests set is one loadConfig reads, and loadConfig accepts the values', () => {
    const known = namesLoadConfigReads();
    for (const c of containers) for (const e of c.env as { name: string }[]) expect(known, `${e.name} is read by api/config.ts`).toContain(e.name);
    const config = loadConfig(manifestEnv(), '/app');
    expect(config.trustProxy).toBe(true); // behind the ingress
    expect(config.databaseUrl).toBeDefined();
  });

  it('the container port is the port the app listens on, in the image and in the manifest', () => {
    const port = container.ports.find((p: Obj) => p.name === 'http').containerPort as number;
    expect(loadConfig(manifestEnv(), '/app').port).toBe(port);
    expect(loadConfig(imageEnv(stage('runtime')), '/app').port).toBe(port);
    expect(stage('runtime').instructions.filter((i) => i.cmd === 'EXPOSE').map((i) => Number(i.rest))).toEqual([port]);
  });

  it('DATABASE_URL comes from a Secret (required), never a literal; the example Secret has that name and key', () => {
    const db = env.find((e) => e.name === 'DATABASE_URL')!;
    expect(db.value).toBeUndefined();
    const ref = db.valueFrom!.secretKeyRef as Obj;
    expect(ref.optional ?? false).toBe(false); // several replicas need the shared database: no Secret, no pod
    const example = yamlDocs(join(K8S, 'secret.example.yaml'))[0]!;
    expect(example.kind).toBe('Secret');
    expect(example.metadata.name).toBe(ref.name);
    expect(Object.keys(example.stringData)).toContain(ref.key);
    expect(example.stringData[ref.key]).toMatch(/USER:PASSWORD@HOST/); // a placeholder, not a credential
  });

  it('the probes name routes that exist: readiness checks the database, liveness and startup do not', async () => {
    const { db, state } = probeDb();
    const app = makeApp(db);
    // What the kubelet sends (kube-probe: GET, Accept: */*); success is 200–399.
    const probe = (path: string) => app.request(path, { headers: { accept: '*/*', 'user-agent': 'kube-probe/1.32' } });
    const path = (p: string) => (container[p].httpGet as Obj).path as string;
    for (const p of ['readinessProbe', 'livenessProbe', 'startupProbe']) {
      expect(container[p].httpGet.port).toBe('http');
      const res = await probe(path(p));
      expect(res.status, `${p} ${path(p)}`).toBe(200);
      expect(await res.json()).toMatchObject({ status: 'ok' });
    }
    state.down = true;
    const ready = await probe(path('readinessProbe'));
    expect(ready.status).toBe(503); // out of the Service while PostgreSQL is unreachable
    expect(await ready.json()).toMatchObject({ code: 'database_unavailable' });
    expect((await probe(path('livenessProbe'))).status).toBe(200); // but not restarted for it
    expect((await probe(path('startupProbe'))).status).toBe(200);
  });

  it('runs as the unprivileged image user, read-only root filesystem, sized for the measured load', () => {
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(pod.securityContext.runAsUser).toBe(1000); // "node" in the node images; the Dockerfile says USER node
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    const mib = (q: string) => Number(/^(\d+)Mi$/.exec(q)?.[1] ?? Number(/^(\d+)Gi$/.exec(q)?.[1]) * 1024);
    const { requests, limits } = container.resources as Obj;
    expect(mib(requests.memory)).toBeGreaterThanOrEqual(600); // ≈ 600 MiB RSS measured under load
    expect(mib(limits.memory)).toBeGreaterThanOrEqual(mib(requests.memory));
    expect(Number(requests.cpu)).toBeGreaterThan(0);
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(10 + 5); // server's own 10 s drain + preStop
  });

  it('the Service selects the pods, the HPA scales the Deployment, the PDB covers the pods, the Ingress routes to the Service', () => {
    const labels = deployment.spec.template.metadata.labels as Record<string, string>;
    const selects = (sel: Record<string, string>) => Object.entries(sel).every(([k, v]) => labels[k] === v);
    expect(deployment.spec.selector.matchLabels).toSatisfy(selects);

    const service = one('Service');
    expect(service.spec.selector).toSatisfy(selects);
    const svcPort = (service.spec.ports as Obj[]).find((p) => p.name === 'http')!;
    expect(container.ports.map((p: Obj) => p.name)).toContain(svcPort.targetPort);

    const hpa = one('HorizontalPodAutoscaler');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata.name });
    expect(hpa.spec.metrics).toContainEqual(expect.objectContaining({ type: 'Resource', resource: expect.objectContaining({ name: 'cpu' }) }));
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
    expect(deployment.spec.replicas).toBeUndefined(); // the HPA owns the count; `kubectl apply` must not reset it

    expect(one('PodDisruptionBudget').spec.selector.matchLabels).toSatisfy(selects);

    const ingress = one('Ingress');
    const backends = (ingress.spec.rules as Obj[]).flatMap((r) => r.http.paths.map((p: Obj) => p.backend.service));
    expect(backends.length).toBeGreaterThan(0);
    for (const b of backends) {
      expect(b.name).toBe(service.metadata.name);
      expect(service.spec.ports.map((p: Obj) => p.name)).toContain(b.port.name);
    }
  });

  it('the PACS settings come from the optional Secret "bigbrain-pacs" (no PACS without it); the example Secret\'s values are accepted', () => {
    const pacsVars = env.filter((e) => e.name.startsWith('DICOMWEB_'));
    expect(pacsVars.map((e) => e.name).sort()).toEqual(['DICOMWEB_PASSWORD', 'DICOMWEB_TIMEOUT_MS', 'DICOMWEB_TOKEN', 'DICOMWEB_URL', 'DICOMWEB_USER']);
    for (const e of pacsVars.filter((v) => v.name !== 'DICOMWEB_TIMEOUT_MS')) {
      expect(e.value, `${e.name} is never a literal`).toBeUndefined();
      expect(e.valueFrom!.secretKeyRef).toEqual({ name: 'bigbrain-pacs', key: e.name, optional: true });
    }
    expect(loadConfig(manifestEnv(), '/app').dicomweb).toBeUndefined();
    const example = yamlDocs(join(K8S, 'secret.example.yaml')).find((d) => d.metadata?.name === 'bigbrain-pacs')!;
    expect(example.kind).toBe('Secret');
    const pacs = loadConfig(manifestEnv(example.stringData as Record<string, string>), '/app').dicomweb!;
    expect(pacs.url.href).toBe('http://pacs_host:8042/dicom-web');
    expect(pacs.authorization).toMatch(/^Basic /);
    expect(pacs.timeoutMs).toBe(30_000);
  });

  it('the NetworkPolicy covers the pods and allows egress to DNS, the PACS\'s port and the database only', () => {
    const np = one('NetworkPolicy');
    expect(np.apiVersion).toBe('networking.k8s.io/v1');
    const labels = deployment.spec.template.metadata.labels as Record<string, string>;
    expect(Object.entries(np.spec.podSelector.matchLabels as Record<string, string>).every(([k, v]) => labels[k] === v)).toBe(true);
    expect(np.spec.policyTypes).toEqual(['Egress']);
    const rules = np.spec.egress as Obj[];
    const ports = (r: Obj) => (r.ports as Obj[]).map((p) => `${p.protocol}/${p.port}`).sort();
    expect(rules).toHaveLength(3);
    // Every rule names its peers: no rule without `to` (that would allow any destination).
    for (const r of rules) expect((r.to as Obj[]).length).toBeGreaterThan(0);
    const [dns, pacs, db] = rules as [Obj, Obj, Obj];
    expect(ports(dns)).toEqual(['TCP/53', 'UDP/53']);
    expect(dns.to[0].podSelector.matchLabels).toEqual({ 'k8s-app': 'kube-dns' });
    expect(dns.to[0].namespaceSelector.matchLabels).toEqual({ 'kubernetes.io/metadata.name': 'kube-system' });
    // The PACS: one address (a placeholder to replace), on the port of the example DICOMWEB_URL.
    const example = yamlDocs(join(K8S, 'secret.example.yaml')).find((d) => d.metadata?.name === 'bigbrain-pacs')!;
    expect(ports(pacs)).toEqual([`TCP/${new URL(example.stringData.DICOMWEB_URL as string).port}`]);
    expect(pacs.to).toEqual([{ ipBlock: { cidr: expect.stringMatching(/^\d+\.\d+\.\d+\.\d+\/32$/) } }]);
    // The database: the Neon driver's WebSocket (443) or plain PostgreSQL (5432), to one range.
    expect(ports(db)).toEqual(['TCP/443', 'TCP/5432']);
    expect(db.to).toEqual([{ ipBlock: { cidr: expect.stringMatching(/^\d+\.\d+\.\d+\.\d+\/\d+$/) } }]);
    // No peer is the whole Internet.
    for (const r of rules) for (const t of r.to as Obj[]) expect(t.ipBlock?.cidr).not.toBe('0.0.0.0/0');
  });

  it('the Ingress limits request rate and body size; the body size is the app\'s BODY_LIMIT_BYTES', () => {
    const a = one('Ingress').metadata.annotations as Record<string, string>;
    expect(Number(a['nginx.ingress.kubernetes.io/limit-rps'])).toBeGreaterThan(0);
    expect(nginxSize(a['nginx.ingress.kubernetes.io/proxy-body-size']!)).toBe(loadConfig(manifestEnv(), '/app').bodyLimit);
  });
});

// ---- the Dockerfile -----------------------------------------------------------------------------------

describe('deploy/Dockerfile', () => {
  const runtime = stage('runtime');
  const build = stage('build');

  it('two stages on node 20 slim; the runtime stage is last (what `docker build` tags)', () => {
    expect(stages.map((s) => s.name)).toEqual(['build', 'runtime']);
    for (const s of stages) expect(s.from).toMatch(/^node:20(\.\d+)*-slim(@sha256:[0-9a-f]{64})?$/);
    expect(JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).engines.node).toMatch(/>=\s*20/);
  });

  it('every COPY source is in the build context (and not .dockerignored) or comes from an earlier stage', () => {
    for (const [i, s] of stages.entries()) {
      for (const c of s.instructions.filter((x) => x.cmd === 'COPY')) {
        const { sources } = copyArgs(c);
        if (c.flags.from) {
          expect(stages.slice(0, i).map((x) => x.name), `line ${c.line}`).toContain(c.flags.from);
          for (const src of sources) expect(src.startsWith(`${WORKDIR}/`), `line ${c.line}: ${src}`).toBe(true);
        } else {
          for (const src of sources) {
            expect(existsSync(join(REPO, src)), `line ${c.line}: ${src} exists`).toBe(true);
            expect(ignored(src), `line ${c.line}: ${src} is not .dockerignored`).toBe(false);
          }
        }
      }
    }
  });

  it('each npm ci skips onnxruntime-node\'s CUDA download: ONNXRUNTIME_NODE_INSTALL=skip set before it (npm < 11 runs the script)', () => {
    for (const s of stages) {
      const ci = s.instructions.findIndex((x) => x.cmd === 'RUN' && /\bnpm ci\b/.test(x.rest));
      const skip = s.instructions.findIndex((x) => x.cmd === 'ENV' && envOf(x).ONNXRUNTIME_NODE_INSTALL === 'skip');
      expect(ci, `stage ${s.name} runs npm ci`).toBeGreaterThan(-1);
      expect(skip, `stage ${s.name} sets ONNXRUNTIME_NODE_INSTALL=skip`).toBeGreaterThan(-1);
      expect(skip).toBeLessThan(ci);
    }
    // npm ≥ 11 (tests/deploy/npm-scripts.test.ts): package.json's allowScripts denies the script outright.
    expect(JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).allowScripts['onnxruntime-node']).toBe(false);
  });

  it('the build stage runs `npm run build`; the runtime stage installs production dependencies only, runs as non-root, exec-form CMD', () => {
    expect(build.instructions.some((x) => x.cmd === 'RUN' && x.rest === 'npm run build')).toBe(true);
    expect(JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).scripts.build).toBeTruthy();
    const runs = runtime.instructions.filter((x) => x.cmd === 'RUN');
    expect(runs.some((x) => /\bnpm ci\b[^&]*--omit=dev/.test(x.rest))).toBe(true);
    expect(runs.every((x) => !/\bnpm (run|install|i)\b/.test(x.rest))).toBe(true);
    const users = runtime.instructions.filter((x) => x.cmd === 'USER');
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)!.rest).not.toMatch(/^(root|0)(:|$)/);
    const cmdAt = runtime.instructions.findIndex((x) => x.cmd === 'CMD');
    expect(runtime.instructions.indexOf(users.at(-1)!)).toBeLessThan(cmdAt);
    expect(execForm(runtime.instructions[cmdAt]!.rest, 0)).toEqual(['node', 'dist/api/server.mjs']);
    expect(runtime.instructions.some((x) => x.cmd === 'WORKDIR' && x.rest === WORKDIR)).toBe(true);
  });
});

// ---- the stages, replayed -----------------------------------------------------------------------------


describe('deploy/Dockerfile replayed outside Docker: build stage, then runtime stage, then its CMD', () => {
  let tmp: string;
  let app: Replayed;

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'bigbrain-image-'));
    // RUN sees a clean environment, as in `docker build`: not vitest's NODE_ENV=test nor npm's run vars.
    const clean = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !/^(NODE_ENV|VITEST|VITE_|npm_|TEST_|NODE_OPTIONS$)/.test(k)),
    ) as Record<string, string>;
    const common = { context: REPO, ignored };
    const stages: Record<string, string> = {};
    for (const s of parseDockerfile(dockerText).stages) {
      const root = join(tmp, s.name);
      const result = await replayStage(s, {
        ...common,
        root,
        stages,
        // The build stage's full install is the repository's own node_modules (`npm ci` of the same
        // lockfile, which CI runs first); the runtime stage's `npm ci --omit=dev` really runs.
        substitute: { 'npm ci --no-audit --no-fund': linkNodeModules(REPO) },
        env: clean,
      });
      stages[s.name] = root;
      if (s.name === 'runtime') app = result;
    }
  }, 300_000);

  afterAll(() => {
    if (tmp && !process.env.KEEP_IMAGE_REPLAY) rmSync(tmp, { recursive: true, force: true });
  });

  it('the runtime folder holds production dependencies only', () => {
    const lock = JSON.parse(readFileSync(join(app.root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
    const devOnly = Object.entries(lock.packages).filter(([p, v]) => p && v.dev).map(([p]) => p);
    expect(devOnly.length).toBeGreaterThan(100);
    expect(devOnly.filter((p) => existsSync(join(app.root, p)))).toEqual([]);
    for (const name of ['vite', 'vitest', 'tsx', 'typescript', 'esbuild', 'eslint']) expect(existsSync(join(app.root, 'node_modules', name)), name).toBe(false);
    // What the server loads is there; the pruned browser runtime is not.
    for (const name of ['onnxruntime-node', 'sharp', 'hono', '@electric-sql/pglite', '@neondatabase/serverless']) {
      expect(existsSync(join(app.root, 'node_modules', name)), name).toBe(true);
    }
    expect(existsSync(join(app.root, 'node_modules/onnxruntime-web'))).toBe(false);
    expect(readdirSync(join(app.root, 'dist'))).toEqual(expect.arrayContaining(['api', 'web']));
    expect(existsSync(join(app.root, 'dist/web/index.html'))).toBe(true);
    expect(existsSync(join(app.root, 'src'))).toBe(false);
    for (const source of ['api', 'models', 'web', 'tests']) expect(existsSync(join(app.root, source)), `${source}/ stays out of the image`).toBe(false);
  });

  it('the CMD starts (embedded database in data/), serves the PWA and the model, signs up, classifies, passes the HEALTHCHECK, exits 0 on SIGTERM', async () => {
    const server = await startImageServer(app, {}, tmp);
    try {
      const health = await fetch(`${server.url}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'ok', database: 'pglite' });

      const page = await fetch(`${server.url}/`, { headers: { accept: 'text/html' } });
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/<html/i);
      // The model the PWA downloads is the one the card describes (the server checked its own copy at start).
      const model = await fetch(`${server.url}/${MODEL_FILE}`, { headers: { 'accept-encoding': 'identity' } });
      expect(model.status).toBe(200);
      expect(createHash('sha256').update(new Uint8Array(await model.arrayBuffer())).digest('hex')).toBe(MODEL_SHA256);

      const auth = await fetch(`${server.url}/authorization`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'image@example.com', password: 'correct horse battery' }),
      });
      expect(auth.status).toBe(200);
      const { accessToken } = (await auth.json()) as { accessToken: string };

      const detect = async (data: Uint8Array<ArrayBuffer>, type: string) => {
        const form = new FormData();
        form.append('file', new Blob([data], { type }), 'image');
        const res = await fetch(`${server.url}/detect`, { method: 'POST', headers: { 'auth-token': accessToken }, body: form });
        return { status: res.status, body: (await res.json()) as Obj };
      };
      // Colour noise: the model runs and refuses to diagnose it.
      const noise = await colourNoisePng();
      expect(await detect(noise.data, noise.type)).toMatchObject({ status: 422, body: { code: 'not_mri' } });
      // A real MRI when ../shared/data is here: a diagnosis.
      const real = realImages(1)[0];
      if (available(real !== undefined, 'the MRI data folder (a real diagnosis through the image)')) {
        const { status, body } = await detect(new Uint8Array(readFileSync(real!.path)), 'image/jpeg');
        expect(status).toBe(200);
        expect(body.result).toMatch(/^(Tumor|No Tumor)$/);
      }

      // Docker's HEALTHCHECK command, as the image would run it (exec form after CMD).
      const hc = /\bCMD\s+(\[.*\])\s*$/.exec(app.healthcheck ?? '');
      expect(hc, 'HEALTHCHECK CMD in exec form').toBeTruthy();
      const check = await server.exec(execForm(hc![1]!, 0));
      expect(check).toBe(0);

      expect(await server.stop(), server.log()).toBe(0);
      expect(server.log()).toMatch(/SIGTERM: shutting down/);
      // The image's ENV keeps onnxruntime's telemetry from writing under HOME and TMPDIR.
      expect(app.env.ORT_DISABLE_TELEMETRY).toBe('1');
      expect(readdirSync(server.home)).toEqual([]);
      expect(readdirSync(server.tmp)).toEqual([]);
    } finally {
      server.kill();
    }
    // The embedded database went where the image's data/ folder is.
    expect(readdirSync(join(app.root, 'data')).length).toBeGreaterThan(0);
  }, 120_000);

  it.skipIf(!available(!!POSTGRES_URL, 'a PostgreSQL server for the DATABASE_URL replay: set TEST_POSTGRES_URL'))(
    'with DATABASE_URL (as in Kubernetes) it writes no file at all: readOnlyRootFilesystem holds',
    async () => {
      const pg = await postgresDatabase();
      const before = snapshot(app.root);
      try {
        const server = await startImageServer(app, { DATABASE_URL: pg.url, DATABASE_WS_PROXY: pg.wsProxy }, tmp);
        try {
          const health = await fetch(`${server.url}/health`);
          expect(await health.json()).toMatchObject({ status: 'ok', database: 'neon' });
          const auth = await fetch(`${server.url}/authorization`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ email: 'pg-image@example.com', password: 'correct horse battery' }),
          });
          const { accessToken } = (await auth.json()) as { accessToken: string };
          const noise = await colourNoisePng();
          const form = new FormData();
          form.append('file', new Blob([noise.data], { type: noise.type }), 'image');
          const res = await fetch(`${server.url}/detect`, { method: 'POST', headers: { 'auth-token': accessToken }, body: form });
          expect(res.status).toBe(422);
          expect(await server.stop(), server.log()).toBe(0);
        } finally {
          server.kill();
        }
        const after = snapshot(app.root);
        const changed = [...after].filter(([p, v]) => before.get(p) !== v).map(([p]) => p);
        expect(changed).toEqual([]);
        // Nor in HOME or TMPDIR (onnxruntime's telemetry would write to both without the image's
        // ORT_DISABLE_TELEMETRY=1). /tmp is an emptyDir all the same, the one writable place.
        expect(readdirSync(server.home)).toEqual([]);
        expect(readdirSync(server.tmp)).toEqual([]);
        const writable = (container.volumeMounts as Obj[]).map((m) => [m.mountPath, (pod.volumes as Obj[]).find((v) => v.name === m.name)]);
        expect(writable).toEqual([['/tmp', expect.objectContaining({ emptyDir: expect.anything() })]]);
      } finally {
        await pg.dispose();
      }
    },
    120_000,
  );
});
