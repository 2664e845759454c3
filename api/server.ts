// Node entry: configuration from the environment, migrations, the model, then PWA + API on one port.
// SIGTERM/SIGINT: stop accepting, finish in-flight requests, release the model, close the database.
import { existsSync } from 'node:fs';
import { createServerClassifier } from '../models/node/server-classifier.ts';
import { createApp } from './app.ts';
import { loadConfig } from './config.ts';
import { openDb } from './db/open.ts';
import { listen } from './listen.ts';
import { assertModelFile, modelFileFor } from './model-file.ts';

const config = loadConfig();
const model = modelFileFor(config);
const modelPath = model.path;
assertModelFile(modelPath, model.sha256);
if (model.fallback) console.warn(model.fallback);
// Side by side: the database opens on this thread while the first detect worker loads the model on its own.
const [db, classifier] = await Promise.all([
  openDb(config),
  createServerClassifier(modelPath, {
    threads: config.modelThreads, maxBatch: config.modelBatch, maxWaitMs: config.modelBatchWaitMs, workers: config.detectWorkers,
  }),
]);
const app = createApp({ db, classifier, config });
const server = await listen(app.fetch, { port: config.port, host: config.host });

const where = config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `PGlite in ${config.dataDir}`;
const pwa = existsSync(`${config.distDir}/index.html`) ? `PWA from ${config.distDir}` : 'no PWA build (run `npm run build`)';
const build = model.build === 'custom' ? `model ${modelPath}` : `model ${model.build} build`;
console.log(`BigBrain listening on http://localhost:${server.port} — ${where}; ${pwa}; ${build}; AUTO_REGISTER=${config.autoRegister}`);

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: shutting down`);
  const force = setTimeout(() => process.exit(1), 10_000);
  force.unref();
  await server.close();
  await classifier.release();
  await db.close();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
