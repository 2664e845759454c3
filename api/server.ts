// Node entry: configuration from the environment, migrations, the model, then PWA + API on one port.
// SIGTERM/SIGINT: stop accepting, finish in-flight requests, release the model, close the database.
import { existsSync } from 'node:fs';
import { DEFAULT_MODEL_PATH } from '../models/node/classifier.ts';
import { createServerClassifier } from '../models/node/server-classifier.ts';
import { createApp } from './app.ts';
import { loadConfig } from './config.ts';
import { openDb } from './db/open.ts';
import { listen } from './listen.ts';
import { assertModelFile } from './model-file.ts';

const config = loadConfig();
const modelPath = config.modelPath ?? DEFAULT_MODEL_PATH;
assertModelFile(modelPath);
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
console.log(`BigBrain listening on http://localhost:${server.port} — ${where}; ${pwa}; AUTO_REGISTER=${config.autoRegister}`);

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
