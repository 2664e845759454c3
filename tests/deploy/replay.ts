// Replays a Dockerfile stage outside Docker: WORKDIR /app becomes a temporary folder, COPY copies from
// the build context (minus .dockerignore) or from an earlier stage's folder, RUN runs under sh there.
import { spawn } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import { copyArgs, envOf, type Stage } from './dockerfile.ts';

export const WORKDIR = '/app';

export interface ReplayOptions {
  /** The build context (the repository root). */
  context: string;
  /** Where this stage's /app lives. */
  root: string;
  /** /app folders of the stages already replayed, by name. */
  stages: Record<string, string>;
  ignored: (path: string) => boolean;
  /**
   * RUN commands replaced by a function (by exact command text): e.g. the build stage's full `npm ci`,
   * answered by the repository's own node_modules (installed by `npm ci` from the same lockfile).
   */
  substitute?: Record<string, (root: string) => void>;
  /** Extra environment for RUN (on top of the stage's ENV). */
  env?: Record<string, string>;
  log?: (line: string) => void;
}

/** Paths under an image folder, mapped into the replay's folder for that stage. */
function inApp(root: string, path: string, workdir: string): string {
  const abs = posix.isAbsolute(path) ? path : posix.join(workdir, path);
  if (abs !== WORKDIR && !abs.startsWith(`${WORKDIR}/`)) throw new Error(`only paths under ${WORKDIR} can be replayed, got ${abs}`);
  return join(root, abs.slice(WORKDIR.length));
}

/** Copies one context path, skipping ignored files (Docker never sends them). */
function copyFromContext(context: string, rel: string, to: string, ignored: (p: string) => boolean) {
  const from = join(context, rel);
  cpSync(from, to, {
    recursive: true,
    filter: (src) => {
      const r = relative(context, src).split('\\').join('/');
      return r === '' || !ignored(r);
    },
  });
}

/** No-op stand-ins for commands that only make sense inside the image (the image's users do not exist here). */
function shimDir(root: string): string {
  const dir = join(root, '..', `${posix.basename(root)}-shims`);
  mkdirSync(dir, { recursive: true });
  for (const name of ['chown']) {
    writeFileSync(join(dir, name), '#!/bin/sh\nexit 0\n');
    chmodSync(join(dir, name), 0o755);
  }
  return dir;
}

export function sh(command: string, cwd: string, env: NodeJS.ProcessEnv, log?: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-ec', command], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const keep = (b: Buffer) => {
      out = (out + b.toString()).slice(-20_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('exit', (code) => {
      log?.(`$ ${command}\n${out.slice(-2000)}`);
      if (code === 0) resolve();
      else reject(new Error(`"${command}" exited with ${code}:\n${out}`));
    });
  });
}

export interface Replayed {
  root: string;
  env: Record<string, string>;
  user: string | undefined;
  cmd: string | undefined;
  healthcheck: string | undefined;
}

export async function replayStage(stage: Stage, o: ReplayOptions): Promise<Replayed> {
  mkdirSync(o.root, { recursive: true });
  let workdir = '/';
  const env: Record<string, string> = {};
  let user: string | undefined;
  let cmd: string | undefined;
  let healthcheck: string | undefined;
  const shims = shimDir(o.root);
  for (const instr of stage.instructions) {
    switch (instr.cmd) {
      case 'WORKDIR':
        workdir = posix.resolve(workdir, instr.rest);
        mkdirSync(inApp(o.root, workdir, workdir), { recursive: true });
        break;
      case 'ENV':
        Object.assign(env, envOf(instr));
        break;
      case 'COPY': {
        const { sources, dest } = copyArgs(instr);
        const into = dest.endsWith('/') || sources.length > 1;
        const target = inApp(o.root, dest, workdir);
        for (const src of sources) {
          const name = posix.basename(src);
          const to = into ? join(target, name) : target;
          mkdirSync(dirname(to), { recursive: true });
          const fromStage = instr.flags.from;
          if (fromStage) {
            const stageRoot = o.stages[fromStage];
            if (!stageRoot) throw new Error(`line ${instr.line}: COPY --from=${fromStage} names no earlier stage`);
            const from = inApp(stageRoot, src, WORKDIR);
            if (!existsSync(from)) throw new Error(`line ${instr.line}: stage ${fromStage} has no ${src}`);
            cpSync(from, to, { recursive: true });
          } else {
            if (o.ignored(src)) throw new Error(`line ${instr.line}: ${src} is excluded by the .dockerignore`);
            if (!existsSync(join(o.context, src))) throw new Error(`line ${instr.line}: ${src} is not in the build context`);
            copyFromContext(o.context, src, to, o.ignored);
          }
        }
        break;
      }
      case 'RUN': {
        const run = o.substitute?.[instr.rest];
        if (run) run(inApp(o.root, workdir, workdir));
        else {
          await sh(instr.rest, inApp(o.root, workdir, workdir), { ...process.env, ...env, ...o.env, PATH: `${shims}:${process.env.PATH}` }, o.log);
        }
        break;
      }
      case 'USER':
        user = instr.rest;
        break;
      case 'CMD':
        cmd = instr.rest;
        break;
      case 'HEALTHCHECK':
        healthcheck = instr.rest;
        break;
      case 'EXPOSE':
      case 'LABEL':
      case 'ARG':
        break;
      default:
        throw new Error(`line ${instr.line}: the replay does not know ${instr.cmd}`);
    }
  }
  return { root: o.root, env, user, cmd, healthcheck };
}

/** Stands in for a full `npm ci`: the repository's node_modules, linked. */
export const linkNodeModules = (repo: string) => (root: string) => symlinkSync(join(repo, 'node_modules'), join(root, 'node_modules'), 'dir');

/** Every file under a folder with its size and mtime (to see whether a run wrote anything). */
export function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        out.set(`${p}/`, '');
        walk(p);
      } else {
        const s = statSync(p, { throwIfNoEntry: false });
        out.set(p, s ? `${s.size}:${s.mtimeMs}` : 'gone');
      }
    }
  };
  walk(dir);
  return out;
}
