// Production build of the server: api/server.ts (and the decode worker) bundled into dist/api/*.mjs,
// run with plain `node` — no TypeScript compiler at start-up. npm packages stay external
// (node_modules, production dependencies only); the SQL migrations are copied beside the bundle.
import { cpSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

const out = 'dist/api';
rmSync(out, { recursive: true, force: true });
await build({
  entryPoints: { server: 'api/server.ts', 'detect.worker': 'models/node/detect.worker.ts' },
  outdir: out,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
});
cpSync('api/db/migrations', `${out}/migrations`, { recursive: true });
console.log(`server bundle: ${out}/server.mjs`);
